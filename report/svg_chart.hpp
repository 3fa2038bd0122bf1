// Line charts of world-time series as inline SVG, for HTML reports.
#pragma once

#include <string>

#include "report/series.hpp"

namespace hourglass::report {

// Whether `value` is drawn on `chart`'s value axis (finite, within ±1e300,
// and above zero on a log scale).
bool drawable_value(double value, const Chart& chart);

// An <svg> element (with xmlns, so that it also stands alone as a file)
// drawing every series of `chart` as one <path> over world time: a y axis with
// nice ticks (or the chart's category names, or decades on a log scale), an x
// axis with UTC date/time ticks (or, with a day axis, "day N" ticks from its
// start and a title naming the start's UTC date), a legend and a <title> that
// names the chart for screen readers.
//
// A series keeps its colour by position, or Series::colour (see palette.hpp).
// Series without a drawable point draw no path but stay in the legend, marked
// "(no data)"; with no drawable point at all the plot says "No data". Points
// are drawn in time order, only those that show at the chart's size (the
// first, lowest, highest and last of each half-pixel column); non-finite
// values and values beyond ±1e300 are skipped, on a log scale values at or
// below zero too (the line breaks there and the plot says how many), times
// are clamped to JavaScript's Date range, and the time axis covers at least
// an hour, centred on data that spans less. On a day axis the plot starts at
// the same x on every chart whose value labels fit six characters, and the
// <svg> carries data-plot-left/right and data-start/end for the page's hover
// script. Sizes below 240×160 are raised to it, the height grows when the
// legend would squeeze the plot, and a title too long for the width is set
// smaller. Equal input gives a byte-identical string.
std::string render_line_chart(const Chart& chart, int width = 640, int height = 280);

}  // namespace hourglass::report
