#include "report/sweep_chart.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/number_format.hpp"
#include "report/palette.hpp"
#include "report/value_ticks.hpp"
#include "report/xml_escape.hpp"

namespace hourglass::report {
namespace {

constexpr const char* kPass = "#1b7f3b";
constexpr const char* kFail = "#c5221f";
// Plot insets inside the fixed frame: title on top, tick labels left and below.
constexpr double kTop = 24, kLeft = 52, kRight = 12, kBottom = 36;
constexpr double kCell = 56, kCellHeight = 26, kRowHeader = 70, kColumnHeader = 40;

std::string n(double v) { return format_compact(v, 2); }

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// Maps a value onto [from, to] over the ticks' span.
double scale(double v, const ValueTicks& t, double from, double to) {
  const double lo = t.values.front(), hi = t.values.back();
  return hi == lo ? (from + to) / 2 : from + (v - lo) / (hi - lo) * (to - from);
}

std::string verdict_fill(Verdict v, std::size_t line) {
  if (v == Verdict::Pass) return std::string(" fill=\"") + kPass + "\"";
  if (v == Verdict::Fail) return std::string(" fill=\"") + kFail + "\"";
  return " fill=\"" + series_colour(line) + "\"";
}

}  // namespace

std::string short_number(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 1000) return format_fixed(value, 0);
  if (magnitude >= 10) return format_compact(value, 1);
  if (magnitude >= 0.01 || value == 0) return format_compact(value, 3);
  return format_general(value, 3);
}

std::string render_sweep_chart(const SweepChart& chart, int width, int height) {
  Range xs, ys;
  for (const SweepLine& line : chart.lines)
    for (const SweepPoint& p : line.points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) {
        xs.add(p.x);
        ys.add(p.y);
      }
  const double w = width, h = height, right = w - kRight, bottom = h - kBottom;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sweep-chart\" width=\"" + n(w) +
                    "\" height=\"" + n(h) + "\" viewBox=\"0 0 " + n(w) + " " + n(h) +
                    "\" font-family=\"sans-serif\" font-size=\"10\">\n<title>" + xml_escape(chart.title) + "</title>\n";
  out += "<rect width=\"" + n(w) + "\" height=\"" + n(h) + "\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"" + n(w / 2) + "\" y=\"14\" text-anchor=\"middle\" font-size=\"12\">" + xml_escape(chart.title) +
         "</text>\n";
  out += "<text x=\"" + n((kLeft + right) / 2) + "\" y=\"" + n(h - 4) + "\" text-anchor=\"middle\" fill=\"#555555\">" +
         xml_escape(chart.x_label) + "</text>\n";
  if (xs.empty()) {
    out += "<text x=\"" + n(w / 2) + "\" y=\"" + n(h / 2) + "\" text-anchor=\"middle\" fill=\"#777777\">No data</text>\n";
    return out + "</svg>\n";
  }
  const ValueTicks xt = nice_ticks(xs.lo, xs.hi, false), yt = nice_ticks(ys.lo, ys.hi, false);
  out += "<g stroke=\"#dddddd\">\n";
  for (const double v : yt.values) {
    const double y = scale(v, yt, bottom, kTop);
    out += "<line x1=\"" + n(kLeft) + "\" y1=\"" + n(y) + "\" x2=\"" + n(right) + "\" y2=\"" + n(y) + "\"/>\n";
  }
  out += "</g>\n<g fill=\"#333333\">\n";
  for (const double v : yt.values)
    out += "<text x=\"" + n(kLeft - 4) + "\" y=\"" + n(scale(v, yt, bottom, kTop) + 3) + "\" text-anchor=\"end\">" +
           xml_escape(format_tick_label(v, yt.exponent)) + "</text>\n";
  for (const double v : xt.values)
    out += "<text x=\"" + n(scale(v, xt, kLeft, right)) + "\" y=\"" + n(bottom + 13) + "\" text-anchor=\"middle\">" +
           xml_escape(format_tick_label(v, xt.exponent)) + "</text>\n";
  out += "</g>\n<path d=\"M" + n(kLeft) + " " + n(kTop) + "V" + n(bottom) + "H" + n(right) +
         "\" fill=\"none\" stroke=\"#888888\"/>\n";
  for (std::size_t i = 0; i < chart.lines.size(); ++i) {
    std::string d;
    std::string marks;
    for (const SweepPoint& p : chart.lines[i].points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const double x = scale(p.x, xt, kLeft, right), y = scale(p.y, yt, bottom, kTop);
      d += (d.empty() ? "M" : "L") + n(x) + " " + n(y);
      marks += "<circle cx=\"" + n(x) + "\" cy=\"" + n(y) + "\" r=\"3.5\"" + verdict_fill(p.verdict, i) +
               "><title>" + xml_escape(p.tip) + "</title></circle>\n";
    }
    if (!d.empty())
      out += "<path d=\"" + d + "\" fill=\"none\" stroke-width=\"1.5\"" + stroke_attributes(i) + "/>\n" + marks;
  }
  return out + "</svg>\n";
}

