// Exponential backoff with jitter, for reconnects and retries: the delay
// doubles from `initial` up to `cap`; each delay is drawn uniformly from
// [delay * (1 - jitter), delay], so that many clients that failed together
// do not retry together. The generator is seeded, so tests are exact.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace hourglass::io {

class Backoff {
 public:
  using Millis = std::chrono::milliseconds;

  Backoff(Millis initial, Millis cap, double jitter = 0.2, std::uint64_t seed = 0x5eed)
      : initial_(initial), cap_(cap), jitter_(std::clamp(jitter, 0.0, 1.0)), state_(seed) {}

  // The delay before the next attempt; each call doubles the base delay.
  Millis next() {
    const Millis base = current_;
    current_ = std::min(cap_, current_ * 2);
    const double r = static_cast<double>(draw() >> 11) / 9007199254740992.0;  // [0, 1)
    const double factor = 1.0 - jitter_ * r;
    return Millis(static_cast<Millis::rep>(static_cast<double>(base.count()) * factor));
  }
  // After a success: start again from `initial`.
  void reset() { current_ = initial_; }
  Millis base() const { return current_; }

 private:
  std::uint64_t draw() {  // splitmix64
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  Millis initial_;
  Millis cap_;
  double jitter_;
  std::uint64_t state_;
  Millis current_ = initial_;
};

}  // namespace hourglass::io
