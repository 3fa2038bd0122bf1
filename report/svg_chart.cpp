#include "report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "report/day_ticks.hpp"
#include "report/envelope.hpp"
#include "report/number_format.hpp"
#include "report/palette.hpp"
#include "report/time_ticks.hpp"
#include "report/value_ticks.hpp"
#include "report/xml_escape.hpp"

namespace hourglass::report {
namespace {

constexpr double kMaxValueMagnitude = 1e300;
constexpr std::int64_t kMaxTimeMagnitude = 8'640'000'000'000'000;  // JavaScript's Date range
// World time advances by minutes; a shorter axis would have nothing to tick.
constexpr std::int64_t kMinTimeSpan = 3'600'000;

constexpr int kMinWidth = 240;
constexpr int kMinHeight = 160;
constexpr double kMinPlotHeight = 60;
constexpr double kFontSize = 11;
constexpr double kTitleFontSize = 14;
// SVG text cannot be measured without a font engine, so layout estimates
// sans-serif advances: capitals are wider than the rest.
constexpr double kCapitalWidth = 0.7 * kFontSize;
constexpr double kCharWidth = 0.56 * kFontSize;
constexpr double kBoldWidening = 1.1;
constexpr double kOuterMargin = 8;
constexpr double kTitleBand = 28;
constexpr double kRightMargin = 24;
constexpr double kYLabelBand = 18;
constexpr double kTickLength = 4;
constexpr double kAlignedPlotLeft = 72;
constexpr double kLabelGap = 4;
constexpr double kXLabelBand = 20;
constexpr double kXTitleBand = 14;  // "days since ..." under a day axis's labels
constexpr double kPixelsPerTimeTick = 100;
constexpr double kLegendRowHeight = 18;
constexpr double kLegendSwatchLength = 18;
constexpr double kLegendItemGap = 16;

std::string num(double v) { return format_compact(v, 2); }

double text_width(std::string_view text) {
  double width = 0;
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z')
      width += kCapitalWidth;
    else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)  // not a UTF-8 continuation byte
      width += kCharWidth;
  }
  return width;
}

// On a log scale, a value at or below zero becomes a gap in its line.
constexpr double kGap = std::numeric_limits<double>::quiet_NaN();

// The points of one series that can be drawn, in time order. On a log scale
// values at or below zero are gaps (kGap, counted in `skipped`) that break
// the line; a series of gaps only has nothing to draw.
std::vector<Point> drawable_points(const Series& series, bool log_scale, std::size_t& skipped) {
  std::vector<Point> points;
  bool any = false;
  for (const Point& p : series.points) {
    if (!std::isfinite(p.value) || std::abs(p.value) > kMaxValueMagnitude) continue;
    const bool gap = log_scale && p.value <= 0;
    skipped += gap ? 1 : 0;
    any = any || !gap;
    points.push_back({std::clamp(p.time_ms, -kMaxTimeMagnitude, kMaxTimeMagnitude), gap ? kGap : p.value});
  }
  if (!any) return {};
  std::stable_sort(points.begin(), points.end(),
                   [](const Point& a, const Point& b) { return a.time_ms < b.time_ms; });
  return points;
}

struct Extent {
  bool empty = true;
  std::int64_t time_lo = 0, time_hi = 0;
  double value_lo = 0, value_hi = 0;
  bool integral = true;  // every value is a whole number
};

// The chart's own range of times, or the day axis it was given (with the
// points clamped into it, so that nothing is drawn outside the plot).
Extent extent_of(std::vector<std::vector<Point>>& all_points, const std::optional<DayAxis>& day_axis,
                 const std::optional<ValueRange>& value_range) {
  Extent e;
  for (const auto& points : all_points) {
    for (const Point& p : points) {
      if (std::isnan(p.value)) continue;  // a gap
      if (e.empty) e = {false, p.time_ms, p.time_ms, p.value, p.value, true};
      e.time_lo = std::min(e.time_lo, p.time_ms);
      e.time_hi = std::max(e.time_hi, p.time_ms);
      e.value_lo = std::min(e.value_lo, p.value);
      e.value_hi = std::max(e.value_hi, p.value);
      e.integral = e.integral && p.value == std::floor(p.value);
    }
  }
  if (value_range && !e.empty) {
    e.value_lo = std::min(e.value_lo, value_range->lo);
    e.value_hi = std::max(e.value_hi, value_range->hi);
    e.integral = e.integral && value_range->lo == std::floor(value_range->lo) &&
                 value_range->hi == std::floor(value_range->hi);
  }
  if (day_axis && !e.empty) {
    e.time_lo = std::clamp(day_axis->start_ms, -kMaxTimeMagnitude, kMaxTimeMagnitude - kMinTimeSpan);
    e.time_hi = std::clamp(day_axis->end_ms, e.time_lo + kMinTimeSpan, kMaxTimeMagnitude);
    for (auto& points : all_points)
      for (Point& p : points) p.time_ms = std::clamp(p.time_ms, e.time_lo, e.time_hi);
    return e;
  }
  if (e.time_hi - e.time_lo < kMinTimeSpan) {  // centre short data on the shortest axis
    e.time_lo -= (kMinTimeSpan - (e.time_hi - e.time_lo)) / 2;
    e.time_hi = e.time_lo + kMinTimeSpan;
  }
  return e;
}

