// The report's time charts: x axes in days since the start of the run, the
// same range on every chart of a report.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "report/day_ticks.hpp"
#include "report/html_report.hpp"
#include "report/svg_chart.hpp"
#include "tests/report/xml_well_formed.hpp"

using namespace hourglass::report;
using hourglass::report::test::count_of;
using hourglass::report::test::xml_problem;

namespace {

constexpr std::int64_t kMarch1 = 1'709'251'200'000;  // 2024-03-01T00:00:00Z
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

std::vector<std::string> labels_of(const DayTicks& ticks) {
  std::vector<std::string> labels;
  for (const TimeTick& t : ticks.ticks) labels.push_back(t.label);
  return labels;
}

// Each <text> element's content with its x attribute, in document order.
std::vector<std::pair<std::string, std::string>> texts_with_x(const std::string& svg) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t at = svg.find("<text x=\""); at != std::string::npos; at = svg.find("<text x=\"", at + 1)) {
    const std::size_t x = at + 9;
    const std::size_t start = svg.find('>', at) + 1;
    out.emplace_back(svg.substr(start, svg.find("</text>", start) - start), svg.substr(x, svg.find('"', x) - x));
  }
  return out;
}

// The x of every "day N" / "N h" tick label of a chart.
std::map<std::string, std::string> day_tick_xs(const std::string& svg) {
  std::map<std::string, std::string> out;
  for (const auto& [text, x] : texts_with_x(svg))
    if (text.rfind("day ", 0) == 0 || (text.size() > 2 && text.compare(text.size() - 2, 2, " h") == 0)) out[text] = x;
  return out;
}

// The <figure>s of a report, in order.
std::vector<std::string> figures(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<figure class=\"chart\""); at != std::string::npos;
       at = html.find("<figure class=\"chart\"", at + 1))
    out.push_back(html.substr(at, html.find("</figure>", at) - at));
  return out;
}

}  // namespace

TEST_CASE("day ticks for a span of hours count hours from the start", "[report][days]") {
  const DayTicks ticks = day_ticks(kMarch1 + 7 * kHour, kMarch1 + 12 * kHour, 6);
  CHECK(labels_of(ticks) == std::vector<std::string>{"0 h", "1 h", "2 h", "3 h", "4 h", "5 h"});
  CHECK(ticks.ticks.front().time_ms == kMarch1 + 7 * kHour);
  CHECK(ticks.title == "hours since 2024-03-01 07:00 UTC");
}

TEST_CASE("day ticks for a few days use fractions of a day", "[report][days]") {
  const DayTicks ticks = day_ticks(kMarch1, kMarch1 + 3 * kDay, 8);
  CHECK(labels_of(ticks) == std::vector<std::string>{"day 0", "day 0.5", "day 1", "day 1.5", "day 2", "day 2.5", "day 3"});
  CHECK(ticks.title == "days since 2024-03-01 00:00 UTC");
  CHECK(labels_of(day_ticks(kMarch1, kMarch1 + 1 * kDay, 5)) ==
        std::vector<std::string>{"day 0", "day 0.25", "day 0.5", "day 0.75", "day 1"});
}

TEST_CASE("day ticks for 90 days and a year take round steps of days", "[report][days]") {
  CHECK(labels_of(day_ticks(kMarch1, kMarch1 + 90 * kDay, 6)) ==
        std::vector<std::string>{"day 0", "day 30", "day 60", "day 90"});
  CHECK(labels_of(day_ticks(kMarch1, kMarch1 + 90 * kDay, 10)) ==
        std::vector<std::string>{"day 0", "day 10", "day 20", "day 30", "day 40", "day 50", "day 60", "day 70",
                                 "day 80", "day 90"});
  const DayTicks year = day_ticks(kMarch1 + 5 * kHour, kMarch1 + 5 * kHour + 365 * kDay, 10);
  CHECK(labels_of(year) == std::vector<std::string>{"day 0", "day 60", "day 120", "day 180", "day 240", "day 300", "day 360"});
  CHECK(year.ticks[1].time_ms == kMarch1 + 5 * kHour + 60 * kDay);  // counted from the start, not from midnight
  const DayTicks decade = day_ticks(kMarch1, kMarch1 + 3650 * kDay, 6);
  CHECK(labels_of(decade) == std::vector<std::string>{"day 0", "day 730", "day 1460", "day 2190", "day 2920", "day 3650"});
}

