#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "report/svg_chart.hpp"
#include "report/time_ticks.hpp"
#include "report/value_ticks.hpp"
#include "tests/report/xml_well_formed.hpp"

using namespace hourglass::report;
using hourglass::report::test::count_of;
using hourglass::report::test::xml_problem;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

// World time from a UTC calendar date, via the C library rather than the
// code under test.
std::int64_t utc_ms(int year, int month, int day, int hour = 0, int minute = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

const std::int64_t kMarch1 = utc_ms(2024, 3, 1);

Series series(std::string label, std::vector<Point> points) { return {std::move(label), std::move(points)}; }

Chart three_rule_sets() {
  Chart chart{"Population", "people", {}, true, {}};
  chart.series.push_back(series("baseline", {{kMarch1, 10}, {kMarch1 + 30 * kHour, 14}, {kMarch1 + 70 * kHour, 23}}));
  chart.series.push_back(series("fast growth", {{kMarch1, 10}, {kMarch1 + 20 * kHour, 40}, {kMarch1 + 60 * kHour, 97}}));
  chart.series.push_back(series("harsh winter", {{kMarch1, 10}, {kMarch1 + 50 * kHour, 8}}));
  return chart;
}

// Each value of `attribute` on elements named `element`, in document order.
std::vector<std::string> attribute_values(const std::string& svg, const std::string& element,
                                          const std::string& attribute) {
  std::vector<std::string> values;
  for (std::size_t at = svg.find("<" + element + " "); at != std::string::npos;
       at = svg.find("<" + element + " ", at + 1)) {
    const std::size_t tag_end = svg.find('>', at);
    const std::size_t start = svg.find(" " + attribute + "=\"", at);
    if (start == std::string::npos || start > tag_end) continue;
    const std::size_t value_start = start + attribute.size() + 3;
    values.push_back(svg.substr(value_start, svg.find('"', value_start) - value_start));
  }
  return values;
}

// The contents of every <text> element.
std::vector<std::string> texts(const std::string& svg) {
  std::vector<std::string> contents;
  for (std::size_t at = svg.find("<text "); at != std::string::npos; at = svg.find("<text ", at + 1)) {
    const std::size_t start = svg.find('>', at) + 1;
    contents.push_back(svg.substr(start, svg.find("</text>", start) - start));
  }
  return contents;
}

bool has_text(const std::string& svg, const std::string& content) {
  for (const std::string& t : texts(svg))
    if (t == content) return true;
  return false;
}

std::vector<double> numbers_in(const std::string& path_data) {
  std::vector<double> numbers;
  const char* p = path_data.c_str();
  while (*p) {
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end == p) {
      ++p;
    } else {
      numbers.push_back(v);
      p = end;
    }
  }
  return numbers;
}

// Every path coordinate lies inside the image: nothing overflowed, went NaN
// or was scaled wrongly.
void check_paths_inside(const std::string& svg, double width, double height) {
  for (const std::string& d : attribute_values(svg, "path", "d")) {
    INFO(d);
    for (const double v : numbers_in(d)) {
      CHECK(std::isfinite(v));
      CHECK(v >= 0);
      CHECK(v <= std::max(width, height));
    }
  }
}

std::vector<double> tick_values(double lo, double hi, bool integral) { return nice_ticks(lo, hi, integral).values; }

std::vector<std::string> tick_labels(std::int64_t start, std::int64_t end, int max_count) {
  std::vector<std::string> labels;
  for (const TimeTick& tick : time_ticks(start, end, max_count)) labels.push_back(tick.label);
  return labels;
}

}  // namespace

// --- the test helper itself must be able to fail -------------------------

TEST_CASE("the XML checker accepts well-formed and rejects malformed markup", "[report][svg]") {
  CHECK(xml_problem("<a x=\"1\" y='2'><b/>t &amp; &#60; &#x3C;</a>").empty());
  CHECK_FALSE(xml_problem("<a><b></a></b>").empty());
  CHECK_FALSE(xml_problem("<a>").empty());
  CHECK_FALSE(xml_problem("<a>fish & chips</a>").empty());
  CHECK_FALSE(xml_problem("<a>&nbsp;</a>").empty());
  CHECK_FALSE(xml_problem("<a>1 < 2</a>").empty());
  CHECK_FALSE(xml_problem("<a b=\"1\" b=\"2\"/>").empty());
  CHECK_FALSE(xml_problem("<a b=1/>").empty());
  CHECK_FALSE(xml_problem("<a/><b/>").empty());
  CHECK_FALSE(xml_problem("").empty());
}

