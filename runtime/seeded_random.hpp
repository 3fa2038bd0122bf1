// A seeded random generator whose numbers are the same on every machine and
// standard library: std::mt19937_64 (its output is fixed by the standard)
// with our own uniform helpers (the standard distributions differ between
// libraries). Generated scenarios (`hourglass scenario generate`, the tests'
// property scenarios) are therefore a function of their seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace hourglass::runtime {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  std::uint64_t next() { return gen_(); }
  // Uniform in [lo, hi] (inclusive), without modulo bias.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability `p` (0..1), from 53 random bits.
  bool chance(double p);
  std::size_t index(std::size_t size) {
    return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(size) - 1));
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[index(v.size())];
  }
  // Fisher–Yates with our own uniform helper.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[index(i)]);
  }

 private:
  std::mt19937_64 gen_;
};

}  // namespace hourglass::runtime