TEST_CASE("day ticks are never too many and never none", "[report][days]") {
  for (const std::int64_t span : {std::int64_t{0}, kHour, 5 * kHour, 40 * kHour, 9 * kDay, 400 * kDay, 40000 * kDay}) {
    for (const int budget : {0, 4, 7, 12}) {
      INFO(span << " ms, budget " << budget);
      const DayTicks ticks = day_ticks(kMarch1, kMarch1 + span, budget);
      REQUIRE(!ticks.ticks.empty());
      CHECK(ticks.ticks.size() <= static_cast<std::size_t>(std::max(budget, 4)));
      CHECK(ticks.ticks.front().time_ms == kMarch1);
      CHECK(ticks.ticks.back().time_ms <= kMarch1 + span);
    }
  }
}

TEST_CASE("an instant on hover is its day and its UTC date", "[report][days]") {
  CHECK(day_and_date(kMarch1 + 12 * kDay + 6 * kHour, kMarch1) == "day 12.25 (2024-03-13 06:00 UTC)");
  CHECK(day_and_date(kMarch1 + 30 * kDay, kMarch1) == "day 30 (2024-03-31 00:00 UTC)");
}

TEST_CASE("a chart with a day axis spans that axis, not its data", "[report][days]") {
  Chart chart{"Food", "food", {{"a", {{kMarch1 + 10 * kDay, 5}, {kMarch1 + 20 * kDay, 7}}}}, true, {}};
  chart.day_axis = DayAxis{kMarch1, kMarch1 + 90 * kDay};
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  const auto xs = day_tick_xs(svg);
  CHECK(xs.count("day 0") == 1);
  CHECK(xs.count("day 90") == 1);
  CHECK(svg.find(">days since 2024-03-01 00:00 UTC</text>") != std::string::npos);
}

TEST_CASE("every time chart of a report has the same x range, in days since the start", "[report][days]") {
  ReportInput input;
  input.labels = {"a", "b"};
  Chart early{"Food", "food", {{"a", {{kMarch1, 1}, {kMarch1 + 10 * kDay, 2}}}}, true, {}};
  // Wide value labels ("100k") beside narrow ones ("3") do not shift the plot.
  Chart late{"Gold", "gold", {{"b", {{kMarch1 + 40 * kDay, 1}, {kMarch1 + 90 * kDay, 99000}}}}, true, {}};
  input.sections.push_back({"s1", {early}});
  input.sections.push_back({"s2", {late}});
  const std::string html = render_html_report(input);
  CHECK(xml_problem(html).empty());
  const std::vector<std::string> charts = figures(html);
  REQUIRE(charts.size() == 2);
  const auto first = day_tick_xs(charts[0]);
  CHECK(first.count("day 0") == 1);
  CHECK(first.count("day 90") == 1);
  CHECK(first == day_tick_xs(charts[1]));  // the same ticks at the same places
  CHECK(count_of(html, ">days since 2024-03-01 00:00 UTC</text>") == 2);

  // Day 0 is the run's start when the report knows it, before any point.
  input.start_ms = kMarch1 - 10 * kDay;
  const std::string from_start = render_html_report(input);
  CHECK(count_of(from_start, ">days since 2024-02-20 00:00 UTC</text>") == 2);
  const auto shifted = day_tick_xs(figures(from_start)[0]);
  CHECK(shifted.count("day 90") == 1);  // 2024-05-20; the run ends on day 100
  CHECK(shifted.at("day 30") != first.at("day 30"));  // the axis starts 10 days before the first point
  CHECK(shifted == day_tick_xs(figures(from_start)[1]));
}

TEST_CASE("a log scale has decade ticks over the positive values", "[report][log]") {
  Chart chart{"Population", "people", {{"a", {{kMarch1, 3}, {kMarch1 + kDay, 40}, {kMarch1 + 2 * kDay, 2500}}}}, true, {}};
  chart.log_scale = true;
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  std::vector<std::string> labels;
  for (const auto& [text, x] : texts_with_x(svg)) labels.push_back(text);
  for (const char* decade : {"1", "10", "100", "1k", "10k"}) CHECK(std::count(labels.begin(), labels.end(), decade) == 1);
  CHECK(std::count(labels.begin(), labels.end(), "2000") == 0);  // no linear ticks
  CHECK(svg.find("not drawn") == std::string::npos);
  // Decades are evenly spaced: 10 lies as far above 1 as 100 above 10.
  std::map<std::string, double> y;
  for (std::size_t at = svg.find("dy=\"0.32em\">"); at != std::string::npos; at = svg.find("dy=\"0.32em\">", at + 1)) {
    const std::size_t y_at = svg.rfind(" y=\"", at) + 4;
    const std::size_t start = at + 12;
    y[svg.substr(start, svg.find('<', start) - start)] = std::stod(svg.substr(y_at));
  }
  REQUIRE(y.count("1") == 1);
  CHECK(y["1"] - y["10"] == Approx(y["10"] - y["100"]).margin(0.02));
  CHECK(y["1"] > y["10"]);
}

