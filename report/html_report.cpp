#include "report/html_report.hpp"

#include "report/palette.hpp"
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
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #cccccc; padding: 0.3rem 0.6rem; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
td.pass, li.pass { background: #e6f4ea; }
td.fail, li.fail { background: #fce8e6; }
li.warning { background: #fef7e0; }
ul.notices { list-style: none; padding: 0; }
ul.notices li { padding: 0.3rem 0.6rem; margin: 0.2rem 0; }
figure.chart { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
@media print { figure.chart { break-inside: avoid; } }
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

std::string rule_set_list(const std::vector<std::string>& labels) {
  std::string out = "<ul class=\"rule-sets\">\n";
  for (std::size_t i = 0; i < labels.size(); ++i)
    out += "<li><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"24\" height=\"10\" aria-hidden=\"true\">"
           "<line x1=\"2\" y1=\"5\" x2=\"22\" y2=\"5\" stroke-width=\"3\"" +
           stroke_attributes(i) + "/></svg>" + xml_escape(labels[i]) + "</li>\n";
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

std::string notice_list(const std::vector<Notice>& notices) {
  std::string out = "<ul class=\"notices\">\n";
  for (const Notice& n : notices) out += "<li class=\"" + xml_escape(n.kind) + "\">" + xml_escape(n.text) + "</li>\n";
  return out + "</ul>\n";
}

std::string summary_section(const Table& table) {
  std::string out = "<section class=\"summary\">\n<h2>Summary</h2>\n<div class=\"table-scroll\">\n<table>\n";
  if (!table.header.empty()) out += "<thead>\n" + table_row(table.header, "th") + "</thead>\n";
  if (!table.rows.empty()) {
    out += "<tbody>\n";
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      out += table_row(table.rows[r], "td", r < table.classes.size() ? &table.classes[r] : nullptr);
    out += "</tbody>\n";
  }
  return out + "</table>\n</div>\n</section>\n";
}

std::string chart_section(const Section& section, const std::vector<std::string>& labels) {
  std::string out = "<section>\n<h2>" + xml_escape(section.heading) + "</h2>\n";
  for (const Chart& chart : section.charts)
    out += "<figure class=\"chart\" data-title=\"" + xml_escape(chart.title) + "\">\n" +
           render_line_chart(aligned_to_labels(chart, labels)) + "</figure>\n";
  return out + "</section>\n";
}

}  // namespace

std::string render_html_report(const ReportInput& input) {
  // HTML requires a non-empty <title>.
  const std::string title = xml_escape(input.title.empty() ? "Hourglass report" : input.title);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                    "<title>" + title + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + title + "</h1>\n";
  if (!input.subtitle.empty()) out += "<p class=\"subtitle\">" + xml_escape(input.subtitle) + "</p>\n";
  if (!input.labels.empty()) out += rule_set_list(input.labels);
  out += "</header>\n<main>\n";
  if (!input.notices.empty()) out += notice_list(input.notices);
  if (!input.summary.header.empty() || !input.summary.rows.empty()) out += summary_section(input.summary);
  for (const Section& section : input.sections) out += chart_section(section, input.labels);
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace hourglass::report
