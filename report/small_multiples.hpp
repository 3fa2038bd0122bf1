// Small multiples: one small chart per line of a time chart, on the same
// axes, for when a chart would hold too many lines to tell apart.
#pragma once

#include <string>

#include "report/series.hpp"

namespace hourglass::report {

inline constexpr int kPanelWidth = 300;
inline constexpr int kPanelHeight = 200;

// A <div class="multiples"> (a CSS grid that wraps to the page width; its
// style gives the height it will likely take, for content-visibility) of one
// <svg class="panel"> per series of `chart`, kPanelWidth × kPanelHeight,
// titled with the series' label, drawn in the series' colour (its position
// in `chart`), without a legend (the page's list of rule sets is the legend).
// Every panel has the chart's time axis and one value axis that covers
// every series, so that panels compare at a glance.
std::string render_small_multiples(const Chart& chart);

}  // namespace hourglass::report