TEST_CASE("a log scale skips values at or below zero and says how many", "[report][log]") {
  Chart chart{"Food", "food", {{"a", {{kMarch1, 5}, {kMarch1 + kDay, 0}, {kMarch1 + 2 * kDay, 50}}},
                               {"b", {{kMarch1, -2}, {kMarch1 + kDay, 0}}}}, true, {}};
  chart.log_scale = true;
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find(">3 points \u2264 0 not drawn</text>") != std::string::npos);
  // Series a is broken where it was 0: two pieces, each starting with a move.
  const std::size_t a = svg.find("<path d=\"");
  REQUIRE(a != std::string::npos);
  const std::string d = svg.substr(a, svg.find('"', a + 9) - a);
  CHECK(count_of(d, "M") == 2);
  CHECK(count_of(svg, "<path d=") == 1);  // b has nothing to draw
  chart.series.pop_back();
  CHECK(render_line_chart(chart).find(">1 point \u2264 0 not drawn</text>") != std::string::npos);
}

TEST_CASE("a log scale of only non-positive values draws nothing and says so", "[report][log]") {
  Chart chart{"Food", "food", {{"a", {{kMarch1, 0}, {kMarch1 + kDay, 0}}}}, true, {}};
  chart.log_scale = true;
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find(">No data</text>") != std::string::npos);
  CHECK(svg.find(">2 points \u2264 0 not drawn</text>") != std::string::npos);
}

TEST_CASE("categorical charts ignore the log scale", "[report][log]") {
  Chart chart{"Status", "status", {{"a", {{kMarch1, 0}, {kMarch1 + kDay, 2}}}}, true, {"A", "B", "C"}};
  chart.log_scale = true;
  const std::string svg = render_line_chart(chart);
  CHECK(svg.find("not drawn") == std::string::npos);
  CHECK(svg.find(">C</text>") != std::string::npos);
}

TEST_CASE("with --log-scale the report carries both scales and a toggle", "[report][log]") {
  ReportInput input;
  input.labels = {"a"};
  Chart numbers{"Food", "food", {{"a", {{kMarch1, 1}, {kMarch1 + 10 * kDay, 200}}}}, true, {}};
  Chart status{"Status", "status", {{"a", {{kMarch1, 0}}}}, true, {"A", "B"}};
  input.sections.push_back({"s1", {numbers, status}});
  const std::string linear = render_html_report(input);
  CHECK(linear.find("log-scale") == std::string::npos);
  input.log_scale = true;
  const std::string both = render_html_report(input);
  CHECK(xml_problem(both).empty());
  CHECK(count_of(both, "<input type=\"checkbox\" id=\"log-scale\" checked=\"checked\"/>") == 1);
  CHECK(count_of(both, "<div class=\"scale-log\">") == 1);     // the numeric chart only
  CHECK(count_of(both, "<div class=\"scale-linear\">") == 1);
  CHECK(count_of(both, "<svg ") == count_of(linear, "<svg ") + 1);
  CHECK(both.find(">100</text>") != std::string::npos);  // a decade tick
}

namespace {

// A chart of `n` rule sets, rule set i at i + 1 then (i + 1) * 10.
ReportInput many_rule_sets(int n) {
  ReportInput input;
  Chart chart{"Population", "people", {}, true, {}};
  for (int i = 0; i < n; ++i) {
    input.labels.push_back("scenario settlement.populationGrowthRate=0.00" + std::to_string(i));
    input.short_labels.push_back("rate=0.00" + std::to_string(i));
    chart.series.push_back({input.labels.back(), {{kMarch1, i + 1.0}, {kMarch1 + 5 * kDay * (i + 1), (i + 1) * 10.0}}});
  }
  input.sections.push_back({"s1", {chart}});
  return input;
}

// The y axis labels of a chart (the <text> elements anchored at their end).
std::vector<std::string> y_tick_labels(const std::string& svg) {
  const std::size_t group = svg.find("text-anchor=\"end\">");
  std::vector<std::string> out;
  if (group == std::string::npos) return out;
  const std::string ys = svg.substr(group, svg.find("</g>", group) - group);
  for (const auto& [text, x] : texts_with_x(ys)) out.push_back(text);
  return out;
}

std::vector<std::string> panels(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<svg class=\"panel\""); at != std::string::npos; at = html.find("<svg class=\"panel\"", at + 1))
    out.push_back(html.substr(at, html.find("</svg>", at) - at));
  return out;
}

}  // namespace

