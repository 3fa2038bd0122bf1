#include "io/log_limiter.hpp"

#include <stdexcept>

namespace hourglass::io {

LogLimiter::LogLimiter(std::size_t lines_per_interval, Clock::duration interval, std::size_t max_keys)
    : lines_(lines_per_interval), interval_(interval), max_keys_(max_keys) {
  if (lines_ == 0) throw std::invalid_argument("LogLimiter: at least one line per interval");
  if (interval_ <= Clock::duration::zero()) throw std::invalid_argument("LogLimiter: the interval must be positive");
  if (max_keys_ == 0) throw std::invalid_argument("LogLimiter: at least one key");
}

LogLimiter::Window& LogLimiter::window_of(std::string_view key) {
  if (auto it = windows_.find(key); it != windows_.end()) return it->second;
  // The overflow key is kept beyond max_keys_: the map holds max_keys_ + 1 at most.
  const std::string_view k = windows_.size() < max_keys_ ? key : std::string_view(kOtherKey);
  auto [it, fresh] = windows_.try_emplace(std::string(k));
  if (fresh) it->second.start = Clock::time_point::min();  // no interval open yet
  return it->second;
}

LogLimiter::Verdict LogLimiter::admit(std::string_view key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  Window& w = window_of(key);
  Verdict v;
  if (w.start == Clock::time_point::min() || now - w.start >= interval_) {
    v.suppressed = w.suppressed;  // the interval that ended
    w = Window{now, 0, 0};
  }
  if (w.written < lines_) {
    ++w.written;
    v.write = true;
  } else {
    ++w.suppressed;
  }
  return v;
}

std::vector<LogLimiter::Suppressed> LogLimiter::take_unreported(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Suppressed> out;
  for (auto& [key, w] : windows_) {
    if (w.suppressed == 0 || now - w.start < interval_) continue;
    out.push_back({key, w.suppressed});
    // The interval is over and told: the key's next line opens a new one.
    w = Window{Clock::time_point::min(), 0, 0};
  }
  return out;
}

bool LogLimiter::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, w] : windows_)
    if (w.suppressed > 0) return true;
  return false;
}

}  // namespace hourglass::io
