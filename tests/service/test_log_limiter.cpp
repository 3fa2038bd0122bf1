// io::LogLimiter with an injected clock: a flood of one kind of line becomes
// N lines per interval and one count of the rest.
#include <catch2/catch.hpp>

#include "io/log_limiter.hpp"

namespace {
using hourglass::io::LogLimiter;
using namespace std::chrono_literals;
const LogLimiter::Clock::time_point kT0{};  // any instant: the limiter only compares
}  // namespace

TEST_CASE("log limiter: N lines per key per interval, then a count of the suppressed ones", "[service][log]") {
  LogLimiter limiter(3, 10s);
  std::size_t written = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto v = limiter.admit("refused input on worldTimeAdvanced", kT0 + std::chrono::milliseconds(i));
    CHECK(v.suppressed == 0);  // the interval is still open: nothing to tell yet
    if (v.write) ++written;
  }
  CHECK(written == 3);
  CHECK(limiter.pending());
  CHECK(limiter.take_unreported(kT0 + 9s).empty());  // still open

  // The key's next line after the interval opens a new one and carries the count.
  const auto next = limiter.admit("refused input on worldTimeAdvanced", kT0 + 10s);
  CHECK(next.write);
  CHECK(next.suppressed == 997);
  CHECK_FALSE(limiter.pending());
}

TEST_CASE("log limiter: keys are limited apart and a periodic take hands each count out once", "[service][log]") {
  LogLimiter limiter(1, 5s);
  CHECK(limiter.admit("a", kT0).write);
  CHECK(limiter.admit("b", kT0 + 1s).write);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(limiter.admit("a", kT0 + 2s).write);
  CHECK_FALSE(limiter.admit("b", kT0 + 2s).write);

  const auto at5 = limiter.take_unreported(kT0 + 5s);  // a's interval is over, b's is not
  REQUIRE(at5.size() == 1);
  CHECK(at5[0].key == "a");
  CHECK(at5[0].count == 4);
  CHECK(limiter.pending());  // b's count is still to come
  const auto at6 = limiter.take_unreported(kT0 + 6s);
  REQUIRE(at6.size() == 1);
  CHECK(at6[0].key == "b");
  CHECK(at6[0].count == 1);
  CHECK(limiter.take_unreported(kT0 + 60s).empty());  // told once
  CHECK_FALSE(limiter.pending());
  // After the take, a's next line is written and has nothing more to tell.
  const auto again = limiter.admit("a", kT0 + 7s);
  CHECK(again.write);
  CHECK(again.suppressed == 0);
}

TEST_CASE("log limiter: the keys it tracks are bounded, the others share one", "[service][log]") {
  LogLimiter limiter(1, 5s, 2);
  CHECK(limiter.admit("k1", kT0).write);
  CHECK(limiter.admit("k2", kT0).write);
  CHECK(limiter.admit("k3", kT0).write);       // the overflow key's first line
  CHECK_FALSE(limiter.admit("k4", kT0).write);  // shares it
  for (int i = 5; i < 10'000; ++i) CHECK_FALSE(limiter.admit("k" + std::to_string(i), kT0).write);
  const auto told = limiter.take_unreported(kT0 + 5s);
  REQUIRE(told.size() == 1);
  CHECK(told[0].key == LogLimiter::kOtherKey);
  CHECK(told[0].count == 9'996);
}

TEST_CASE("log limiter: refuses a limit that would write nothing", "[service][log]") {
  CHECK_THROWS_AS(LogLimiter(0, 1s), std::invalid_argument);
  CHECK_THROWS_AS(LogLimiter(1, 0s), std::invalid_argument);
  CHECK_THROWS_AS(LogLimiter(1, 1s, 0), std::invalid_argument);
}
