#include "runtime/tune/tune_report.hpp"

#include <filesystem>
#include <future>

#include "runtime/tune/charts.hpp"
#include "runtime/tune/long_csv.hpp"
#include "runtime/tune/summary.hpp"

namespace hourglass::runtime::tune {
namespace {

std::string subtitle(const TunePlan& plan) {
  const std::size_t n = plan.variants.size();
  std::string out = "Scenario " + std::filesystem::path(plan.scenario_file).filename().string() + " replayed under " +
                    std::to_string(n) + (n == 1 ? " rule set" : " rule sets");
  for (const Setting& s : plan.fixed) out += (&s == &plan.fixed.front() ? ", all with " : ", ") + s.path + "=" + s.value;
  out += ". Summary: final values; paid / missed: maintenance of the settlement's structures; upgrades: their "
         "upgrade notices";
  if (n > 1) out += "; \u0394 vs first: how each figure differs from " + plan.variants.front().label;
  return out + ".";
}

}  // namespace

std::vector<std::string> labels_of(const std::vector<Variant>& variants) {
  std::vector<std::string> labels;
  for (const Variant& v : variants) labels.push_back(v.label);
  return labels;
}

report::ReportInput report_input(const TunePlan& plan, const std::vector<VariantResult>& results) {
  report::ReportInput input;
  const std::string name = plan.scenario.name.empty() ? plan.scenario_file : plan.scenario.name;
  input.title = "Tuning " + name;
  input.subtitle = subtitle(plan);
  input.labels = labels_of(plan.variants);
  input.summary = summary_table(input.labels, results);
  input.sections = chart_sections(input.labels, results);
  return input;
}

TuneFiles render_tune_files(const TunePlan& plan, std::vector<VariantResult>& results) {
  std::vector<RecordTable> tables;
  for (VariantResult& r : results) tables.push_back(std::move(r.records));
  // The two files share nothing: the CSV is written while the charts are drawn.
  auto html = std::async(std::launch::async, [&] { return report::render_html_report(report_input(plan, results)); });
  auto long_form = std::async(std::launch::async,
                              [&] { return long_csv(labels_of(plan.variants), results, plan.scenario.campaigns); });
  TuneFiles files;
  files.csv = timeline_csv(labels_of(plan.variants), tables);
  files.html = html.get();
  files.long_csv = long_form.get();
  return files;
}

}  // namespace hourglass::runtime::tune
