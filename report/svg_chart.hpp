// Line charts of world-time series as inline SVG, for HTML reports.
#pragma once

#include <string>

#include "report/series.hpp"

namespace hourglass::report {

// An <svg> element (with xmlns, so that it also stands alone as a file)
// drawing every series of `chart` as one <path> over world time: a y axis with
// nice ticks (or the chart's category names), an x axis with UTC date/time
// ticks, a legend and a <title> that names the chart for screen readers.
//
// A series keeps its colour by position (see palette.hpp). Series without a
// drawable point draw no path but stay in the legend, marked "(no data)";
// with no drawable point at all the plot says "No data". Points are drawn in
// time order; non-finite values and values beyond ±1e300 are skipped, times
// are clamped to JavaScript's Date range, and the time axis covers at least
// an hour, centred on data that spans less. Sizes below 240×160 are raised to it, and the height grows when
// the legend would squeeze the plot. Equal input gives a byte-identical string.
// Whether `value` is drawn on `chart`'s value axis (finite, within ±1e300,
// and above zero on a log scale).
bool drawable_value(double value, const Chart& chart);

std::string render_line_chart(const Chart& chart, int width = 640, int height = 280);

}  // namespace hourglass::report
