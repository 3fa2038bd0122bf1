#include <catch2/catch.hpp>

#include "messages/input_error.hpp"
#include "runtime/tune/goals.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

constexpr std::int64_t kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr std::int64_t kDay = 86'400'000;

std::string refusal(const std::string& text) {
  try {
    parse_goal(text);
  } catch (const messages::InputError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("goals: the three forms parse, with any metric", "[tune][goals]") {
  const Goal level = parse_goal("level>=3 by day 60");
  CHECK(level.metric == "level");
  CHECK(level.comparison == Comparison::AtLeast);
  CHECK(level.threshold == 3);
  CHECK(level.when == GoalWhen::ByDay);
  CHECK(level.day == 60);
  CHECK(level.text == "level>=3 by day 60");

  const Goal food = parse_goal("  food > 0   throughout ");
  CHECK(food.metric == "food");
  CHECK(food.comparison == Comparison::Above);
  CHECK(food.when == GoalWhen::Throughout);

  const Goal population = parse_goal("population<=2000.5 at end");
  CHECK(population.comparison == Comparison::AtMost);
  CHECK(population.threshold == 2000.5);
  CHECK(population.when == GoalWhen::AtEnd);

  CHECK(parse_goal("gold<5 by day 0.5").day == 0.5);
  CHECK(parse_goal("stone_2==-1 at end").comparison == Comparison::Equal);
}

TEST_CASE("goals: a refusal names the goal and the position", "[tune][goals]") {
  CHECK_THAT(refusal("level>=3 by week 60"),
             Catch::Contains("--goal \"level>=3 by week 60\"") && Catch::Contains("position 13") &&
                 Catch::Contains("day"));
  CHECK_THAT(refusal("level=>3 by day 60"), Catch::Contains("position 6") && Catch::Contains(">="));
  CHECK_THAT(refusal("level>= by day 60"), Catch::Contains("position 9") && Catch::Contains("a number"));
  CHECK_THAT(refusal(">=3 by day 60"), Catch::Contains("position 1") && Catch::Contains("level, population"));
  CHECK_THAT(refusal("level>=3"), Catch::Contains("position 9") && Catch::Contains("throughout"));
  CHECK_THAT(refusal("level>=3 by day -1"), Catch::Contains("position 17"));
  CHECK_THAT(refusal("level>=3 at end now"), Catch::Contains("position 17") && Catch::Contains("nothing"));
  CHECK_THAT(refusal(std::string(300, 'a')), Catch::Contains("at most 200"));
}

TEST_CASE("goals: a goal is judged on a step series", "[tune][goals]") {
  const Steps level = {{kStart, 1}, {kStart + 20 * kDay, 2}, {kStart + 61 * kDay, 3}};
  CHECK_FALSE(goal_met(parse_goal("level>=3 by day 60"), level, kStart));
  CHECK(goal_met(parse_goal("level>=3 by day 61"), level, kStart));
  CHECK(goal_met(parse_goal("level>=3 at end"), level, kStart));
  CHECK(goal_met(parse_goal("level>0 throughout"), level, kStart));
  CHECK_FALSE(goal_met(parse_goal("level>1 throughout"), level, kStart));
  // A resource the settlement never had is 0 all along.
  CHECK_FALSE(goal_met(parse_goal("wood>0 throughout"), {}, kStart));
  CHECK(goal_met(parse_goal("wood==0 at end"), {}, kStart));
}

TEST_CASE("goals: milestones are days since the start", "[tune][goals]") {
  const Steps level = {{kStart, 1}, {kStart + kDay / 2, 2}, {kStart + 60 * kDay, 3}};
  CHECK(first_day(level, kStart, [](double v) { return v >= 3; }) == Approx(60.0));
  CHECK(first_day(level, kStart, [](double v) { return v >= 2; }) == Approx(0.5));
  CHECK(first_day(level, kStart, [](double v) { return v >= 1; }) == Approx(0.0));
  CHECK_FALSE(first_day(level, kStart, [](double v) { return v >= 4; }).has_value());
  CHECK(first_day({}, kStart, [](double v) { return v <= 0; }) == Approx(0.0));
}
