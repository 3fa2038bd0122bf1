// World time: integer milliseconds since 1970-01-01T00:00:00Z, proleptic
// Gregorian, UTC (SPEC §1). Parsing accepts exactly the wire forms of the
// SPEC; formatting always writes JavaScript's toISOString() form.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace hourglass::sim {

using WorldTime = std::int64_t;  // ms since the epoch
using Duration = std::int64_t;   // ms

inline constexpr Duration kMsPerMinute = 60'000;
// "No due time": a stopped timer. Larger than any time a scenario can hold.
inline constexpr WorldTime kNever = std::numeric_limits<WorldTime>::max();

// Accepts YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DDTHH:MM:SS.sssZ and the same with
// "+00:00" instead of "Z". Anything else (other offsets, other fraction
// lengths, impossible dates such as April 31) yields nullopt.
std::optional<WorldTime> parse_world_time(std::string_view text);

// Writes YYYY-MM-DDTHH:MM:SS.sssZ (24 characters) for years 0000..9999 and
// the ±YYYYYY extended form beyond, as toISOString() does. Returns the end.
char* write_world_time(WorldTime t, char* out);
std::string format_world_time(WorldTime t);

// The two halves of write_world_time, for writers that cache the date:
// "YYYY-MM-DDT" of a day number (days since the epoch), and
// "HH:MM:SS.sssZ" of the milliseconds into a day.
inline constexpr std::int64_t kMsPerDay = 86'400'000;
char* write_date(std::int64_t days, char* out);
char* write_time_of_day(std::int64_t ms, char* out);
inline std::int64_t day_of(WorldTime t) { return t >= 0 ? t / kMsPerDay : (t - kMsPerDay + 1) / kMsPerDay; }

// Days since the epoch of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace hourglass::sim
