#include "report/day_ticks.hpp"

#include <algorithm>

#include "report/number_format.hpp"
#include "sim/time.hpp"

namespace hourglass::report {
namespace {

using sim::kMsPerDay;
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr int kMinTickBudget = 4;
// Steps below this are counted in hours: "day 0.125" reads worse than "3 h".
constexpr std::int64_t kShortestDayStep = 6 * kMsPerHour;
constexpr std::int64_t kDayYear = 365 * kMsPerDay;

constexpr std::int64_t kSteps[] = {
    kMsPerHour,      2 * kMsPerHour,  3 * kMsPerHour,  6 * kMsPerHour,  12 * kMsPerHour,
    kMsPerDay,       2 * kMsPerDay,   5 * kMsPerDay,   10 * kMsPerDay,  15 * kMsPerDay,
    30 * kMsPerDay,  60 * kMsPerDay,  90 * kMsPerDay,  180 * kMsPerDay,
};

// "2024-03-01 07:00 UTC"
std::string minute_text(std::int64_t time_ms) {
  const std::string iso = sim::format_world_time(time_ms);  // ...THH:MM:SS.sssZ
  const std::size_t t = iso.find('T');
  return iso.substr(0, t) + " " + iso.substr(t + 1, 5) + " UTC";
}

// Days to at most two decimals, without trailing zeros: "12.25", "30".
std::string days_text(std::int64_t ms) { return format_compact(static_cast<double>(ms) / kMsPerDay, 2); }

DayTicks ticks_of(std::int64_t start_ms, std::int64_t end_ms, std::int64_t step) {
  const bool hours = step < kShortestDayStep;
  DayTicks out;
  out.title = std::string(hours ? "hours" : "days") + " since " + minute_text(start_ms);
  for (std::int64_t k = 0; start_ms + k * step <= end_ms; ++k) {
    const std::int64_t since = k * step;
    out.ticks.push_back({start_ms + since, hours ? std::to_string(since / kMsPerHour) + " h" : "day " + days_text(since)});
  }
  return out;
}

}  // namespace

DayTicks day_ticks(std::int64_t start_ms, std::int64_t end_ms, int max_count) {
  const std::int64_t budget = std::max(max_count, kMinTickBudget);
  const std::int64_t span = std::max<std::int64_t>(end_ms - start_ms, 0);
  auto fits = [&](std::int64_t step) { return span / step + 1 <= budget; };
  for (const std::int64_t step : kSteps)
    if (fits(step)) return ticks_of(start_ms, end_ms, step);
  // Years of 365 days: 1, 2, 5, 10, 20, 50, ... (the Date range is reached
  // long before the step could overflow).
  for (std::int64_t decade = 1;; decade *= 10)
    for (const std::int64_t years : {1, 2, 5})
      if (fits(years * decade * kDayYear)) return ticks_of(start_ms, end_ms, years * decade * kDayYear);
}

std::string day_and_date(std::int64_t time_ms, std::int64_t start_ms) {
  return "day " + days_text(time_ms - start_ms) + " (" + minute_text(time_ms) + ")";
}

}  // namespace hourglass::report
