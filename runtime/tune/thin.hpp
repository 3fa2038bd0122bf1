// Fewer points for long step series: a year of hourly records is 8760 points
// per line, far more than a chart's few hundred pixels can show. Within each
// of `buckets` equal slices of the series' time span, only the first, lowest,
// highest and last points are kept, so the drawn envelope stays the same.
#pragma once

#include <cstddef>

#include "runtime/tune/timelines.hpp"

namespace hourglass::runtime::tune {

// Unchanged when it has at most 4 × buckets points. Keeps the first and last
// points of the series; deterministic.
Steps thin_steps(const Steps& steps, std::size_t buckets);

}  // namespace hourglass::runtime::tune