std::string render_heat_map(const HeatMap& map) {
  Range values;
  for (const auto& row : map.cells)
    for (const auto& cell : row)
      if (cell) values.add(*cell);
  const double w = kRowHeader + kCell * static_cast<double>(map.columns.size()) + 8;
  const double h = kColumnHeader + kCellHeight * static_cast<double>(map.rows.size()) + 8;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heat-map\" width=\"" + n(w) + "\" height=\"" +
                    n(h) + "\" font-family=\"sans-serif\" font-size=\"10\">\n<title>" + xml_escape(map.title) +
                    "</title>\n<text x=\"4\" y=\"12\" font-size=\"12\">" + xml_escape(map.title) + "</text>\n";
  out += "<text x=\"4\" y=\"" + n(kColumnHeader - 4) + "\" fill=\"#555555\">" + xml_escape(map.row_label) + " \u2193 " +
         xml_escape(map.column_label) + " \u2192</text>\n";
  for (std::size_t c = 0; c < map.columns.size(); ++c)
    out += "<text x=\"" + n(kRowHeader + kCell * (static_cast<double>(c) + 0.5)) + "\" y=\"" + n(kColumnHeader - 16) +
           "\" text-anchor=\"middle\">" + xml_escape(map.columns[c]) + "</text>\n";
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    const double y = kColumnHeader + kCellHeight * static_cast<double>(r);
    out += "<text x=\"" + n(kRowHeader - 4) + "\" y=\"" + n(y + kCellHeight / 2 + 3) + "\" text-anchor=\"end\">" +
           xml_escape(map.rows[r]) + "</text>\n";
    for (std::size_t c = 0; c < map.columns.size(); ++c) {
      const std::optional<double> v = r < map.cells.size() && c < map.cells[r].size() ? map.cells[r][c] : std::nullopt;
      const Verdict verdict = r < map.verdicts.size() && c < map.verdicts[r].size() ? map.verdicts[r][c] : Verdict::None;
      // Lightness 95% (lowest) to 35% (highest) of one blue hue.
      const double t = !v || values.empty() || values.hi == values.lo ? 0.5 : (*v - values.lo) / (values.hi - values.lo);
      const double lightness = 95 - 60 * t;
      const std::string fill = v ? "hsl(210,60%," + format_fixed(lightness, 0) + "%)" : "#f3f3f3";
      const std::string frame = verdict == Verdict::Pass ? kPass : verdict == Verdict::Fail ? kFail : "#ffffff";
      const std::string text = v ? short_number(*v) : "\u2013";
      const double x = kRowHeader + kCell * static_cast<double>(c);
      out += "<g><title>" + xml_escape(map.row_label + "=" + map.rows[r] + " " + map.column_label + "=" +
                                       map.columns[c] + ": " + text +
                                       (verdict == Verdict::Pass ? " (meets every goal)"
                                        : verdict == Verdict::Fail ? " (misses a goal)" : "")) +
             "</title><rect x=\"" + n(x + 1) + "\" y=\"" + n(y + 1) + "\" width=\"" + n(kCell - 2) + "\" height=\"" +
             n(kCellHeight - 2) + "\" fill=\"" + fill + "\" stroke=\"" + frame + "\" stroke-width=\"2\"/>" +
             "<text x=\"" + n(x + kCell / 2) + "\" y=\"" + n(y + kCellHeight / 2 + 3) + "\" text-anchor=\"middle\" fill=\"" +
             (lightness < 60 ? "#ffffff" : "#222222") + "\">" + xml_escape(text) + "</text></g>\n";
    }
  }
  return out + "</svg>\n";
}

}  // namespace hourglass::report
