#include "io/rate_limiter.hpp"

#include <stdexcept>

namespace hourglass::io {

RateLimiter::RateLimiter(std::size_t limit, Clock::duration window) : limit_(limit), window_(window) {
  if (limit_ == 0) throw std::invalid_argument("RateLimiter: the limit must be at least 1");
  if (window_ <= Clock::duration::zero()) throw std::invalid_argument("RateLimiter: the window must be positive");
}

RateLimiter::Clock::duration RateLimiter::wait_before(Clock::time_point now) const {
  if (in_window(now) < limit_) return Clock::duration::zero();
  // Full: the oldest of the last `limit_` events must leave the window. An
  // event at t counts in every window (s - window, s] with t in it.
  const Clock::time_point oldest = events_[events_.size() - limit_];
  return oldest + window_ - now;
}

void RateLimiter::record(Clock::time_point now) {
  events_.push_back(now);
  while (events_.size() > limit_) events_.pop_front();
}

std::size_t RateLimiter::in_window(Clock::time_point now) const {
  std::size_t n = 0;
  for (const Clock::time_point t : events_)
    if (now - t < window_) ++n;
  return n;
}

}  // namespace hourglass::io
