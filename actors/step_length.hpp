// How much world time a campaign's next step covers (CampaignInit::max_step
// and step_firings). A step's records are held until ordered, so its length
// is memory; every step costs each settlement a message and a cold cache,
// so its count is time. The step is sized by firings, not world time alone:
// about `step_firings` at the rate the last whole step fired, at most
// `max_step`, so that the memory a step takes does not grow with the
// campaign's size.
#pragma once

#include <cstdint>

#include "sim/time.hpp"

namespace hourglass::actors {

// A campaign's first step: how many firings a world minute of it holds is
// not known until one has run. (Never longer than max_step.)
inline constexpr sim::Duration kFirstStep = 60 * sim::kMsPerMinute;
// The shortest step a rate can ask for. (Never longer than max_step.)
inline constexpr sim::Duration kShortestStep = sim::kMsPerMinute;

// The length of the step after a whole one of `length` that fired
// `firings`: as many world minutes as hold about `step_firings` at that
// rate, within [kShortestStep, max_step]. max_step when `step_firings` is 0
// (no budget) or nothing fired.
sim::Duration next_step_length(sim::Duration max_step, std::uint64_t step_firings, sim::Duration length,
                               std::uint64_t firings);

}  // namespace hourglass::actors
