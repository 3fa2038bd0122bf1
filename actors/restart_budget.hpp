// How many restarts a supervisor may spend: at most `limit` within any
// `window` of time. Pure (the caller passes the time), so it is tested
// without actors or clocks; the campaign spends it on its settlement actors,
// the service's registry on its campaign actors.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace hourglass::actors {

class RestartBudget {
 public:
  using Clock = std::chrono::steady_clock;

  RestartBudget() = default;  // no restarts at all
  RestartBudget(int limit, Clock::duration window) : limit_(limit), window_(window) {}

  // Spends one restart at `now` when fewer than `limit` were spent within
  // the window before it (older ones no longer count); false when the
  // budget is spent, and then nothing is recorded.
  bool try_spend(Clock::time_point now);

  int limit() const { return limit_; }
  Clock::duration window() const { return window_; }

 private:
  int limit_ = 0;
  Clock::duration window_{};
  std::deque<Clock::time_point> spent_;  // oldest first, within the window as of the last call
};

}  // namespace hourglass::actors