TEST_CASE("with more than 6 rule sets a metric is a grid of small charts on the same axes", "[report][multiples]") {
  const std::string html = render_html_report(many_rule_sets(12));
  CHECK(xml_problem(html).empty());
  CHECK(count_of(html, "<div class=\"multiples\" style=\"contain-intrinsic-size: auto 616px\">") == 1);  // 3 rows
  CHECK(count_of(html, "<figcaption>Population</figcaption>") == 1);
  const std::vector<std::string> grid = panels(html);
  REQUIRE(grid.size() == 12);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    INFO("panel " << i);
    CHECK(grid[i].find("width=\"300\" height=\"200\"") != std::string::npos);  // a fixed size
    CHECK(grid[i].find(">rate=0.00" + std::to_string(i) + "</text>") != std::string::npos);  // its short label as title
    CHECK(count_of(grid[i], "<path d=") == 1);
    CHECK(y_tick_labels(grid[i]) == y_tick_labels(grid[0]));  // one value scale
    CHECK(day_tick_xs(grid[i]) == day_tick_xs(grid[0]));      // one time range
  }
  CHECK(y_tick_labels(grid[0]).back() == "150");  // the scale of the highest line (120), on every panel
  CHECK(day_tick_xs(grid[0]).count("day 60") == 1);
  CHECK(grid[4].find("stroke=\"#CC79A7\"") != std::string::npos);  // each keeps its colour (the 5th)
  CHECK(count_of(html, "dy=\"0.32em\">rate=0.0011<") == 0);  // no legend in the panels:
  CHECK(count_of(html, "</svg>rate=0.0011 <span") == 1);     // the list at the top is the one legend
}

TEST_CASE("with 6 rule sets or fewer a metric stays one chart", "[report][multiples]") {
  const std::string html = render_html_report(many_rule_sets(6));
  CHECK(html.find("<div class=\"multiples\"") == std::string::npos);
  CHECK(panels(html).empty());
  CHECK(count_of(html, "<path d=") == 6);
}

namespace {

// The hover data of each figure: {"start":..,"end":..,"step":..,"labels":[..],"values":["v,,v", ..]}.
std::vector<std::string> hover_data(const std::string& html) {
  std::vector<std::string> out;
  const std::string open = "<script type=\"application/json\" class=\"hover-data\">";
  for (std::size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const std::size_t start = at + open.size();
    out.push_back(html.substr(start, html.find("</script>", start) - start));
  }
  return out;
}

std::int64_t number_after(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\":");
  REQUIRE(at != std::string::npos);
  return std::stoll(json.substr(at + key.size() + 3));
}

// The samples of series `index`, decoded: an empty field repeats the one before.
std::vector<std::string> samples(const std::string& json, std::size_t index) {
  std::size_t at = json.find("\"values\":[\"");
  REQUIRE(at != std::string::npos);
  at += 11;
  for (std::size_t i = 0; i < index; ++i) at = json.find("\",\"", at) + 3;
  const std::string text = json.substr(at, json.find('"', at) - at);
  std::vector<std::string> out;
  std::string field, last;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      if (!field.empty()) last = field;
      out.push_back(last);
      field.clear();
    } else {
      field += text[i];
    }
  }
  return out;
}

ReportInput two_lines() {
  ReportInput input;
  input.labels = {"slow", "fast"};
  Chart food{"Food", "food", {}, true, {}};
  food.series.push_back({"slow", {{kMarch1, 1}, {kMarch1 + kDay, 5}, {kMarch1 + 5 * kDay / 2, 7.25}}});
  food.series.push_back({"fast", {{kMarch1 + 2 * kDay, 40}, {kMarch1 + 3 * kDay, 41}}});
  Chart status{"Status", "status", {{"slow", {{kMarch1, 0}, {kMarch1 + kDay, 1}}}}, true, {"BUILDING", "ACTIVE"}};
  input.sections.push_back({"s1", {food, status}});
  return input;
}

}  // namespace

