// A circuit breaker for the campaign API: a pure state machine over an
// injected clock (tests drive time by hand).
//
//   Closed    every call is allowed; results go into a window of the last
//             `window` calls. It opens when `consecutive_failures` calls in a
//             row failed, or when the window holds at least `min_calls` calls
//             and failed / calls >= `failure_rate`.
//   Open      no call is allowed until `open_for` has passed; then HalfOpen.
//   HalfOpen  one trial call at a time: allow() is true once, then false
//             until that trial's result is recorded. Success closes (the
//             window and the streak start afresh); failure opens again (and
//             the `open_for` wait starts again).
//
// A result recorded while Open (a call allowed before the breaker opened) is
// ignored. In HalfOpen, the next result recorded is taken as the trial's.
// Thread-safe (one mutex); callers pair each allowed call with one record().
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace hourglass::io {

struct CircuitBreakerOptions {
  std::size_t window = 20;               // calls the failure rate is taken over
  std::size_t min_calls = 20;            // the rate counts only with this many in the window
  double failure_rate = 0.5;             // opens at >= this rate
  std::size_t consecutive_failures = 5;  // ... or at this many failures in a row
  std::chrono::milliseconds open_for{30'000};
};

class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit CircuitBreaker(CircuitBreakerOptions options = {},
                          Clock clock = [] { return std::chrono::steady_clock::now(); });

  // May a call be made now? (In HalfOpen, true claims the one trial.)
  bool allow();
  // The result of a call that allow() let through.
  void record(bool success);
  // The state now (Open turns HalfOpen once `open_for` has passed).
  State state();

  // For metrics and logs.
  std::size_t window_calls();
  std::size_t window_failures();

 private:
  void advance_locked();  // Open -> HalfOpen when due
  void open_locked();
  void close_locked();

  CircuitBreakerOptions options_;
  Clock clock_;
  std::mutex mutex_;
  State state_ = State::Closed;
  std::deque<bool> window_;  // true = failure
  std::size_t failures_in_window_ = 0;
  std::size_t streak_ = 0;  // consecutive failures
  std::chrono::steady_clock::time_point opened_at_{};
  bool trial_in_flight_ = false;
};

const char* to_string(CircuitBreaker::State s);

}  // namespace hourglass::io
