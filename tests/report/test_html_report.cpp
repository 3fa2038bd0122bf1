#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "report/svg_chart.hpp"
#include "tests/report/xml_well_formed.hpp"

using namespace hourglass::report;
using hourglass::report::test::count_of;
using hourglass::report::test::xml_problem;

namespace {

constexpr std::int64_t kMarch1 = 1'709'251'200'000;  // 2024-03-01T00:00:00Z
constexpr std::int64_t kDay = 86'400'000;

Chart chart(std::string title, std::vector<std::string> labels) {
  Chart c{std::move(title), "count", {}, true, {}};
  double value = 1;
  for (std::string& label : labels) {
    c.series.push_back({std::move(label), {{kMarch1, value}, {kMarch1 + kDay, value * 3}}});
    value += 1;
  }
  return c;
}

ReportInput sample_report() {
  ReportInput input;
  input.title = "Riverhold: three rule sets";
  input.subtitle = "Scenario riverhold.json, 90 days";
  input.labels = {"baseline", "fast growth", "harsh winter"};
  input.summary = {{"rule set", "final population"}, {{"baseline", "31"}, {"fast growth", "97"}, {"harsh winter", "5"}}};
  input.sections.push_back({"Population", {chart("Population", input.labels), chart("Food", input.labels)}});
  input.sections.push_back({"Structures", {chart("Mills", input.labels), chart("Walls", {"baseline"}),
                                           chart("Towers", {"fast growth"})}});
  return input;
}

// The report is written to parse as XML too (the checker skips the DOCTYPE).
bool well_formed(const std::string& html) { return xml_problem(html).empty(); }

}  // namespace

TEST_CASE("the report is a complete, well-formed HTML5 document", "[report][html]") {
  const std::string html = render_html_report(sample_report());
  INFO(xml_problem(html));
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  CHECK(well_formed(html));
  CHECK(html.find("<meta charset=\"utf-8\"/>") < html.find("<title>"));
  CHECK(html.find("<title>Riverhold: three rule sets</title>") != std::string::npos);
  CHECK(html.find("<h1>Riverhold: three rule sets</h1>") != std::string::npos);
  CHECK(html.find("Scenario riverhold.json, 90 days") != std::string::npos);
  CHECK(html.substr(html.size() - 8) == "</html>\n");
}

TEST_CASE("the report has one figure per chart", "[report][html]") {
  ReportInput input = sample_report();
  CHECK(count_of(render_html_report(input), "<figure class=\"chart\"") == 5);
  CHECK(count_of(render_html_report(input), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\"") == 5);
  input.sections.push_back({"Nothing here", {}});
  CHECK(count_of(render_html_report(input), "<figure class=\"chart\"") == 5);
  input.sections.clear();
  CHECK(count_of(render_html_report(input), "<figure class=\"chart\"") == 0);
}

TEST_CASE("the summary table comes before the sections", "[report][html]") {
  const std::string html = render_html_report(sample_report());
  const std::size_t table = html.find("<table>");
  REQUIRE(table != std::string::npos);
  CHECK(table < html.find("<h2>Population</h2>"));
  CHECK(table < html.find("<figure"));
  CHECK(html.find("<h2>Population</h2>") < html.find("<h2>Structures</h2>"));
  CHECK(count_of(html, "<th>") == 2);
  CHECK(count_of(html, "<td>") == 6);
  CHECK(html.find("<td>fast growth</td><td>97</td>") != std::string::npos);
  CHECK(html.find("data-title=\"Population\"") < html.find("data-title=\"Food\""));
}

