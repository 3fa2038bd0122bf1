#include "messages/world_span.hpp"

#include <charconv>
#include <utility>

#include "messages/input_error.hpp"

namespace hourglass::messages {
namespace {

constexpr sim::Duration kLongest = 10'000 * kMsPerYear;

constexpr std::pair<std::string_view, sim::Duration> kUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", sim::kMsPerMinute}, {"h", 60 * sim::kMsPerMinute}, {"d", sim::kMsPerDay},
    {"y", kMsPerYear},
};

}  // namespace

sim::Duration read_world_span(std::string_view text, const std::string& where) {
  const auto unit_at = text.find_first_not_of("0123456789");
  const std::string_view digits = text.substr(0, unit_at);
  const std::string_view unit = unit_at == std::string_view::npos ? std::string_view() : text.substr(unit_at);
  auto refuse = [&](const std::string& why) -> sim::Duration {
    throw InputError(where, "expected a whole number and a unit (y, d, h, m, s, ms), such as 100y or 36500d, got \"" +
                                std::string(text) + "\": " + why);
  };
  if (digits.empty() || digits.size() > 15) return refuse("no whole number");
  if (unit.empty()) return refuse("no unit");
  long long n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  for (const auto& [name, ms] : kUnits) {
    if (unit != name) continue;
    if (n > kLongest / ms) return refuse("longer than 10000 years");
    return n * ms;
  }
  return refuse("unknown unit \"" + std::string(unit) + "\"");
}

std::optional<std::string> advance_past_limit(sim::WorldTime clock, sim::WorldTime new_time, sim::Duration limit) {
  if (limit <= 0 || new_time - clock <= limit) return std::nullopt;
  return "an advance of " + describe_world_span(new_time - clock) + " from the clock " + sim::format_world_time(clock) +
         " to newTime " + sim::format_world_time(new_time) +
         " is longer than the limit max_advance (HOURGLASS_MAX_ADVANCE, --max-advance) of " +
         describe_world_span(limit) + "; refused, nothing changed";
}

std::string describe_world_span(sim::Duration span) {
  if (span % kMsPerYear == 0 && span >= kMsPerYear)
    return std::to_string(span / kMsPerYear) + " years (" + std::to_string(span / sim::kMsPerDay) + " days)";
  if (span % sim::kMsPerDay == 0 && span > 0) return std::to_string(span / sim::kMsPerDay) + " days";
  if (span % (60 * sim::kMsPerMinute) == 0 && span > 0) return std::to_string(span / (60 * sim::kMsPerMinute)) + " h";
  if (span % 1000 == 0 && span > 0) return std::to_string(span / 1000) + " s";
  return std::to_string(span) + " ms";
}

}  // namespace hourglass::messages
