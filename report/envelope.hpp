// Fewer points, the same picture: within a slice of a series (a bucket of
// time, a pixel column) a line shows only where it enters, its lowest and
// highest value and where it leaves, so those four points are all it needs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

#include "report/series.hpp"

namespace hourglass::report {

// For each run of consecutive points that `slice_of(point)` maps to the same
// slice, the first, lowest, highest and last point, in their order (once each).
// Keeps the first and last points of the series; deterministic.
template <class SliceOf>
std::vector<Point> envelope(const std::vector<Point>& points, const SliceOf& slice_of) {
  std::vector<Point> out;
  std::size_t i = 0;
  while (i < points.size()) {
    const auto slice = slice_of(points[i]);
    std::size_t end = i, low = i, high = i;
    for (; end < points.size() && slice_of(points[end]) == slice; ++end) {
      if (points[end].value < points[low].value) low = end;
      if (points[end].value > points[high].value) high = end;
    }
    std::size_t keep[] = {i, low, high, end - 1};
    std::sort(std::begin(keep), std::end(keep));
    for (std::size_t k = 0; k < 4; ++k)
      if (k == 0 || keep[k] != keep[k - 1]) out.push_back(points[keep[k]]);
    i = end;
  }
  return out;
}

}  // namespace hourglass::report