// --- nice value ticks ---------------------------------------------------

TEST_CASE("nice ticks for known ranges", "[report][svg][ticks]") {
  CHECK(tick_values(0, 97, true) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(tick_values(0, 97, false) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(tick_values(-37, 12, true) == std::vector<double>{-40, -20, 0, 20});
  CHECK(tick_values(3, 7, true) == std::vector<double>{3, 4, 5, 6, 7});
  CHECK(tick_values(0, 1, false).size() == 6);  // 0, 0.2, ..., 1
  CHECK(nice_ticks(0, 1, false).exponent == -1);
}

TEST_CASE("integral ranges are never ticked with fractions", "[report][svg][ticks]") {
  CHECK(tick_values(0, 3, true) == std::vector<double>{0, 1, 2, 3});
  // Too few whole numbers: padded to four ticks, away from zero.
  CHECK(tick_values(0, 1, true) == std::vector<double>{0, 1, 2, 3});
  CHECK(tick_values(-1, 0, true) == std::vector<double>{-3, -2, -1, 0});
  CHECK(nice_ticks(0, 3, true).exponent == 0);
}

TEST_CASE("flat ranges are widened to include zero", "[report][svg][ticks]") {
  CHECK(tick_values(5, 5, true) == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(tick_values(-3, -3, true) == std::vector<double>{-3, -2, -1, 0});
  CHECK(tick_values(0, 0, true) == std::vector<double>{0, 1, 2, 3});
  CHECK(tick_values(0, 0, false).front() == 0);
  CHECK(tick_values(0, 0, false).back() == 1);
}

TEST_CASE("nice ticks hold their promises over many random ranges", "[report][svg][ticks]") {
  std::mt19937_64 random(20240301);
  for (int i = 0; i < 20000; ++i) {
    const int magnitude = static_cast<int>(random() % 40) - 20;
    const double scale = std::pow(10.0, magnitude);
    double lo = (static_cast<double>(random() % 2001) - 1000) / 100 * scale;
    double hi = (static_cast<double>(random() % 2001) - 1000) / 100 * scale;
    if (lo > hi) std::swap(lo, hi);
    const bool integral = random() % 2 == 0;
    if (integral) {
      lo = std::floor(lo);
      hi = std::ceil(hi);
    }
    INFO("lo=" << lo << " hi=" << hi << " integral=" << integral);
    const ValueTicks ticks = nice_ticks(lo, hi, integral);
    REQUIRE(ticks.values.size() >= 4);
    REQUIRE(ticks.values.size() <= 6);
    CHECK(ticks.values.front() <= lo);
    CHECK(ticks.values.back() >= hi);
    const double step = std::pow(10.0, ticks.exponent);
    const double mantissa = (ticks.values[1] - ticks.values[0]) / step;
    CHECK((std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9));
    for (std::size_t k = 1; k < ticks.values.size(); ++k)
      CHECK(std::abs(ticks.values[k] - ticks.values[k - 1] - mantissa * step) <= 1e-9 * mantissa * step);
    if (integral) CHECK(ticks.exponent >= 0);
  }
}

TEST_CASE("tick labels use the precision of the step", "[report][svg][ticks]") {
  CHECK(format_tick_label(40, 1) == "40");
  CHECK(format_tick_label(-40, 1) == "-40");
  CHECK(format_tick_label(0.5, -1) == "0.5");
  CHECK(format_tick_label(1, -1) == "1.0");
  CHECK(format_tick_label(0.30000000000000004, -1) == "0.3");
  CHECK(format_tick_label(-0.0, -1) == "0.0");
  CHECK(format_tick_label(1500000, 5) == "1500k");
  CHECK(format_tick_label(2e6, 6) == "2M");
  CHECK(format_tick_label(-3e9, 9) == "-3G");
  CHECK(format_tick_label(0, 6) == "0");
  CHECK(format_tick_label(4e18, 18) == "4e+18");
}

// --- time ticks ------------------------------------------------------------

TEST_CASE("time ticks below a day show the clock, and the date when it changes", "[report][svg][ticks]") {
  CHECK(tick_labels(kMarch1, kMarch1 + 6 * kHour, 6) ==
        std::vector<std::string>{"03-01 00:00", "02:00", "04:00", "06:00"});
  CHECK(tick_labels(utc_ms(2024, 3, 1, 20), utc_ms(2024, 3, 2, 4), 4) ==
        std::vector<std::string>{"03-01 21:00", "03-02 00:00", "03:00"});
  CHECK(tick_labels(kMarch1 + 7 * 60'000, kMarch1 + kHour, 4) ==
        std::vector<std::string>{"03-01 00:15", "00:30", "00:45", "01:00"});
}

TEST_CASE("time ticks for days, weeks, months and years", "[report][svg][ticks]") {
  CHECK(tick_labels(kMarch1, utc_ms(2024, 3, 5), 6) ==
        std::vector<std::string>{"2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05"});
  const std::vector<std::string> weeks = tick_labels(kMarch1, utc_ms(2024, 4, 15), 8);
  REQUIRE(weeks.size() == 7);
  CHECK(weeks.front() == "2024-03-04");  // the first Monday
  CHECK(weeks.back() == "2024-04-15");
  CHECK(tick_labels(utc_ms(2024, 1, 15), utc_ms(2024, 12, 31), 6) ==
        std::vector<std::string>{"2024-03", "2024-05", "2024-07", "2024-09", "2024-11"});
  CHECK(tick_labels(utc_ms(2000, 1, 1), utc_ms(2100, 1, 1), 6) ==
        std::vector<std::string>{"2000", "2020", "2040", "2060", "2080", "2100"});
  CHECK(tick_labels(utc_ms(-1000, 1, 1), utc_ms(1000, 6, 1), 6) ==
        std::vector<std::string>{"-1000", "-500", "0000", "0500", "1000"});
}

TEST_CASE("time ticks are round instants within the range, never too many, never none", "[report][svg][ticks]") {
  std::mt19937_64 random(7);
  constexpr std::int64_t kDateRange = 8'640'000'000'000'000;
  for (int i = 0; i < 5000; ++i) {
    const unsigned bits = 12 + static_cast<unsigned>(random() % 40);
    const std::int64_t span = kHour + static_cast<std::int64_t>(random() % (1ULL << bits));
    const std::int64_t start = static_cast<std::int64_t>(random() % (2 * kDateRange - span)) - kDateRange;
    const int max_count = 4 + static_cast<int>(random() % 6);
    INFO("start=" << start << " span=" << span << " max=" << max_count);
    const std::vector<TimeTick> ticks = time_ticks(start, start + span, max_count);
    REQUIRE_FALSE(ticks.empty());
    CHECK(ticks.size() <= static_cast<std::size_t>(max_count));
    for (const TimeTick& tick : ticks) {
      CHECK(tick.time_ms >= start);
      CHECK(tick.time_ms <= start + span);
      CHECK(tick.time_ms % (5 * 60'000) == 0);
      CHECK_FALSE(tick.label.empty());
    }
  }
}

// --- the chart -------------------------------------------------------------

TEST_CASE("a chart is a well-formed, self-describing SVG element", "[report][svg]") {
  const std::string svg = render_line_chart(three_rule_sets());
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"280\"", 0) == 0);
  CHECK(svg.find("viewBox=\"0 0 640 280\"") != std::string::npos);
  // The accessible name comes first, before any drawing.
  CHECK(svg.find("<title>Population</title>") < svg.find("<rect"));
  CHECK(has_text(svg, "people"));
  for (const std::string label : {"baseline", "fast growth", "harsh winter"}) CHECK(has_text(svg, label));
  check_paths_inside(svg, 640, 280);
}

TEST_CASE("one path per series that has points, each in its own colour", "[report][svg]") {
  Chart chart{"Many", "", {}, true, {}};
  for (int i = 0; i < 7; ++i)
    chart.series.push_back(series("rules " + std::to_string(i), {{kMarch1, double(i)}, {kMarch1 + kDay, double(2 * i)}}));
  chart.series.push_back(series("empty rules", {}));
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  CHECK(count_of(svg, "<path") == 7);
  const std::vector<std::string> strokes = attribute_values(svg, "path", "stroke");
  CHECK(std::set<std::string>(strokes.begin(), strokes.end()).size() == 7);
  CHECK(has_text(svg, "empty rules (no data)"));
}

TEST_CASE("series beyond the palette are told apart by dashes", "[report][svg]") {
  Chart chart{"Crowded", "", {}, true, {}};
  for (int i = 0; i < 10; ++i) chart.series.push_back(series("r" + std::to_string(i), {{kMarch1, double(i)}}));
  const std::string svg = render_line_chart(chart);
  const std::vector<std::string> strokes = attribute_values(svg, "path", "stroke");
  const std::vector<std::string> dashes = attribute_values(svg, "path", "stroke-dasharray");
  REQUIRE(strokes.size() == 10);
  CHECK(strokes[7] == strokes[0]);
  CHECK(dashes.size() == 3);  // only the eighth series on
}

TEST_CASE("all text is escaped", "[report][svg]") {
  Chart chart{"<script>alert('title')</script> & co", "\"quoted\" <y>", {}, true, {"<b>OK</b>", "fine"}};
  chart.series.push_back(series("<script>alert(1)</script>", {{kMarch1, 0}, {kMarch1 + kDay, 1}}));
  chart.series.push_back(series("a\x01" "b", {{kMarch1, 1}}));
  const std::string svg = render_line_chart(chart);
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("&amp; co") != std::string::npos);
  CHECK(svg.find("&quot;quoted&quot; &lt;y&gt;") != std::string::npos);
  CHECK(svg.find('\x01') == std::string::npos);
}

TEST_CASE("rendering is deterministic", "[report][svg]") {
  const Chart chart = three_rule_sets();
  const std::string first = render_line_chart(chart);
  CHECK(render_line_chart(chart) == first);
  const Chart copy = chart;
  CHECK(render_line_chart(copy) == first);
}

TEST_CASE("points are drawn in time order whatever order they come in", "[report][svg]") {
  Chart sorted = three_rule_sets();
  Chart shuffled = sorted;
  for (Series& s : shuffled.series) std::reverse(s.points.begin(), s.points.end());
  CHECK(render_line_chart(shuffled) == render_line_chart(sorted));
}

TEST_CASE("charts without data say so", "[report][svg]") {
  const Chart nothing{"Nothing", "count", {}, true, {}};
  const std::string no_series = render_line_chart(nothing);
  CHECK(xml_problem(no_series).empty());
  CHECK(has_text(no_series, "No data"));
  CHECK(count_of(no_series, "<path") == 0);

  Chart empty_series{"Empty", "", {series("baseline", {}), series("variant", {{kMarch1, std::nan("")}})}, true, {}};
  const std::string svg = render_line_chart(empty_series);
  CHECK(xml_problem(svg).empty());
  CHECK(has_text(svg, "No data"));
  CHECK(count_of(svg, "<path") == 0);
  CHECK(has_text(svg, "baseline (no data)"));
  CHECK(has_text(svg, "variant (no data)"));
}

TEST_CASE("a single point becomes a line to the end, or a dot", "[report][svg]") {
  Chart chart{"One", "", {series("only", {{kMarch1, 42}})}, true, {}};
  const std::string step = render_line_chart(chart);
  CHECK(xml_problem(step).empty());
  REQUIRE(count_of(step, "<path") == 1);
  CHECK(has_text(step, "40"));
  // The axis spans an hour, centred on the point.
  CHECK(has_text(step, "02-29 23:30"));
  CHECK(has_text(step, "03-01 00:00"));
  CHECK(has_text(step, "00:30"));
  const std::vector<double> step_xy = numbers_in(attribute_values(step, "path", "d").front());
  REQUIRE(step_xy.size() == 3);  // M x y H x_end
  CHECK(step_xy[0] > 640 * 0.4);
  CHECK(step_xy[0] < 640 * 0.6);
  CHECK(step_xy[2] > step_xy[0]);

  chart.step = false;
  const std::vector<double> dot = numbers_in(attribute_values(render_line_chart(chart), "path", "d").front());
  REQUIRE(dot.size() == 4);  // M x y L x y: zero length, drawn by the round cap
  CHECK(dot[0] == dot[2]);
  CHECK(dot[1] == dot[3]);
}

TEST_CASE("step charts draw stairs, line charts draw segments", "[report][svg]") {
  Chart chart = three_rule_sets();
  const std::string step_d = attribute_values(render_line_chart(chart), "path", "d").front();
  CHECK(step_d.find(" H") != std::string::npos);
  CHECK(step_d.find(" V") != std::string::npos);
  CHECK(step_d.find(" L") == std::string::npos);
  chart.step = false;
  const std::string line_d = attribute_values(render_line_chart(chart), "path", "d").front();
  CHECK(line_d.find(" L") != std::string::npos);
  CHECK(line_d.find(" H") == std::string::npos);
}

TEST_CASE("flat integral values get whole-number ticks from zero", "[report][svg]") {
  Chart chart{"Flat", "", {series("a", {{kMarch1, 5}, {kMarch1 + kDay, 5}}), series("b", {{kMarch1, 5}})}, true, {}};
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  for (const std::string label : {"0", "1", "2", "3", "4", "5"}) CHECK(has_text(svg, label));
  for (const std::string& text : texts(svg)) CHECK(text.find('.') == std::string::npos);
}

TEST_CASE("negative values are drawn inside the plot", "[report][svg]") {
  Chart chart{"Debt", "gold", {series("a", {{kMarch1, -37}, {kMarch1 + kDay, 12}, {kMarch1 + 2 * kDay, -5}})}, false, {}};
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  CHECK(has_text(svg, "-40"));
  CHECK(has_text(svg, "20"));
  check_paths_inside(svg, 640, 280);
}

TEST_CASE("huge counts, extreme times and unusable values stay drawable", "[report][svg]") {
  constexpr double kInt64Max = 9.2e18;
  Chart chart{"Huge", "", {}, true, {}};
  chart.series.push_back(series("big", {{kMarch1, 0}, {kMarch1 + kDay, 1.5e12}, {kMarch1 + 2 * kDay, kInt64Max}}));
  chart.series.push_back(series("odd", {{std::numeric_limits<std::int64_t>::min(), 1},
                                        {std::numeric_limits<std::int64_t>::max(), 2},
                                        {kMarch1, std::numeric_limits<double>::infinity()},
                                        {kMarch1, -std::numeric_limits<double>::quiet_NaN()},
                                        {kMarch1, 1e308}}));
  const std::string svg = render_line_chart(chart);
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK(count_of(svg, "<path") == 2);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.find("e+18") != std::string::npos);
  check_paths_inside(svg, 640, 280);
}

TEST_CASE("large counts are labelled with unit suffixes", "[report][svg]") {
  Chart chart{"Grain", "bushels", {series("a", {{kMarch1, 0}, {kMarch1 + kDay, 2'600'000}})}, true, {}};
  const std::string svg = render_line_chart(chart);
  CHECK(has_text(svg, "0"));
  CHECK(has_text(svg, "1M"));
  CHECK(has_text(svg, "3M"));
}

TEST_CASE("categorical series are labelled with their category names", "[report][svg]") {
  Chart chart{"Mill status", "", {}, true, {"ACTIVE", "DAMAGED", "UNDER_CONSTRUCTION"}};
  chart.series.push_back(series("baseline", {{kMarch1, 2}, {kMarch1 + 40 * kHour, 0}, {kMarch1 + 90 * kHour, 1}}));
  const std::string svg = render_line_chart(chart);
  CHECK(xml_problem(svg).empty());
  for (const std::string name : {"ACTIVE", "DAMAGED", "UNDER_CONSTRUCTION"}) CHECK(has_text(svg, name));
  CHECK_FALSE(has_text(svg, "0"));
  CHECK_FALSE(has_text(svg, "1"));
  check_paths_inside(svg, 640, 280);
}

TEST_CASE("sizes below the minimum are raised, long legends make room", "[report][svg]") {
  const std::string tiny = render_line_chart(three_rule_sets(), 10, 10);
  CHECK(xml_problem(tiny).empty());
  CHECK(attribute_values(tiny, "svg", "width") == std::vector<std::string>{"240"});
  const std::vector<std::string> tiny_heights = attribute_values(tiny, "svg", "height");
  REQUIRE(tiny_heights.size() == 1);
  CHECK(std::stod(tiny_heights.front()) >= 160);
  check_paths_inside(tiny, 240, std::stod(tiny_heights.front()));

  Chart crowded{"Crowded", "", {}, true, {}};
  for (int i = 0; i < 30; ++i)
    crowded.series.push_back(series("a rather long rule-set name " + std::to_string(i), {{kMarch1, double(i)}}));
  const std::string svg = render_line_chart(crowded, 640, 280);
  const std::vector<std::string> heights = attribute_values(svg, "svg", "height");
  REQUIRE(heights.size() == 1);
  CHECK(std::stod(heights.front()) > 280);
}

TEST_CASE("hovering a line tells its last, lowest and highest value", "[report][svg]") {
  Chart c{"Population", "people", {{"rate=0.002", {{0, 100}, {3'600'000, 40}, {7'200'000, 250.5}}}}, true, {}};
  CHECK(render_line_chart(c).find("<title>rate=0.002: last 250.5, lowest 40, highest 250.5</title></path>") !=
        std::string::npos);
  Chart status{"Status", "", {{"a", {{0, 1}, {3'600'000, 2}}}}, true, {"UNDER_CONSTRUCTION", "ACTIVE", "DAMAGED"}};
  CHECK(render_line_chart(status).find("<title>a: last DAMAGED</title></path>") != std::string::npos);
}
