// A designer's goals for a tune (`--goal "level>=3 by day 60"`) and the
// milestones the summary shows (the day a level is reached, the first day a
// resource is at 0), judged on a settlement's step series. The grammar is in
// docs/designers.md ("Goals"):
//
//   goal   := metric op number when
//   metric := "level" | "population" | a resource name ([A-Za-z_][A-Za-z0-9_]*)
//   op     := ">=" | ">" | "<=" | "<" | "=="
//   when   := "by day" number     (true at some moment at or before that day)
//           | "throughout"        (true at every moment, start to end)
//           | "at end"            (true of the final value)
//
// Days count from the start of the settlement's campaign (its clock when the
// scenario starts); spaces are free between tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "report/series.hpp"
#include "sim/time.hpp"

namespace hourglass::runtime::tune {

using Steps = std::vector<report::Point>;

enum class Comparison { AtLeast, Above, AtMost, Below, Equal };
enum class GoalWhen { ByDay, Throughout, AtEnd };

struct Goal {
  std::string text;    // as written, for the report
  std::string metric;  // "level", "population" or a resource's name
  Comparison comparison = Comparison::AtLeast;
  double threshold = 0;
  GoalWhen when = GoalWhen::AtEnd;
  double day = 0;      // with ByDay
};

constexpr std::size_t kMaxGoalText = 200;
constexpr std::size_t kMaxGoals = 20;

// Throws messages::InputError naming `--goal "TEXT"` and the 1-based position
// of the fault with what was expected there.
Goal parse_goal(const std::string& text);

bool compares(Comparison comparison, double value, double threshold);

// Whether `series` (a step series; empty: 0 all along) meets `goal`, with
// days counted from `start`.
bool goal_met(const Goal& goal, const Steps& series, sim::WorldTime start);

// Days from `start` to the first point of `series` whose value passes `test`
// (0 if the first point does, or if the series is empty and 0 passes); none
// if no point does.
std::optional<double> first_day(const Steps& series, sim::WorldTime start, const std::function<bool(double)>& test);

}  // namespace hourglass::runtime::tune
