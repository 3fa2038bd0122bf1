// Nearest-rank percentiles of a sample (the p-th percentile is the smallest
// value with at least p% of the sample at or below it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace hourglass::bench {

struct Percentiles {
  std::size_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

inline Percentiles percentiles(std::vector<double> sample) {
  Percentiles p;
  p.count = sample.size();
  if (sample.empty()) return p;
  std::sort(sample.begin(), sample.end());
  auto rank = [&](double q) {
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sample.size())));
    return sample[std::clamp<std::size_t>(k, 1, sample.size()) - 1];
  };
  p.p50 = rank(0.50);
  p.p95 = rank(0.95);
  p.p99 = rank(0.99);
  p.max = sample.back();
  return p;
}

}  // namespace hourglass::bench
