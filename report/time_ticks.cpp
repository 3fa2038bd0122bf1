#include "report/time_ticks.hpp"

#include <algorithm>
#include <string>

#include "sim/time.hpp"

namespace hourglass::report {
namespace {

using sim::kMsPerDay;
using sim::kMsPerMinute;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
// Consecutive granularities are at most 3.5× apart, so a range too long for
// four ticks of one still holds a tick of the next: with this budget the
// result is never empty (given the hour-long range).
constexpr int kMinTickBudget = 4;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

std::int64_t digits_at(const char* text, int count) {
  std::int64_t value = 0;
  for (int i = 0; i < count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// The civil date of a day number, read back from sim::write_date's
// "YYYY-MM-DDT" (or "±YYYYYY-MM-DDT" outside years 0..9999), so that the
// calendar arithmetic lives in one place: sim/time.
CivilDate civil_from_days(std::int64_t days) {
  char text[24];
  sim::write_date(days, text);
  const bool extended = text[0] == '-' || text[0] == '+';
  const char* month = text + (extended ? 8 : 5);
  const std::int64_t year = extended ? (text[0] == '-' ? -1 : 1) * digits_at(text + 1, 6) : digits_at(text, 4);
  return {year, static_cast<unsigned>(digits_at(month, 2)), static_cast<unsigned>(digits_at(month + 3, 2))};
}

std::string two_digits(std::int64_t v) { return {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)}; }

// Four digits for years 0..9999 as ISO 8601 writes them, plain otherwise.
std::string year_text(std::int64_t year) {
  if (year < 0 || year > 9999) return std::to_string(year);
  std::string digits = std::to_string(year);
  return std::string(4 - digits.size(), '0') + digits;
}

CivilDate date_of(std::int64_t time_ms) { return civil_from_days(sim::day_of(time_ms)); }

enum class LabelStyle { kTimeOfDay, kDate, kMonth, kYear };

struct Granularity {
  bool calendar_months;  // true: `length` counts months from year 0, else ms
  std::int64_t length;
  std::int64_t offset_ms;  // where fixed-length ticks are anchored
  LabelStyle style;
};

// 1970-01-05 was a Monday; weekly ticks fall on Mondays as ISO 8601 weeks do.
constexpr std::int64_t kFirstMondayMs = 4 * kMsPerDay;

constexpr Granularity kSubYearGranularities[] = {
    {false, 5 * kMsPerMinute, 0, LabelStyle::kTimeOfDay},
    {false, 10 * kMsPerMinute, 0, LabelStyle::kTimeOfDay},
    {false, 15 * kMsPerMinute, 0, LabelStyle::kTimeOfDay},
    {false, 30 * kMsPerMinute, 0, LabelStyle::kTimeOfDay},
    {false, kMsPerHour, 0, LabelStyle::kTimeOfDay},
    {false, 2 * kMsPerHour, 0, LabelStyle::kTimeOfDay},
    {false, 3 * kMsPerHour, 0, LabelStyle::kTimeOfDay},
    {false, 6 * kMsPerHour, 0, LabelStyle::kTimeOfDay},
    {false, 12 * kMsPerHour, 0, LabelStyle::kTimeOfDay},
    {false, kMsPerDay, 0, LabelStyle::kDate},
    {false, 2 * kMsPerDay, 0, LabelStyle::kDate},
    {false, 7 * kMsPerDay, kFirstMondayMs, LabelStyle::kDate},
    {false, 14 * kMsPerDay, kFirstMondayMs, LabelStyle::kDate},
    {true, 1, 0, LabelStyle::kMonth},
    {true, 2, 0, LabelStyle::kMonth},
    {true, 3, 0, LabelStyle::kMonth},
    {true, 6, 0, LabelStyle::kMonth},
};

std::int64_t month_start_ms(std::int64_t month_index) {
  const unsigned month = static_cast<unsigned>(month_index - floor_div(month_index, 12) * 12) + 1;
  return sim::days_from_civil(floor_div(month_index, 12), month, 1) * kMsPerDay;
}

// The tick instants in [start, end], stopping once there are more than `limit`.
std::vector<std::int64_t> tick_instants(const Granularity& g, std::int64_t start, std::int64_t end,
                                        std::size_t limit) {
  std::vector<std::int64_t> instants;
  if (g.calendar_months) {
    const CivilDate first_day = date_of(start);
    std::int64_t month = first_day.year * 12 + first_day.month - 1;
    if (month_start_ms(month) < start) ++month;
    for (month = ceil_div(month, g.length) * g.length;
         month_start_ms(month) <= end && instants.size() <= limit; month += g.length)
      instants.push_back(month_start_ms(month));
  } else {
    for (std::int64_t t = ceil_div(start - g.offset_ms, g.length) * g.length + g.offset_ms;
         t <= end && instants.size() <= limit; t += g.length)
      instants.push_back(t);
  }
  return instants;
}

std::string label_of(std::int64_t time_ms, LabelStyle style, bool with_date) {
  const CivilDate date = date_of(time_ms);
  switch (style) {
    case LabelStyle::kTimeOfDay: {
      const std::int64_t ms_of_day = time_ms - sim::day_of(time_ms) * kMsPerDay;
      const std::string clock = two_digits(ms_of_day / kMsPerHour) + ":" +
                                two_digits(ms_of_day / kMsPerMinute % 60);
      return with_date ? two_digits(date.month) + "-" + two_digits(date.day) + " " + clock : clock;
    }
    case LabelStyle::kDate:
      return year_text(date.year) + "-" + two_digits(date.month) + "-" + two_digits(date.day);
    case LabelStyle::kMonth:
      return year_text(date.year) + "-" + two_digits(date.month);
    case LabelStyle::kYear:
      return year_text(date.year);
  }
  return {};
}

std::vector<TimeTick> labelled(const std::vector<std::int64_t>& instants, LabelStyle style) {
  std::vector<TimeTick> ticks;
  std::int64_t previous_day = 0;
  for (const std::int64_t t : instants) {
    const std::int64_t day = sim::day_of(t);
    ticks.push_back({t, label_of(t, style, ticks.empty() || day != previous_day)});
    previous_day = day;
  }
  return ticks;
}

}  // namespace

std::vector<TimeTick> time_ticks(std::int64_t start_ms, std::int64_t end_ms, int max_count) {
  const std::size_t budget = static_cast<std::size_t>(std::max(max_count, kMinTickBudget));
  for (const Granularity& g : kSubYearGranularities) {
    const std::vector<std::int64_t> instants = tick_instants(g, start_ms, end_ms, budget);
    if (instants.size() <= budget) return labelled(instants, g.style);
  }
  // Years: 1, 2, 5, 10, 20, 50, ... until few enough ticks remain, which
  // happens within the Date range long before the step could overflow.
  for (std::int64_t decade = 1;; decade *= 10) {
    for (const std::int64_t years : {1, 2, 5}) {
      const Granularity g{true, 12 * years * decade, 0, LabelStyle::kYear};
      const std::vector<std::int64_t> instants = tick_instants(g, start_ms, end_ms, budget);
      if (instants.size() <= budget) return labelled(instants, g.style);
    }
  }
}

}  // namespace hourglass::report
