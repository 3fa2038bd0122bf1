#include "report/small_multiples.hpp"

#include <algorithm>

#include "report/svg_chart.hpp"

namespace hourglass::report {
namespace {

constexpr std::size_t kAssumedColumns = 4;
constexpr std::size_t kGridGap = 8;  // the CSS grid's gap, 0.5rem

}  // namespace

std::string render_small_multiples(const Chart& chart) {
  std::optional<ValueRange> shared;
  for (const Series& series : chart.series)
    for (const Point& p : series.points) {
      if (!drawable_value(p.value, chart)) continue;
      if (!shared) shared = ValueRange{p.value, p.value};
      shared->lo = std::min(shared->lo, p.value);
      shared->hi = std::max(shared->hi, p.value);
    }
  // The browser skips drawing grids off screen (content-visibility, see
  // html_report.cpp), a page of 20-panel grids loads as fast as one of
  // single charts; meanwhile a grid holds the height of its rows at four
  // columns (a 1400 px page), which the browser corrects once drawn.
  const std::size_t rows = (chart.series.size() + kAssumedColumns - 1) / kAssumedColumns;
  const std::size_t height = rows * kPanelHeight + (rows > 0 ? rows - 1 : 0) * kGridGap;
  std::string out = "<div class=\"multiples\" style=\"contain-intrinsic-size: auto " + std::to_string(height) + "px\">\n";
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    Chart panel = chart;
    panel.title = chart.series[i].label;
    panel.y_label.clear();  // the figure's caption names the metric
    panel.series = {chart.series[i]};
    panel.series.front().colour = i;
    panel.legend = false;
    panel.value_range = shared;
    panel.css_class = "panel";
    out += render_line_chart(panel, kPanelWidth, kPanelHeight);
  }
  return out + "</div>\n";
}

}  // namespace hourglass::report
