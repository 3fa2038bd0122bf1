// What a time chart tells on hover: each line's value at regular instants of
// its day axis, embedded in the page as JSON for its small script
// (hover_script.hpp), so that hovering anywhere on a chart names the day, the
// UTC date and every line's value then.
#pragma once

#include <string>

#include "report/series.hpp"

namespace hourglass::report {

// At most this many instants per chart: a value every few pixels of a chart,
// and a 20-line chart's data stays a few kilobytes.
inline constexpr int kMaxHoverSamples = 200;

// {"start":S,"end":E,"step":T,"labels":[...],"categories":[...],"values":[...]}:
// instants S + k·T for k = 0..n (T the finest round step, 1 min ... days,
// that keeps n + 1 <= kMaxHoverSamples) up to E; per series (in order,
// labelled), a string of n + 1 comma-separated values: the value holding at
// that instant (the last point at or before it, read from Series::exact when
// set), "-" before the first point, and an empty field where it repeats the
// one before (step series mostly hold). Numbers are written in full up to
// 15 digits when whole, else to 6 significant digits; "categories" (for
// categorical charts) names the values. Text is escaped so that the JSON
// contains no '<', '>' or '&' and can sit in a <script> of an XHTML-clean page.
// Requires chart.day_axis.
std::string hover_data_json(const Chart& chart);

}  // namespace hourglass::report
