// A sliding-window limit: at most `limit` events in any `window`. Pure (the
// caller passes the time) and not thread-safe: its owner serializes calls.
// The auth session uses it to keep under the campaign API's throttle of its
// REST auth routes (10 a minute).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace hourglass::io {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `limit` >= 1; `window` > 0.
  RateLimiter(std::size_t limit, Clock::duration window);

  // How long to wait from `now` before one more event fits the limit (zero
  // when it fits now).
  Clock::duration wait_before(Clock::time_point now) const;
  // Records an event at `now` (the caller checked wait_before first; an
  // event beyond the limit is recorded all the same).
  void record(Clock::time_point now);
  // Events within the window ending at `now`.
  std::size_t in_window(Clock::time_point now) const;

  std::size_t limit() const { return limit_; }
  Clock::duration window() const { return window_; }

 private:
  std::size_t limit_;
  Clock::duration window_;
  std::deque<Clock::time_point> events_;  // oldest first; at most `limit_` kept
};

}  // namespace hourglass::io
