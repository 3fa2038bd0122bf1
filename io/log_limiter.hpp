// Repeated log lines, limited: a flood of bad input must not become a line
// per message. Lines are grouped by a key the caller picks from a small fixed
// set (e.g. "refused input on worldTimeAdvanced"); per key at most
// `lines_per_interval` are written in each interval (the first line opens
// it), the rest are counted. The count is handed back once the interval is
// over — with the key's next line (admit) or by a periodic take_unreported —
// so the log ends up with one line saying how many were suppressed.
//
// Pure (the caller passes the time, so tests inject a clock) and
// thread-safe (one limiter may serve several threads). In io/ because it is a
// mechanism like RateLimiter and Backoff that actors/ and runtime/ both use;
// it writes nothing itself (io/ does not log), the caller does.
// Bounded: at most `max_keys` keys are tracked; a further key shares one
// overflow key, kOtherKey.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hourglass::io {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr const char* kOtherKey = "(other lines)";

  struct Verdict {
    bool write = false;           // write this line
    std::uint64_t suppressed = 0; // lines of this key suppressed in its interval that ended: say so first
  };
  struct Suppressed {
    std::string key;
    std::uint64_t count = 0;
  };

  // `lines_per_interval` >= 1, `interval` > 0, `max_keys` >= 1
  // (std::invalid_argument).
  LogLimiter(std::size_t lines_per_interval, Clock::duration interval, std::size_t max_keys = 64);

  // One line of `key` at `now`: whether to write it, and the count of its
  // key's last interval when that interval is over and had suppressed lines.
  Verdict admit(std::string_view key, Clock::time_point now);
  // The counts of every key whose interval is over at `now` and had
  // suppressed lines (each count is handed out once), in key order.
  std::vector<Suppressed> take_unreported(Clock::time_point now);
  // Some key has suppressed lines not yet handed out (its interval may still
  // be open): whoever calls take_unreported periodically should call again.
  bool pending() const;

  Clock::duration interval() const { return interval_; }
  std::size_t lines_per_interval() const { return lines_; }

 private:
  struct Window {
    Clock::time_point start;
    std::size_t written = 0;
    std::uint64_t suppressed = 0;
  };
  Window& window_of(std::string_view key);

  std::size_t lines_;
  Clock::duration interval_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace hourglass::io
