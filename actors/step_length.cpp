#include "actors/step_length.hpp"

#include <algorithm>

namespace hourglass::actors {

sim::Duration next_step_length(sim::Duration max_step, std::uint64_t step_firings, sim::Duration length,
                               std::uint64_t firings) {
  if (step_firings == 0 || firings == 0) return max_step;
  const double scaled = static_cast<double>(length) * static_cast<double>(step_firings) / static_cast<double>(firings);
  if (scaled >= static_cast<double>(max_step)) return max_step;
  return std::max(std::min(kShortestStep, max_step), static_cast<sim::Duration>(scaled));
}

}  // namespace hourglass::actors
