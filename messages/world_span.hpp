// A span of world time as an operator or designer writes it: a whole number
// and a unit, "100y", "36500d", "12h", "30m", "45s", "250ms". A year is 365
// days (world time has no calendar of its own: SPEC §1 counts milliseconds),
// so "1y" is 31,536,000,000 ms. Used for the longest advance a campaign takes
// (HOURGLASS_MAX_ADVANCE, --max-advance).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace hourglass::messages {

inline constexpr sim::Duration kMsPerYear = 365 * sim::kMsPerDay;
inline constexpr sim::Duration kMsPerHour = 60 * sim::kMsPerMinute;

// Throws InputError(where, ...) for anything else: no unit, a fraction, a
// negative number, or a span past 10,000 years.
sim::Duration read_world_span(std::string_view text, const std::string& where);

// Why an advance from `clock` to `new_time` is refused under `limit` (0: no
// limit); nullopt when it is within it.
std::optional<std::string> advance_past_limit(sim::WorldTime clock, sim::WorldTime new_time, sim::Duration limit);

// "100 years (36500 days)", "36 days", "12 h", "250 ms": how a refusal names a span.
std::string describe_world_span(sim::Duration span);

}  // namespace hourglass::messages
