#include "io/circuit_breaker.hpp"

#include <algorithm>
#include <utility>

namespace hourglass::io {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)) {
  options_.window = std::max<std::size_t>(1, options_.window);
  options_.min_calls = std::clamp<std::size_t>(options_.min_calls, 1, options_.window);
  options_.consecutive_failures = std::max<std::size_t>(1, options_.consecutive_failures);
}

void CircuitBreaker::advance_locked() {
  if (state_ == State::Open && clock_() - opened_at_ >= options_.open_for) {
    state_ = State::HalfOpen;
    trial_in_flight_ = false;
  }
}

void CircuitBreaker::open_locked() {
  state_ = State::Open;
  opened_at_ = clock_();
  trial_in_flight_ = false;
}

void CircuitBreaker::close_locked() {
  state_ = State::Closed;
  window_.clear();
  failures_in_window_ = 0;
  streak_ = 0;
  trial_in_flight_ = false;
}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  advance_locked();
  switch (state_) {
    case State::Closed: return true;
    case State::Open: return false;
    case State::HalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::record(bool success) {
  std::lock_guard lock(mutex_);
  advance_locked();
  switch (state_) {
    case State::Open: return;  // a late result of a call made before opening
    case State::HalfOpen:
      if (success)
        close_locked();
      else
        open_locked();
      return;
    case State::Closed: break;
  }
  window_.push_back(!success);
  if (!success) ++failures_in_window_;
  if (window_.size() > options_.window) {
    if (window_.front()) --failures_in_window_;
    window_.pop_front();
  }
  streak_ = success ? 0 : streak_ + 1;
  const bool rate_trips =
      window_.size() >= options_.min_calls &&
      static_cast<double>(failures_in_window_) >= options_.failure_rate * static_cast<double>(window_.size());
  if (streak_ >= options_.consecutive_failures || rate_trips) open_locked();
}

CircuitBreaker::State CircuitBreaker::state() {
  std::lock_guard lock(mutex_);
  advance_locked();
  return state_;
}

std::size_t CircuitBreaker::window_calls() {
  std::lock_guard lock(mutex_);
  return window_.size();
}

std::size_t CircuitBreaker::window_failures() {
  std::lock_guard lock(mutex_);
  return failures_in_window_;
}

const char* to_string(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::Closed: return "closed";
    case CircuitBreaker::State::Open: return "open";
    case CircuitBreaker::State::HalfOpen: return "half_open";
  }
  return "unknown";
}

}  // namespace hourglass::io
