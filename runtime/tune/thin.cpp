#include "runtime/tune/thin.hpp"

#include <algorithm>

#include "report/envelope.hpp"

namespace hourglass::runtime::tune {

Steps thin_steps(const Steps& steps, std::size_t buckets) {
  if (buckets == 0 || steps.size() <= 4 * buckets) return steps;
  const double start = static_cast<double>(steps.front().time_ms);
  const double span = static_cast<double>(steps.back().time_ms) - start;
  return report::envelope(steps, [&](const report::Point& p) {
    const double share = span > 0 ? (static_cast<double>(p.time_ms) - start) / span : 0.0;
    return std::min(buckets - 1, static_cast<std::size_t>(share * static_cast<double>(buckets)));
  });
}

}  // namespace hourglass::runtime::tune
