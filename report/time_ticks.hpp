// Ticks for a world-time axis: round UTC instants (whole minutes, hours, days,
// Mondays, first days of months or years) with labels at the matching
// granularity.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hourglass::report {

struct TimeTick {
  std::int64_t time_ms;  // ms since the epoch, UTC
  std::string label;
};

// The ticks within [start_ms, end_ms] at the finest granularity that yields
// at most max(max_count, 4) of them. Labels: "HH:MM" below a day (prefixed by
// "MM-DD " on the first tick and whenever the date changes), "YYYY-MM-DD" for
// days and weeks, "YYYY-MM" for months, "YYYY" for years. Times must lie
// within JavaScript's Date range (±8.64e15 ms); a range of at least an hour
// always gets a tick.
std::vector<TimeTick> time_ticks(std::int64_t start_ms, std::int64_t end_ms, int max_count);

}  // namespace hourglass::report
