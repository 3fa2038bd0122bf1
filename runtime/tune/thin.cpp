#include "runtime/tune/thin.hpp"

#include <algorithm>

namespace hourglass::runtime::tune {

Steps thin_steps(const Steps& steps, std::size_t buckets) {
  if (buckets == 0 || steps.size() <= 4 * buckets) return steps;
  const double start = static_cast<double>(steps.front().time_ms);
  const double span = static_cast<double>(steps.back().time_ms) - start;
  auto bucket_of = [&](const report::Point& p) {
    const double share = span > 0 ? (static_cast<double>(p.time_ms) - start) / span : 0.0;
    return std::min(buckets - 1, static_cast<std::size_t>(share * static_cast<double>(buckets)));
  };
  Steps out;
  std::size_t i = 0;
  while (i < steps.size()) {
    const std::size_t bucket = bucket_of(steps[i]);
    std::size_t end = i, low = i, high = i;
    for (; end < steps.size() && bucket_of(steps[end]) == bucket; ++end) {
      if (steps[end].value < steps[low].value) low = end;
      if (steps[end].value > steps[high].value) high = end;
    }
    std::size_t keep[] = {i, low, high, end - 1};
    std::sort(std::begin(keep), std::end(keep));
    for (std::size_t k = 0; k < 4; ++k)
      if (k == 0 || keep[k] != keep[k - 1]) out.push_back(steps[keep[k]]);
    i = end;
  }
  return out;
}

}  // namespace hourglass::runtime::tune
