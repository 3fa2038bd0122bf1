#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>

#include "report/hover_data.hpp"
#include "report/hover_script.hpp"
#include "report/palette.hpp"
#include "report/small_multiples.hpp"
#include "report/svg_chart.hpp"
#include "report/xml_escape.hpp"

namespace hourglass::report {
namespace {

// No '<', '>' or '&' in here: the document stays well-formed XML, which is
// how the tests check it.
constexpr const char* kStyle = R"(body { font-family: system-ui, sans-serif; color: #222222; max-width: 80rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0.25rem; }
.subtitle { color: #555555; margin-top: 0; }
ul.rule-sets { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
ul.rule-sets svg { vertical-align: middle; margin-right: 0.4rem; }
.full-label { color: #777777; font-size: 0.85em; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #cccccc; padding: 0.3rem 0.6rem; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
td.pass, li.pass { background: #e6f4ea; }
td.fail, li.fail { background: #fce8e6; }
li.warning { background: #fef7e0; }
ul.notices { list-style: none; padding: 0; }
ul.notices li { padding: 0.3rem 0.6rem; margin: 0.2rem 0; }
details.warnings summary { cursor: pointer; padding: 0.3rem 0.6rem; background: #fef7e0; }
nav.toc { columns: 16rem; font-size: 0.9rem; margin: 1rem 0; }
nav.toc a { display: block; }
.sweep-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 0.5rem; }
.heat-maps { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
figure.chart { margin: 1rem 0; }
figure.chart figcaption { font-weight: bold; margin-bottom: 0.3rem; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, 300px); gap: 0.5rem; content-visibility: auto; }
figure.chart svg { max-width: 100%; height: auto; }
@media print { figure.chart { break-inside: avoid; } }
)";

// With ReportInput::log_scale: the checkbox shows one of the two drawings of
// each numeric chart, by CSS alone (no script).
constexpr const char* kScaleStyle = R"(label.scale-toggle { display: inline-block; margin: 0.5rem 0; }
body:has(#log-scale:checked) .scale-linear, body:has(#log-scale:not(:checked)) .scale-log { display: none; }
)";

// The chart with its series in label order (see render_html_report).
Chart aligned_to_labels(const Chart& chart, const std::vector<std::string>& labels) {
  Chart aligned = chart;
  aligned.series.clear();
  std::vector<bool> taken(chart.series.size(), false);
  for (const std::string& label : labels) {
    Series series{label, {}};
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
      if (!taken[i] && chart.series[i].label == label) {
        taken[i] = true;
        series = chart.series[i];
        break;
      }
    }
    aligned.series.push_back(std::move(series));
  }
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    if (!taken[i]) aligned.series.push_back(chart.series[i]);
  return aligned;
}

// `full`, when given, follows each label in grey (the short label's long form).
std::string rule_set_list(const std::vector<std::string>& labels, const std::vector<std::string>* full = nullptr) {
  std::string out = "<ul class=\"rule-sets\">\n";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const bool both = full && i < full->size() && (*full)[i] != labels[i];
    out += "<li><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"24\" height=\"10\" aria-hidden=\"true\">"
           "<line x1=\"2\" y1=\"5\" x2=\"22\" y2=\"5\" stroke-width=\"3\"" +
           stroke_attributes(i) + "/></svg>" + xml_escape(labels[i]) +
           (both ? " <span class=\"full-label\">" + xml_escape((*full)[i]) + "</span>" : "") + "</li>\n";
  }
  return out + "</ul>\n";
}

std::string table_row(const std::vector<std::string>& cells, const char* tag,
                      const std::vector<std::string>* classes = nullptr) {
  std::string out = "<tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const bool styled = classes && i < classes->size() && !(*classes)[i].empty();
    out += std::string("<") + tag + (styled ? " class=\"" + xml_escape((*classes)[i]) + "\"" : "") + ">" +
           xml_escape(cells[i]) + "</" + tag + ">";
  }
  return out + "</tr>\n";
}

constexpr std::size_t kOpenWarnings = 8;

// Goal verdicts as they are; warnings (there may be dozens) in a <details>
// that is open when they are few.
std::string notice_list(const std::vector<Notice>& notices) {
  std::string verdicts, warnings;
  std::size_t warning_count = 0;
  for (const Notice& n : notices) {
    std::string& list = n.kind == "warning" ? warnings : verdicts;
    if (n.kind == "warning") ++warning_count;
    list += "<li class=\"" + xml_escape(n.kind) + "\">" + xml_escape(n.text) + "</li>\n";
  }
  std::string out;
  if (!verdicts.empty()) out += "<ul class=\"notices\">\n" + verdicts + "</ul>\n";
  if (!warnings.empty())
    out += std::string("<details class=\"warnings\"") + (warning_count <= kOpenWarnings ? " open=\"open\"" : "") +
           ">\n<summary>Balance warnings (" + std::to_string(warning_count) + ")</summary>\n<ul class=\"notices\">\n" +
           warnings + "</ul>\n</details>\n";
  return out;
}

// In-page anchors: "sweep-1", "section-3"...
std::string anchor(const char* kind, std::size_t index) { return std::string(kind) + "-" + std::to_string(index + 1); }

std::string table_of_contents(const ReportInput& input, bool summary) {
  std::string out = "<nav class=\"toc\" aria-label=\"Contents\">\n";
  for (std::size_t i = 0; i < input.sweep.size(); ++i)
    out += "<a href=\"#" + anchor("sweep", i) + "\">" + xml_escape(input.sweep[i].heading) + "</a>\n";
  if (summary) out += "<a href=\"#summary\">Summary</a>\n";
  for (std::size_t i = 0; i < input.sections.size(); ++i)
    out += "<a href=\"#" + anchor("section", i) + "\">" + xml_escape(input.sections[i].heading) + "</a>\n";
  return out + "</nav>\n";
}

std::string sweep_section(const SweepView& view, std::size_t index) {
  std::string out = "<section class=\"sweep\" id=\"" + anchor("sweep", index) + "\">\n<h2>" +
                    xml_escape(view.heading) + "</h2>\n";
  if (!view.note.empty()) out += "<p class=\"subtitle\">" + xml_escape(view.note) + "</p>\n";
  if (view.line_labels.size() > 1) out += rule_set_list(view.line_labels);
  if (!view.charts.empty()) {
    out += "<div class=\"sweep-grid\">\n";
    for (const SweepChart& chart : view.charts) out += "<figure class=\"sweep\">\n" + render_sweep_chart(chart) + "</figure>\n";
    out += "</div>\n";
  }
  if (!view.heat_maps.empty()) {
    out += "<div class=\"heat-maps\">\n";
    for (const HeatMap& map : view.heat_maps) out += "<figure class=\"heat-map\">\n" + render_heat_map(map) + "</figure>\n";
    out += "</div>\n";
  }
  return out + "</section>\n";
}

std::string summary_section(const Table& table) {
  std::string out = "<a id=\"summary\"></a>\n<section class=\"summary\">\n<h2>Summary</h2>\n<div class=\"table-scroll\">\n<table>\n";
  if (!table.header.empty()) out += "<thead>\n" + table_row(table.header, "th") + "</thead>\n";
  if (!table.rows.empty()) {
    out += "<tbody>\n";
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      out += table_row(table.rows[r], "td", r < table.classes.size() ? &table.classes[r] : nullptr);
    out += "</tbody>\n";
  }
  return out + "</table>\n</div>\n</section>\n";
}

// The one time axis of every chart: from the run's start (or the earliest
// point) to the latest point of any chart; unset when no chart has a point.
std::optional<DayAxis> run_axis(const ReportInput& input) {
  std::optional<DayAxis> axis;
  auto widen = [&](std::int64_t t) {
    if (!axis) axis = DayAxis{t, t};
    axis->start_ms = std::min(axis->start_ms, t);
    axis->end_ms = std::max(axis->end_ms, t);
  };
  for (const Section& section : input.sections)
    for (const Chart& chart : section.charts)
      for (const Series& series : chart.series)
        for (const Point& p : series.points)
          if (std::isfinite(p.value)) widen(p.time_ms);
  if (axis && input.start_ms) {
    widen(*input.start_ms);
    axis->start_ms = *input.start_ms;  // day 0, even with points before it (drawn at the edge)
  }
  return axis;
}

// Aligned to the labels, named by the short labels when there are, on the run's time axis.
Chart for_page(const Chart& chart, const ReportInput& input, const std::optional<DayAxis>& axis) {
  const std::vector<std::string>& labels = input.labels;
  const std::vector<std::string>& short_labels = input.short_labels;
  Chart out = aligned_to_labels(chart, labels);
  out.day_axis = axis;
  if (short_labels.size() == labels.size())
    for (std::size_t i = 0; i < labels.size(); ++i) out.series[i].label = short_labels[i];
  return out;
}

// Past this many rule sets, a metric is a grid of small charts, one per rule
// set, rather than one chart of as many lines as the eye cannot follow.
constexpr std::size_t kMaxLinesPerChart = 6;

// One drawing of a chart: its lines together, or a grid of one per line.
std::string drawing(const Chart& chart, const ReportInput& input) {
  return input.labels.size() > kMaxLinesPerChart ? render_small_multiples(chart) : render_line_chart(chart);
}

std::string chart_section(const Section& section, const ReportInput& input, const std::optional<DayAxis>& axis,
                          std::size_t index) {
  std::string out = "<a id=\"" + anchor("section", index) + "\"></a>\n<section>\n<h2>" + xml_escape(section.heading) + "</h2>\n";
  for (const Chart& chart : section.charts) {
    Chart page_chart = for_page(chart, input, axis);
    out += "<figure class=\"chart\" data-title=\"" + xml_escape(chart.title) + "\">\n";
    if (input.labels.size() > kMaxLinesPerChart) out += "<figcaption>" + xml_escape(chart.title) + "</figcaption>\n";
    if (page_chart.day_axis)
      out += "<script type=\"application/json\" class=\"hover-data\">" + hover_data_json(page_chart) + "</script>\n";
    if (input.log_scale && page_chart.categories.empty()) {
      page_chart.log_scale = true;
      out += "<div class=\"scale-log\">\n" + drawing(page_chart, input) + "</div>\n";
      page_chart.log_scale = false;
      out += "<div class=\"scale-linear\">\n" + drawing(page_chart, input) + "</div>\n";
    } else {
      out += drawing(page_chart, input);
    }
    out += "</figure>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string render_html_report(const ReportInput& input) {
  const std::optional<DayAxis> axis = run_axis(input);  // unset: no time chart has a point
  // HTML requires a non-empty <title>.
  const std::string title = xml_escape(input.title.empty() ? "Hourglass report" : input.title);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                    "<title>" + title + "</title>\n<style>\n" + kStyle + (input.log_scale ? kScaleStyle : "") +
                    (axis ? kHoverStyle : "") + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + title + "</h1>\n";
  if (!input.subtitle.empty()) out += "<p class=\"subtitle\">" + xml_escape(input.subtitle) + "</p>\n";
  if (input.short_labels.size() == input.labels.size() && !input.labels.empty())
    out += rule_set_list(input.short_labels, &input.labels);
  else if (!input.labels.empty())
    out += rule_set_list(input.labels);
  if (input.log_scale)
    out += "<label class=\"scale-toggle\"><input type=\"checkbox\" id=\"log-scale\" checked=\"checked\"/> "
           "log scale (values at or below 0 are not drawn on it)</label>\n";
  out += "</header>\n<main>\n";
  const bool summary = !input.summary.header.empty() || !input.summary.rows.empty();
  if (!input.sweep.empty() || !input.sections.empty()) out += table_of_contents(input, summary);
  if (!input.notices.empty()) out += notice_list(input.notices);
  for (std::size_t i = 0; i < input.sweep.size(); ++i) out += sweep_section(input.sweep[i], i);
  if (summary) out += summary_section(input.summary);
  for (std::size_t i = 0; i < input.sections.size(); ++i) out += chart_section(input.sections[i], input, axis, i);
  out += "</main>\n";
  if (axis) out += std::string("<div id=\"hover-tip\" hidden=\"hidden\"></div>\n<script>") + kHoverScript + "</script>\n";
  return out + "</body>\n</html>\n";
}

}  // namespace hourglass::report