struct ValueAxis {
  double lo = 0, hi = 1;
  bool log = false;  // lo and hi are powers of ten, positions go by their logarithms
  std::vector<std::pair<double, std::string>> ticks;  // value, label
};

ValueAxis numeric_axis(const Extent& e) {
  const ValueTicks nice = nice_ticks(e.value_lo, e.value_hi, e.integral);
  ValueAxis axis{nice.values.front(), nice.values.back(), false, {}};
  for (const double v : nice.values) axis.ticks.emplace_back(v, format_tick_label(v, nice.exponent));
  return axis;
}

// Decades from the one below the lowest value to the one above the highest,
// every decade ticked, or every second, third... when there are more than
// kMaxDecadeTicks.
constexpr int kMaxDecadeTicks = 8;
ValueAxis log_axis(const Extent& e) {
  auto floor_div = [](int a, int b) { return a / b - (a % b != 0 && a < 0); };
  int lo = static_cast<int>(std::floor(std::log10(e.value_lo)));
  int hi = static_cast<int>(std::ceil(std::log10(e.value_hi)));
  if (hi == lo) ++hi;
  const int every = std::max(1, (hi - lo + kMaxDecadeTicks - 1) / kMaxDecadeTicks);
  lo = floor_div(lo, every) * every;
  hi = -floor_div(-hi, every) * every;
  ValueAxis axis{power_of_ten(lo), power_of_ten(hi), true, {}};
  for (int k = lo; k <= hi; k += every) axis.ticks.emplace_back(power_of_ten(k), format_tick_label(power_of_ten(k), k));
  return axis;
}

// Categories sit at 0..n-1 with half a category of room above and below;
// out-of-range values widen the axis rather than leave the plot.
ValueAxis category_axis(const std::vector<std::string>& categories, const Extent& e) {
  const double last = static_cast<double>(categories.size() - 1);
  ValueAxis axis{std::min(e.value_lo, 0.0) - 0.5, std::max(e.value_hi, last) + 0.5, false, {}};
  for (std::size_t i = 0; i < categories.size(); ++i)
    axis.ticks.emplace_back(static_cast<double>(i), categories[i]);
  return axis;
}

struct LegendItem {
  std::string text;
  double x;
  int row;
};

// Items flow left to right from `left`, wrapping before `right`.
std::vector<LegendItem> legend_items(const Chart& chart, const std::vector<std::vector<Point>>& all_points,
                                     double left, double right) {
  std::vector<LegendItem> items;
  if (!chart.legend) return items;  // the page shows one shared legend
  double x = left;
  int row = 0;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    std::string text = chart.series[i].label + (all_points[i].empty() ? " (no data)" : "");
    const double item_width = kLegendSwatchLength + kLabelGap + text_width(text);
    if (x > left && x + item_width > right) {
      x = left;
      ++row;
    }
    items.push_back({std::move(text), x, row});
    x += item_width + kLegendItemGap;
  }
  return items;
}

struct Frame {
  double width, height;
  double left, right, top, bottom;  // the plot area
  double legend_top;
};

class ChartWriter {
 public:
  ChartWriter(const Chart& chart, int width, int height)
      : chart_(chart), log_(chart.log_scale && chart.categories.empty()) {
    for (const Series& s : chart.series) points_.push_back(drawable_points(s, log_, skipped_));
    extent_ = extent_of(points_, chart.day_axis, chart.value_range);
    if (!extent_.empty)
      y_axis_ = !chart.categories.empty() ? category_axis(chart.categories, extent_)
                : log_                    ? log_axis(extent_)
                                          : numeric_axis(extent_);
    lay_out(std::max(width, kMinWidth), std::max(height, kMinHeight));
  }

