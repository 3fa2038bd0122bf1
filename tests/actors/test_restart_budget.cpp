// The restart budget: `limit` restarts within any `window`, then none until
// the oldest leaves the window.
#include <catch2/catch.hpp>

#include "actors/restart_budget.hpp"

using hourglass::actors::RestartBudget;
using std::chrono::seconds;

namespace {
const RestartBudget::Clock::time_point t0{};  // any origin: only differences count
}

TEST_CASE("a restart budget allows `limit` restarts within the window", "[restart_budget]") {
  RestartBudget budget(3, seconds(10));
  CHECK(budget.try_spend(t0));
  CHECK(budget.try_spend(t0 + seconds(1)));
  CHECK(budget.try_spend(t0 + seconds(2)));
  CHECK_FALSE(budget.try_spend(t0 + seconds(3)));
  CHECK_FALSE(budget.try_spend(t0 + seconds(10)));  // the first is exactly `window` old: still counts
}

TEST_CASE("restarts older than the window no longer count", "[restart_budget]") {
  RestartBudget budget(2, seconds(10));
  CHECK(budget.try_spend(t0));
  CHECK(budget.try_spend(t0 + seconds(5)));
  CHECK_FALSE(budget.try_spend(t0 + seconds(9)));
  CHECK(budget.try_spend(t0 + seconds(11)));        // t0 left the window
  CHECK_FALSE(budget.try_spend(t0 + seconds(12)));  // t0+5 and t0+11 count
  CHECK(budget.try_spend(t0 + seconds(30)));        // both left it
}

TEST_CASE("a refused restart is not recorded", "[restart_budget]") {
  RestartBudget budget(1, seconds(10));
  CHECK(budget.try_spend(t0));
  for (int s = 1; s <= 10; ++s) CHECK_FALSE(budget.try_spend(t0 + seconds(s)));
  // Only t0 counted: the refusals at 1..10 s did not extend the wait.
  CHECK(budget.try_spend(t0 + seconds(11)));
}

TEST_CASE("a budget of zero, or a default one, allows nothing", "[restart_budget]") {
  CHECK_FALSE(RestartBudget(0, seconds(10)).try_spend(t0));
  CHECK_FALSE(RestartBudget().try_spend(t0));
  CHECK(RestartBudget(5, seconds(10)).limit() == 5);
}
