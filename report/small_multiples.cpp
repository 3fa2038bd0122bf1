#include "report/small_multiples.hpp"

#include <algorithm>

#include "report/svg_chart.hpp"

namespace hourglass::report {

std::string render_small_multiples(const Chart& chart) {
  std::optional<ValueRange> shared;
  for (const Series& series : chart.series)
    for (const Point& p : series.points) {
      if (!drawable_value(p.value, chart)) continue;
      if (!shared) shared = ValueRange{p.value, p.value};
      shared->lo = std::min(shared->lo, p.value);
      shared->hi = std::max(shared->hi, p.value);
    }
  std::string out = "<div class=\"multiples\">\n";
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
