#include <catch2/catch.hpp>

#include "report/sweep_chart.hpp"
#include "tests/report/xml_well_formed.hpp"

using namespace hourglass::report;
using hourglass::report::test::count_of;
using hourglass::report::test::xml_problem;

namespace {

// `lines` lines of five points each, the first line's points passing, the
// others failing.
SweepChart chart_with(std::size_t lines) {
  SweepChart c{"final population (mean)", "populationGrowthRate", {}};
  for (std::size_t l = 0; l < lines; ++l) {
    SweepLine line{"gold=" + std::to_string(l), {}};
    for (int i = 0; i < 5; ++i)
      line.points.push_back({0.001 + 0.0005 * i, 1000.0 * (i + 1) + l, "rate " + std::to_string(i) + " line " + std::to_string(l),
                             l == 0 ? Verdict::Pass : Verdict::Fail});
    c.lines.push_back(std::move(line));
  }
  return c;
}

}  // namespace

TEST_CASE("a sweep chart keeps its size however many lines it has", "[report][sweep]") {
  for (const std::size_t lines : {1, 20}) {
    const std::string svg = render_sweep_chart(chart_with(lines));
    INFO(xml_problem(svg));
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find("width=\"320\" height=\"200\"") != std::string::npos);
    CHECK(count_of(svg, "<circle") == 5 * lines);
    CHECK(count_of(svg, "<path d=\"M") == lines + 1);  // the lines and the axes
  }
}

TEST_CASE("a sweep chart's points carry their value on hover and their verdict as colour", "[report][sweep]") {
  const std::string svg = render_sweep_chart(chart_with(2));
  CHECK(svg.find("<title>rate 3 line 1</title>") != std::string::npos);
  CHECK(count_of(svg, "fill=\"#1b7f3b\"><title>") == 5);  // line 0 passes
  CHECK(count_of(svg, "fill=\"#c5221f\"><title>") == 5);  // line 1 fails
  CHECK(svg.find(">populationGrowthRate</text>") != std::string::npos);
  SweepChart plain = chart_with(1);
  for (SweepPoint& p : plain.lines[0].points) p.verdict = Verdict::None;
  CHECK(count_of(render_sweep_chart(plain), "fill=\"#0072B2\"><title>") == 5);  // the line's colour
}

TEST_CASE("a sweep chart without values says so", "[report][sweep]") {
  const std::string svg = render_sweep_chart({"lowest food", "rate", {{"all", {}}}});
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find(">No data</text>") != std::string::npos);
}

TEST_CASE("a heat map has a cell per pair of values, shaded, framed by verdict", "[report][sweep]") {
  HeatMap map;
  map.title = "day level 3 (mean)";
  map.row_label = "rate";
  map.column_label = "gold";
  map.rows = {"0.001", "0.002"};
  map.columns = {"2", "4", "6"};
  map.cells = {{10.0, 20.0, std::nullopt}, {30.0, 40.0, 50.0}};
  map.verdicts = {{Verdict::Pass, Verdict::Fail, Verdict::None}, {}};
  const std::string svg = render_heat_map(map);
  INFO(xml_problem(svg));
  CHECK(xml_problem(svg).empty());
  CHECK(count_of(svg, "<rect") == 6);
  CHECK(svg.find("<title>rate=0.001 gold=2: 10 (meets every goal)</title>") != std::string::npos);
  CHECK(svg.find("<title>rate=0.001 gold=4: 20 (misses a goal)</title>") != std::string::npos);
  CHECK(svg.find("<title>rate=0.001 gold=6: \u2013</title>") != std::string::npos);
  CHECK(svg.find("fill=\"hsl(210,60%,95%)\"") != std::string::npos);  // the lowest
  CHECK(svg.find("fill=\"hsl(210,60%,35%)\"") != std::string::npos);  // the highest
  CHECK(count_of(svg, "stroke=\"#1b7f3b\"") == 1);
  CHECK(count_of(svg, "stroke=\"#c5221f\"") == 1);
}
