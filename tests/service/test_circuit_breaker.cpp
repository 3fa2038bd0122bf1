#include <catch2/catch.hpp>

#include "io/circuit_breaker.hpp"

using hourglass::io::CircuitBreaker;
using hourglass::io::CircuitBreakerOptions;
using State = CircuitBreaker::State;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  CircuitBreaker::Clock fn() {
    return [this] { return now; };
  }
};

// Records `pattern` ('F' failure, 'S' success) as allowed calls.
void run(CircuitBreaker& b, const std::string& pattern) {
  for (char c : pattern) {
    REQUIRE(b.allow());
    b.record(c == 'S');
  }
}

}  // namespace

TEST_CASE("breaker: 5 consecutive failures open it, 4 do not", "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  run(b, "SSFFFF");
  REQUIRE(b.state() == State::Closed);
  run(b, "S");  // the streak starts again
  run(b, "FFFF");
  REQUIRE(b.state() == State::Closed);
  REQUIRE(b.allow());
  b.record(false);  // the fifth in a row
  REQUIRE(b.state() == State::Open);
  REQUIRE_FALSE(b.allow());
}

TEST_CASE("breaker: 50% failures over 20 calls open it, only once 20 calls are in", "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  // 19 calls, 10 failures (53%), never 5 in a row: the window is not full yet.
  run(b, "FSFSFSFSFSFSFSFSFSF");
  REQUIRE(b.window_calls() == 19);
  REQUIRE(b.window_failures() == 10);
  REQUIRE(b.state() == State::Closed);
  // The 20th call, a success, makes 10/20 = 50%.
  REQUIRE(b.allow());
  b.record(true);
  REQUIRE(b.state() == State::Open);
}

TEST_CASE("breaker: 40% failures over 20 calls keep it closed, also as the window slides",
          "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  run(b, "FFSSSFFSSSFFSSSFFSSS");  // 8/20
  REQUIRE(b.window_calls() == 20);
  REQUIRE(b.window_failures() == 8);
  REQUIRE(b.state() == State::Closed);
  // The window slides: 20 successes push every failure out.
  run(b, std::string(20, 'S'));
  REQUIRE(b.window_calls() == 20);
  REQUIRE(b.window_failures() == 0);
  run(b, "FFFFSFFFFS");  // 8 of the last 20, never 5 in a row
  REQUIRE(b.window_failures() == 8);
  REQUIRE(b.state() == State::Closed);
  run(b, "F");  // 9/20
  REQUIRE(b.state() == State::Closed);
  run(b, "F");  // 10/20
  REQUIRE(b.state() == State::Open);
}

TEST_CASE("breaker: half-open after 30 s, one trial at a time - success closes", "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  run(b, "FFFFF");
  REQUIRE(b.state() == State::Open);
  clock.now += 29'999ms;
  REQUIRE(b.state() == State::Open);
  REQUIRE_FALSE(b.allow());
  clock.now += 1ms;
  REQUIRE(b.state() == State::HalfOpen);
  REQUIRE(b.allow());        // the trial
  REQUIRE_FALSE(b.allow());  // no second call while it runs
  REQUIRE_FALSE(b.allow());
  b.record(true);
  REQUIRE(b.state() == State::Closed);
  REQUIRE(b.window_calls() == 0);  // window cleared
  // A fresh start: 4 failures do not reopen it.
  run(b, "FFFF");
  REQUIRE(b.state() == State::Closed);
}

TEST_CASE("breaker: a failed trial opens it again for another 30 s", "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  run(b, "FFFFF");
  clock.now += 30s;
  REQUIRE(b.allow());
  b.record(false);
  REQUIRE(b.state() == State::Open);
  clock.now += 20s;
  REQUIRE_FALSE(b.allow());
  clock.now += 10s;
  REQUIRE(b.state() == State::HalfOpen);
  REQUIRE(b.allow());
  b.record(true);
  REQUIRE(b.state() == State::Closed);
}

TEST_CASE("breaker: late results while open are ignored", "[service][breaker]") {
  FakeClock clock;
  CircuitBreaker b({}, clock.fn());
  REQUIRE(b.allow());  // a slow call, allowed while closed
  run(b, "FFFFF");
  REQUIRE(b.state() == State::Open);
  b.record(true);  // the slow call finishes
  REQUIRE(b.state() == State::Open);
  clock.now += 30s;
  REQUIRE(b.state() == State::HalfOpen);
}

TEST_CASE("breaker: thresholds come from the options", "[service][breaker]") {
  FakeClock clock;
  CircuitBreakerOptions o;
  o.window = 4;
  o.min_calls = 4;
  o.failure_rate = 0.75;
  o.consecutive_failures = 3;
  o.open_for = 5s;
  CircuitBreaker b(o, clock.fn());
  run(b, "FFSF");  // 3/4 = 75%
  REQUIRE(b.state() == State::Open);
  clock.now += 5s;
  REQUIRE(b.state() == State::HalfOpen);
  REQUIRE(b.allow());
  b.record(true);
  run(b, "FF");
  REQUIRE(b.state() == State::Closed);
  run(b, "F");  // 3 in a row
  REQUIRE(b.state() == State::Open);
}
