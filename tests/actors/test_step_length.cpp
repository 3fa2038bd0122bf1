// A campaign's step length: about step_firings at the last whole step's
// rate, within [kShortestStep, max_step].
#include <catch2/catch.hpp>

#include "actors/step_length.hpp"

using hourglass::actors::kShortestStep;
using hourglass::actors::next_step_length;
using hourglass::sim::Duration;
using hourglass::sim::kMsPerMinute;

namespace {
constexpr Duration kHour = 60 * kMsPerMinute;
constexpr Duration kTwoDays = 48 * kHour;
}  // namespace

TEST_CASE("step length: as many world minutes as hold the budget at the last step's rate", "[step_length]") {
  // An hour fired 1,000: a million is 1,000 hours, more than two days.
  CHECK(next_step_length(kTwoDays, 1'000'000, kHour, 1'000) == kTwoDays);
  // An hour fired 100,000: ten hours.
  CHECK(next_step_length(kTwoDays, 1'000'000, kHour, 100'000) == 10 * kHour);
  // Two days fired four million: half a day.
  CHECK(next_step_length(kTwoDays, 1'000'000, kTwoDays, 4'000'000) == 12 * kHour);
}

TEST_CASE("step length: never shorter than a minute nor longer than max_step", "[step_length]") {
  CHECK(next_step_length(kTwoDays, 1'000'000, kHour, 1'000'000'000) == kShortestStep);
  // A max_step under a minute (the split-invariance tests') bounds both.
  CHECK(next_step_length(7, 1'000'000, 7, 1'000'000'000) == 7);
  CHECK(next_step_length(7, 1'000'000, 7, 1) == 7);
}

TEST_CASE("step length: max_step without a budget, or after a step that fired nothing", "[step_length]") {
  CHECK(next_step_length(kTwoDays, 0, kHour, 5'000'000) == kTwoDays);
  CHECK(next_step_length(kTwoDays, 1'000'000, kHour, 0) == kTwoDays);
}
