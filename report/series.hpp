// The data a report draws: per rule set, how one quantity evolved over world
// time. Values are step functions — a value holds until the next point — since
// the simulation changes state only at discrete firings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hourglass::report {

struct Point {
  std::int64_t time_ms;  // world time, ms since 1970-01-01T00:00:00Z (UTC)
  double value;
};

// One line of a chart; `label` names the rule set that produced it.
struct Series {
  std::string label;
  std::vector<Point> points;
  // Unset: the colour of the series' position in its chart (palette.hpp);
  // set: that position's, e.g. for a chart of one line among many.
  std::optional<std::size_t> colour = std::nullopt;
  // Optional, not owned (it must outlive the rendering): the series before
  // `points` were thinned for drawing. Hover values are read from it, so
  // that they are exact however few points are drawn.
  const std::vector<Point>* exact = nullptr;
};

struct ValueRange {
  double lo = 0;
  double hi = 0;
};

// A time axis shared by the charts of a report: from start_ms (day 0) to
// end_ms, labelled in days since the start (see day_ticks.hpp).
struct DayAxis {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

struct Chart {
  std::string title;
  std::string y_label;
  std::vector<Series> series;
  // true: each value holds until the next point (and the last one until the
  // end of the chart); false: straight segments between points.
  bool step = true;
  // Non-empty for categorical quantities (e.g. a structure's status): point
  // values are then indices into this list, and the y axis is labelled with
  // the names at 0..n-1 instead of numbers.
  std::vector<std::string> categories;
  // false: no legend of its own (the page has one shared legend), so the
  // chart keeps its height however many series it has.
  bool legend = true;
  // Set: the x axis is this range in days since its start, whatever the
  // series span (points outside it are drawn at its edge); unset: the
  // series' own span with UTC date/time ticks.
  std::optional<DayAxis> day_axis;
  // A logarithmic value axis with decade ticks (1, 10, 100, ...); values at
  // or below zero cannot be drawn on it and are skipped, and the chart says
  // how many. Ignored by categorical charts.
  bool log_scale = false;
  // Set: the value axis covers this range as well as the chart's own values
  // (charts side by side then share one scale).
  std::optional<ValueRange> value_range = std::nullopt;
  // A class attribute for the <svg> element, if not empty.
  std::string css_class = {};
};

}  // namespace hourglass::report
