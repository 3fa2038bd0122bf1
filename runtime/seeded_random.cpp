#include "runtime/seeded_random.hpp"

#include <limits>

namespace hourglass::runtime {

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == std::numeric_limits<std::uint64_t>::max())
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + gen_());
  const std::uint64_t range = span + 1;
  // Reject the top partial bucket so that every value is equally likely.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t x;
  do x = gen_();
  while (x >= limit);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + x % range);
}

bool Rng::chance(double p) {
  const double u = static_cast<double>(gen_() >> 11) * (1.0 / 9007199254740992.0);  // [0,1)
  return u < p;
}

}  // namespace hourglass::runtime
