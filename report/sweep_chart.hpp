// Small charts of a sweep's outcomes against a swept parameter's value, and
// heat maps of an outcome over two swept parameters, as inline SVG. Built to
// stay readable with 20 variants: a fixed size, no legend of their own (the
// report shows one shared legend), each point's value on hover (an SVG
// <title>), and each point's goal verdict as its colour.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hourglass::report {

enum class Verdict { None, Pass, Fail };

struct SweepPoint {
  double x = 0;
  double y = 0;
  std::string tip;  // shown on hover, e.g. "populationGrowthRate=0.002 gold=4: 61.5"
  Verdict verdict = Verdict::None;
};

// One line per value of the other swept parameters (its colour by position,
// palette.hpp); points in x order.
struct SweepLine {
  std::string label;
  std::vector<SweepPoint> points;
};

struct SweepChart {
  std::string title;    // the outcome, e.g. "final population (mean)"
  std::string x_label;  // the swept path's short name
  std::vector<SweepLine> lines;
};

// A `width` × `height` <svg> (fixed: nothing grows). Points with a verdict are
// filled green (pass) or red (fail), the others in their line's colour.
// Non-finite values are skipped; with nothing to draw the plot says "No data".
std::string render_sweep_chart(const SweepChart& chart, int width = 320, int height = 200);

struct HeatMap {
  std::string title;                  // the outcome
  std::string row_label, column_label;
  std::vector<std::string> rows, columns;               // the parameters' values
  std::vector<std::vector<std::optional<double>>> cells;  // [row][column]; none: no value
  std::vector<std::vector<Verdict>> verdicts;             // optional, same shape
};

// A grid with one cell per (row, column), shaded from light (lowest) to dark
// (highest), its value written in it and on hover; a cell with a verdict gets
// a green or red frame.
std::string render_heat_map(const HeatMap& map);

// "61.5", "12346", "0.0012": a value as the charts and tips write it.
std::string short_number(double value);

}  // namespace hourglass::report