TEST_CASE("a time chart carries each line's value at regular instants for hover", "[report][hover]") {
  const std::string html = render_html_report(two_lines());
  CHECK(xml_problem(html).empty());
  const std::vector<std::string> data = hover_data(html);
  REQUIRE(data.size() == 2);  // one per figure
  const std::string& food = data[0];
  CHECK(number_after(food, "start") == kMarch1);
  CHECK(number_after(food, "end") == kMarch1 + 3 * kDay);
  CHECK(number_after(food, "step") == 30 * 60'000);  // the finest round step within 200 samples: 145 of them
  CHECK(food.find("\"labels\":[\"slow\",\"fast\"]") != std::string::npos);
  const std::vector<std::string> slow = samples(food, 0), fast = samples(food, 1);
  REQUIRE(slow.size() == 145);
  REQUIRE(fast.size() == 145);
  CHECK(slow[0] == "1");
  CHECK(slow[47] == "1");    // day 0.98
  CHECK(slow[48] == "5");    // day 1: the value that changed at that instant
  CHECK(slow[120] == "7.25");
  CHECK(slow[144] == "7.25");  // held to the end
  CHECK(fast[95] == "-");    // before its first point: no value
  CHECK(fast[96] == "40");
  CHECK(fast[144] == "41");
  const std::string& status = data[1];
  CHECK(status.find("\"categories\":[\"BUILDING\",\"ACTIVE\"]") != std::string::npos);
  CHECK(samples(status, 0)[48] == "1");
  CHECK(samples(status, 1)[0] == "-");  // "fast" has no status line
}

TEST_CASE("hover values come from the unthinned series when there is one", "[report][hover]") {
  ReportInput input = two_lines();
  const std::vector<Point> exact = {{kMarch1, 1}, {kMarch1 + kDay, 9}, {kMarch1 + 2 * kDay, 1}};
  input.sections[0].charts[0].series[0].points = {{kMarch1, 1}, {kMarch1 + 2 * kDay, 1}};
  input.sections[0].charts[0].series[0].exact = &exact;
  CHECK(samples(hover_data(render_html_report(input))[0], 0)[48] == "9");
}

TEST_CASE("hover needs the plot's edges and one small script, and keeps labels inert", "[report][hover]") {
  ReportInput input = two_lines();
  input.labels = {"<b>slow</b> & \"co\"", "fast"};
  input.sections[0].charts[0].series[0].label = input.labels[0];
  const std::string html = render_html_report(input);
  CHECK(xml_problem(html).empty());
  CHECK(count_of(html, "data-plot-left=\"") == 2);
  CHECK(count_of(html, "data-plot-right=\"") == 2);
  CHECK(count_of(html, "<script>") == 1);  // the behaviour, once
  CHECK(count_of(html, "<div id=\"hover-tip\"") == 1);
  CHECK(hover_data(html)[0].find("\"\\u003cb\\u003eslow\\u003c/b\\u003e \\u0026 \\\"co\\\"\"") != std::string::npos);
  ReportInput none;
  CHECK(render_html_report(none).find("<script") == std::string::npos);  // no chart, no script
}

TEST_CASE("a path keeps only what shows at its size, spikes included", "[report][multiples]") {
  Chart chart{"Food", "food", {{"a", {}}}, true, {}};
  for (int i = 0; i < 20000; ++i)  // a value every 6.5 minutes for 90 days, 0..6 and one spike
    chart.series[0].points.push_back({kMarch1 + i * 390'000LL, i == 12345 ? 100.0 : i % 7});
  chart.day_axis = DayAxis{kMarch1, kMarch1 + 90 * kDay};
  const std::string svg = render_line_chart(chart, 300, 200);
  const std::size_t at = svg.find("<path d=\"");
  REQUIRE(at != std::string::npos);
  const std::string d = svg.substr(at, svg.find('"', at + 9) - at);
  // At most first, lowest, highest and last of each half-pixel column of a
  // plot narrower than 300 px.
  CHECK(count_of(d, "V") <= 4 * 2 * 300);
  CHECK(count_of(d, "V") >= 2 * 200);  // and still every column's low and high
  CHECK(svg.find("highest 100") != std::string::npos);
  CHECK(d.find(" V28") != std::string::npos);  // the spike reaches the top of the plot (y 28)
}