  std::string write() {
    open_svg();
    write_grid_and_y_axis();
    write_x_axis();
    write_axes_and_titles();
    write_series();
    write_legend();
    write_skipped_note();
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  void lay_out(int width, int height) {
    double widest_label = 0;
    for (const auto& tick : y_axis_.ticks) widest_label = std::max(widest_label, text_width(tick.second));
    const double y_label_band = chart_.y_label.empty() ? 0 : kYLabelBand;
    double left = kOuterMargin + y_label_band + widest_label + kLabelGap + kTickLength;
    // Charts that share a day axis line up one above the other when their
    // plots start at the same x: one margin fits every numeric label up to
    // six characters ("0.0025", "-1.5M"); only wider ones (status names) widen it.
    if (chart_.day_axis) left = std::max(left, kAlignedPlotLeft);
    left = std::min(left, width / 2.0);
    const double right = width - kRightMargin;
    legend_ = legend_items(chart_, points_, left, right);
    const int legend_rows = legend_.empty() ? 0 : legend_.back().row + 1;
    const double x_band = kXLabelBand + (chart_.day_axis ? kXTitleBand : 0);
    const double bottom_band = x_band + legend_rows * kLegendRowHeight + kOuterMargin;
    const double svg_height = std::max<double>(height, kTitleBand + kMinPlotHeight + bottom_band);
    frame_ = {static_cast<double>(width), svg_height, left, right, kTitleBand,
              svg_height - bottom_band, svg_height - bottom_band + x_band};
  }

  double x_of(std::int64_t t) const {
    const double span = static_cast<double>(extent_.time_hi - extent_.time_lo);
    return frame_.left + static_cast<double>(t - extent_.time_lo) / span * (frame_.right - frame_.left);
  }
  double y_of(double v) const {
    const double share = y_axis_.log ? (std::log10(v) - std::log10(y_axis_.lo)) / (std::log10(y_axis_.hi) - std::log10(y_axis_.lo))
                                     : (v - y_axis_.lo) / (y_axis_.hi - y_axis_.lo);
    return frame_.bottom - share * (frame_.bottom - frame_.top);
  }

  // The title's size, smaller when a long title would overflow a narrow
  // chart (a small multiple titled with its rule set's label).
  double title_font_size() const {
    const double bold_title_width = text_width(chart_.title) * kTitleFontSize / kFontSize * kBoldWidening;
    const double room = frame_.width - 2 * kOuterMargin;
    return bold_title_width <= room ? kTitleFontSize : std::floor(kTitleFontSize * room / bold_title_width * 10) / 10;
  }

  // Where the plot is and which instants its edges are, for the page's hover
  // script (hover_script.hpp): charts on a day axis only.
  std::string hover_attributes() const {
    if (!chart_.day_axis || extent_.empty) return "";
    return " data-plot-left=\"" + num(frame_.left) + "\" data-plot-right=\"" + num(frame_.right) +
           "\" data-start=\"" + std::to_string(extent_.time_lo) + "\" data-end=\"" + std::to_string(extent_.time_hi) + "\"";
  }

  void open_svg() {
    const std::string w = num(frame_.width), h = num(frame_.height);
    const std::string css_class = chart_.css_class.empty() ? "" : "class=\"" + xml_escape(chart_.css_class) + "\" ";
    out_ += "<svg " + css_class + "xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
            "\" viewBox=\"0 0 " + w + " " + h + "\" role=\"img\" font-family=\"sans-serif\" font-size=\"" +
            num(kFontSize) + "\"" + hover_attributes() + ">\n";
    out_ += "<title>" + xml_escape(chart_.title.empty() ? "Chart" : chart_.title) + "</title>\n";
    // Opaque, so that a chart saved on its own reads on any viewer background.
    out_ += "<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
    if (!chart_.title.empty())
      out_ += "<text x=\"" + num(frame_.width / 2) + "\" y=\"18\" text-anchor=\"middle\" font-size=\"" +
              num(title_font_size()) + "\" font-weight=\"bold\">" + xml_escape(chart_.title) + "</text>\n";
  }

  void write_grid_and_y_axis() {
    if (y_axis_.ticks.empty()) return;
    out_ += "<g stroke=\"#e0e0e0\">\n";
    for (const auto& tick : y_axis_.ticks) {
      const std::string y = num(y_of(tick.first));
      out_ += "<line x1=\"" + num(frame_.left) + "\" y1=\"" + y + "\" x2=\"" + num(frame_.right) +
              "\" y2=\"" + y + "\"/>\n";
    }
    out_ += "</g>\n<g fill=\"#333333\" text-anchor=\"end\">\n";
    const std::string x = num(frame_.left - kTickLength - kLabelGap);
    for (const auto& tick : y_axis_.ticks)
      out_ += "<text x=\"" + x + "\" y=\"" + num(y_of(tick.first)) + "\" dy=\"0.32em\">" +
              xml_escape(tick.second) + "</text>\n";
    out_ += "</g>\n";
  }

  void write_x_axis() {
    if (extent_.empty) return;
    const int budget = static_cast<int>((frame_.right - frame_.left) / kPixelsPerTimeTick);
    std::vector<TimeTick> ticks;
    if (chart_.day_axis) {
      DayTicks days = day_ticks(extent_.time_lo, extent_.time_hi, budget);
      ticks = std::move(days.ticks);
      out_ += "<text x=\"" + num((frame_.left + frame_.right) / 2) + "\" y=\"" +
              num(frame_.bottom + kXLabelBand + kFontSize) + "\" text-anchor=\"middle\" fill=\"#555555\">" +
              xml_escape(days.title) + "</text>\n";
    } else {
      ticks = time_ticks(extent_.time_lo, extent_.time_hi, budget);
    }
    out_ += "<g stroke=\"#333333\">\n";
    for (const TimeTick& tick : ticks) {
      const std::string x = num(x_of(tick.time_ms));
      out_ += "<line x1=\"" + x + "\" y1=\"" + num(frame_.bottom) + "\" x2=\"" + x + "\" y2=\"" +
              num(frame_.bottom + kTickLength) + "\"/>\n";
    }
    out_ += "</g>\n<g fill=\"#333333\" text-anchor=\"middle\">\n";
    const std::string y = num(frame_.bottom + kTickLength + kFontSize + 2);
    for (const TimeTick& tick : ticks) {
      // Keep edge labels inside the image instead of centring them past it.
      const double half = text_width(tick.label) / 2;
      const double x = std::clamp(x_of(tick.time_ms), half, std::max(half, frame_.width - half));
      out_ += "<text x=\"" + num(x) + "\" y=\"" + y + "\">" + xml_escape(tick.label) + "</text>\n";
    }
    out_ += "</g>\n";
  }

  void write_axes_and_titles() {
    const std::string left = num(frame_.left), bottom = num(frame_.bottom);
    out_ += "<g stroke=\"#333333\">\n<line x1=\"" + left + "\" y1=\"" + num(frame_.top) + "\" x2=\"" + left +
            "\" y2=\"" + bottom + "\"/>\n<line x1=\"" + left + "\" y1=\"" + bottom + "\" x2=\"" +
            num(frame_.right) + "\" y2=\"" + bottom + "\"/>\n</g>\n";
    if (!chart_.y_label.empty())
      out_ += "<text transform=\"translate(" + num(kOuterMargin + kFontSize) + " " +
              num((frame_.top + frame_.bottom) / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
              xml_escape(chart_.y_label) + "</text>\n";
    if (extent_.empty)
      out_ += "<text x=\"" + num((frame_.left + frame_.right) / 2) + "\" y=\"" +
              num((frame_.top + frame_.bottom) / 2) + "\" text-anchor=\"middle\" fill=\"#777777\">No data</text>\n";
  }

  // One piece per run of points between gaps: a step value holds until the
  // gap, and the last one to the end of the chart. A lone point of a line
  // chart becomes a zero-length segment, which round caps draw as a dot.
  std::string path_data(const std::vector<Point>& all_points) const {
    // What shows at this size: the envelope of each half-pixel column (a
    // small multiple is a third as wide as the thinned series were drawn
    // for). Runs of gaps stay gaps.
    const std::vector<Point> points = envelope(all_points, [&](const Point& p) {
      return std::isnan(p.value) ? std::numeric_limits<std::int64_t>::min()
                                 : static_cast<std::int64_t>(std::floor((x_of(p.time_ms) - frame_.left) * 2));
    });
    std::string d;
    const Point* piece_start = nullptr;  // the first point of the open piece
    std::size_t piece_length = 0;
    auto close_piece = [&](const std::string& until) {
      if (chart_.step)
        d += " H" + until;
      else if (piece_length == 1)
        d += " L" + num(x_of(piece_start->time_ms)) + " " + num(y_of(piece_start->value));
      piece_start = nullptr;
    };
    for (const Point& p : points) {
      if (std::isnan(p.value)) {
        if (piece_start) close_piece(num(x_of(p.time_ms)));
        continue;
      }
      const std::string x = num(x_of(p.time_ms)), y = num(y_of(p.value));
      if (!piece_start) {
        d += (d.empty() ? "M" : " M") + x + " " + y;
        piece_start = &p;
        piece_length = 1;
        continue;
      }
      d += chart_.step ? " H" + x + " V" + y : " L" + x + " " + y;
      ++piece_length;
    }
    if (piece_start) close_piece(num(frame_.right));
    return d;
  }

  // What hovering a line tells besides its label: its last value, and for
  // numbers its lowest and highest ("; last 120, lowest 3, highest 140").
  std::string hover_values(const std::vector<Point>& points) const {
    auto text = [&](double v) {
      const auto index = static_cast<std::size_t>(v);
      if (!chart_.categories.empty()) return v >= 0 && index < chart_.categories.size() ? chart_.categories[index] : num(v);
      return format_general(v, 6);
    };
    double last = 0, lo = 0, hi = 0;
    bool first = true;
    for (const Point& p : points) {
      if (std::isnan(p.value)) continue;  // a gap of a log scale
      last = p.value;
      lo = first ? p.value : std::min(lo, p.value);
      hi = first ? p.value : std::max(hi, p.value);
      first = false;
    }
    std::string out = ": last " + text(last);
    if (!chart_.categories.empty()) return out;
    return out + ", lowest " + text(lo) + ", highest " + text(hi);
  }

  void write_series() {
    if (extent_.empty) return;
    out_ += "<g fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n";
    for (std::size_t i = 0; i < points_.size(); ++i) {
      if (points_[i].empty()) continue;
      out_ += "<path d=\"" + path_data(points_[i]) + "\"" + stroke_attributes(chart_.series[i].colour.value_or(i)) + "><title>" +
              xml_escape(chart_.series[i].label + hover_values(points_[i])) + "</title></path>\n";
    }
    out_ += "</g>\n";
  }

  void write_legend() {
    if (legend_.empty()) return;
    out_ += "<g fill=\"#333333\" stroke-width=\"2\">\n";
    for (std::size_t i = 0; i < legend_.size(); ++i) {
      const LegendItem& item = legend_[i];
      const double y = frame_.legend_top + (item.row + 0.5) * kLegendRowHeight;
      out_ += "<line x1=\"" + num(item.x) + "\" y1=\"" + num(y) + "\" x2=\"" +
              num(item.x + kLegendSwatchLength) + "\" y2=\"" + num(y) + "\"" +
              stroke_attributes(chart_.series[i].colour.value_or(i)) + "/>\n";
      out_ += "<text x=\"" + num(item.x + kLegendSwatchLength + kLabelGap) + "\" y=\"" + num(y) +
              "\" dy=\"0.32em\">" + xml_escape(item.text) + "</text>\n";
    }
    out_ += "</g>\n";
  }

  // "3 points ≤ 0 not drawn" in the plot's top right corner.
  void write_skipped_note() {
    if (skipped_ == 0) return;
    out_ += "<text x=\"" + num(frame_.right - kLabelGap) + "\" y=\"" + num(frame_.top + kFontSize + 2) +
            "\" text-anchor=\"end\" fill=\"#777777\">" + std::to_string(skipped_) +
            (skipped_ == 1 ? " point" : " points") + " \u2264 0 not drawn</text>\n";
  }

  const Chart& chart_;
  const bool log_;
  std::size_t skipped_ = 0;  // values a log scale cannot draw
  std::vector<std::vector<Point>> points_;  // drawable points, parallel to chart_.series
  Extent extent_;
  ValueAxis y_axis_;
  std::vector<LegendItem> legend_;
  Frame frame_{};
  std::string out_;
};

}  // namespace

bool drawable_value(double value, const Chart& chart) {
  return std::isfinite(value) && std::abs(value) <= kMaxValueMagnitude &&
         (value > 0 || !chart.log_scale || !chart.categories.empty());
}

std::string render_line_chart(const Chart& chart, int width, int height) {
  return ChartWriter(chart, width, height).write();
}

}  // namespace hourglass::report
