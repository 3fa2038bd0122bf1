// Ticks for a report's time axis in days since the start of the run ("day 0",
// "day 30"), so that every chart of a report can share one x range and line
// up vertically however long its own series are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/time_ticks.hpp"

namespace hourglass::report {

struct DayTicks {
  std::vector<TimeTick> ticks;
  std::string title;  // what the numbers count: "days since 2024-03-01 00:00 UTC"
};

// Ticks at start_ms + k·step (k ≥ 0) up to end_ms, with the smallest nice step
// that yields at most max(max_count, 4) of them: 1, 2, 3, 6 or 12 hours, then
// 1, 2, 5, 10, 15, 30, 60, 90 or 180 days, then 1, 2, 5, 10, ... years of 365
// days. Hour steps below 6 h are labelled in hours since the start ("3 h",
// title "hours since ..."), longer ones in days, with the fraction a step of
// 6 or 12 hours needs ("day 0", "day 1.5", "day 30"). Requires start_ms <=
// end_ms within JavaScript's Date range; day 0 is always a tick.
DayTicks day_ticks(std::int64_t start_ms, std::int64_t end_ms, int max_count);

// "day 12.25 (2024-03-13 06:00 UTC)": an instant as hover text shows it, the
// days since `start_ms` to at most two decimals.
std::string day_and_date(std::int64_t time_ms, std::int64_t start_ms);

}  // namespace hourglass::report