TEST_CASE("the report opens offline, and its only scripts are inline", "[report][html]") {
  const std::string html = render_html_report(sample_report());
  // Each chart's hover data and the one small script that shows it.
  CHECK(count_of(html, "<script") == count_of(html, "<script type=\"application/json\" class=\"hover-data\">") + 1);
  CHECK(count_of(html, "<script>") == 1);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  // Links lead only within the page (the table of contents).
  CHECK(count_of(html, "href=") == count_of(html, "href=\"#"));
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  // The only URLs are the SVG namespace names, which are never fetched.
  CHECK(count_of(html, "http") == count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(count_of(html, "<style>") == 1);
}

TEST_CASE("the report escapes every piece of text", "[report][html]") {
  ReportInput input;
  input.title = "<script>alert('t')</script>";
  input.subtitle = "Tom & Jerry's <i>rules</i>";
  input.labels = {"<script>label</script>"};
  input.summary = {{"<th>"}, {{"\"cell\" & <td>"}}};
  input.sections.push_back({"<h2>heading</h2>", {chart("\"><script>x</script>", input.labels)}});
  const std::string html = render_html_report(input);
  INFO(html);
  CHECK(well_formed(html));
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<script>label") == std::string::npos);
  CHECK(html.find("<script>x") == std::string::npos);
  CHECK(count_of(html, "<script") == 2);  // the chart's hover data and the page's script, nothing injected
  CHECK(html.find("<i>") == std::string::npos);
  CHECK(count_of(html, "<th>") == 1);
  CHECK(count_of(html, "<td>") == 1);
  CHECK(count_of(html, "<h2>") == 2);  // "Summary" and the escaped heading
  CHECK(html.find("Tom &amp; Jerry&#39;s &lt;i&gt;rules&lt;/i&gt;") != std::string::npos);
  CHECK(html.find("data-title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"") != std::string::npos);
  CHECK(html.find("&quot;cell&quot; &amp; &lt;td&gt;") != std::string::npos);
}

TEST_CASE("an empty report is still a valid document", "[report][html]") {
  const std::string html = render_html_report(ReportInput{});
  CHECK(well_formed(html));
  CHECK(html.find("<title>Hourglass report</title>") != std::string::npos);
  CHECK(html.find("<table") == std::string::npos);
  CHECK(html.find("<figure") == std::string::npos);
  CHECK(html.find("class=\"subtitle\"") == std::string::npos);
}

TEST_CASE("the report is deterministic", "[report][html]") {
  const ReportInput input = sample_report();
  CHECK(render_html_report(input) == render_html_report(input));
}

TEST_CASE("a rule set keeps its colour in every chart", "[report][html]") {
  const std::vector<std::string> labels = {"baseline", "fast growth", "harsh winter"};
  ReportInput in_order;
  in_order.labels = labels;
  in_order.sections.push_back({"S", {chart("C", labels)}});
  ReportInput reversed = in_order;
  std::reverse(reversed.sections[0].charts[0].series.begin(), reversed.sections[0].charts[0].series.end());
  CHECK(render_html_report(reversed) == render_html_report(in_order));

  // A chart lacking a rule set still reserves its colour and says so.
  Chart only_winter = chart("Winter only", {"harsh winter"});
  const std::string svg = render_line_chart(chart("Winter only", labels));
  ReportInput sparse = in_order;
  sparse.sections[0].charts = {only_winter};
  const std::string html = render_html_report(sparse);
  CHECK(html.find("baseline (no data)") != std::string::npos);
  CHECK(html.find("fast growth (no data)") != std::string::npos);
  // (the hover title goes on with its values: 9 in the full chart, 3 alone)
  const std::string winter_stroke = "stroke=\"#009E73\"><title>harsh winter: last ";
  CHECK(svg.find(winter_stroke) != std::string::npos);
  CHECK(html.find(winter_stroke) != std::string::npos);
}

TEST_CASE("series with labels outside the list follow the listed ones", "[report][html]") {
  ReportInput input;
  input.labels = {"baseline"};
  input.sections.push_back({"S", {chart("C", {"experimental", "baseline"})}});
  const std::string html = render_html_report(input);
  CHECK(html.find("<title>baseline: ") < html.find("<title>experimental: "));
}

TEST_CASE("notices come before the summary, and verdict cells are classed", "[report][html]") {
  ReportInput input = sample_report();
  input.notices = {{"pass", "Every goal met by: fast growth"}, {"warning", "levels.1 <can't> be reached"}};
  input.summary.classes = {{"", "fail"}, {}, {"", "pass"}};
  const std::string html = render_html_report(input);
  INFO(xml_problem(html));
  CHECK(well_formed(html));
  const std::size_t notices = html.find("<ul class=\"notices\">");
  REQUIRE(notices != std::string::npos);
  CHECK(notices < html.find("<section class=\"summary\">"));
  CHECK(html.find("<li class=\"pass\">Every goal met by: fast growth</li>") != std::string::npos);
  CHECK(html.find("<li class=\"warning\">levels.1 &lt;can&#39;t&gt; be reached</li>") != std::string::npos);
  CHECK(html.find("<tr><td>baseline</td><td class=\"fail\">31</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><td>fast growth</td><td>97</td></tr>") != std::string::npos);
  CHECK(html.find("<td class=\"pass\">5</td>") != std::string::npos);
}

TEST_CASE("with many rule sets the charts share the page's legend and keep their height", "[report][html]") {
  ReportInput input;
  for (int i = 0; i < 20; ++i) input.labels.push_back("scenario settlement.populationGrowthRate=0.00" + std::to_string(i));
  input.sections.push_back({"Population", {chart("Population", input.labels)}});
  const std::string many = render_html_report(input);
  // (as small multiples: one panel per rule set, each at its fixed size)
  CHECK(count_of(many, "<svg class=\"panel\" xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"200\"") == 20);
  CHECK(count_of(many, "dy=\"0.32em\">scenario settlement.populationGrowthRate=0.0019<") == 0);  // no legend: the list only
  CHECK(count_of(many, "settlement.populationGrowthRate=0.0019: last ") == 1);  // the line's hover title
  input.labels.resize(3);
  input.sections = {{"Population", {chart("Population", input.labels)}}};
  CHECK(count_of(render_html_report(input), "settlement.populationGrowthRate=0.002<") == 2);  // and the legend
}

TEST_CASE("charts name rule sets by their short labels, the list shows both", "[report][html]") {
  ReportInput input;
  input.labels = {"scenario settlement.populationGrowthRate=0.001", "scenario settlement.populationGrowthRate=0.002"};
  input.short_labels = {"populationGrowthRate=0.001", "populationGrowthRate=0.002"};
  input.sections.push_back({"Population", {chart("Population", input.labels)}});
  const std::string html = render_html_report(input);
  CHECK(html.find("populationGrowthRate=0.002 <span class=\"full-label\">scenario settlement.populationGrowthRate=0.002</span>") !=
        std::string::npos);
  const std::string svg = html.substr(html.find("<figure"));
  CHECK(svg.find("scenario settlement") == std::string::npos);
  CHECK(svg.find("populationGrowthRate=0.002") != std::string::npos);
  CHECK(count_of(svg, "(no data)") == 0);  // aligned by the full labels before renaming
}
