#include "runtime/tune/tune_report.hpp"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>

#include "report/csv.hpp"
#include "runtime/tune/balance.hpp"
#include "runtime/tune/charts.hpp"
#include "runtime/tune/long_csv.hpp"
#include "runtime/tune/short_labels.hpp"
#include "runtime/tune/warnings.hpp"
#include "runtime/tune/summary.hpp"
#include "runtime/tune/sweep_view.hpp"

namespace hourglass::runtime::tune {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

// Which variants meet every goal in every settlement, and how many
// settlements miss one under the others.
std::vector<report::Notice> goal_notices(const TunePlan& plan, const std::vector<VariantResult>& results,
                                         const OutcomeSpec& spec) {
  if (spec.goals.empty()) return {};
  std::vector<std::string> goals, meet, miss;
  const std::vector<std::string> labels = short_labels(plan.variants);
  for (const Goal& g : spec.goals) goals.push_back(g.text);
  for (std::size_t v = 0; v < results.size(); ++v) {
    std::size_t missed = 0;
    for (const auto& [key, t] : results[v].timelines.settlements)
      missed += settlement_outcome(key, t, spec).meets_every_goal() ? 0 : 1;
    if (missed == 0 && !results[v].timelines.settlements.empty())
      meet.push_back(labels[v]);
    else
      miss.push_back(labels[v] + " (" + std::to_string(missed) + " of " +
                     std::to_string(results[v].timelines.settlements.size()) + " settlements)");
  }
  std::vector<report::Notice> out;
  out.push_back(meet.empty() ? report::Notice{"fail", "No rule set meets every goal (" + joined(goals) + ")."}
                             : report::Notice{"pass", "Every goal (" + joined(goals) + ") met in every settlement by: " +
                                                          joined(meet) + "."});
  if (!miss.empty()) out.push_back({"fail", "A goal missed by: " + joined(miss) + "."});
  return out;
}

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

std::vector<std::string> balance_warnings(const TunePlan& plan, const std::vector<VariantResult>& results) {
  std::map<std::string, sim::WorldTime> starts;
  for (const sim::CampaignSeed& c : plan.scenario.campaigns) starts[c.id] = c.clock;
  std::vector<std::vector<std::string>> per_variant;
  for (std::size_t v = 0; v < results.size() && v < plan.variants.size(); ++v) {
    per_variant.push_back(rules_warnings(*plan.variants[v].rules));
    for (std::string& w : outcome_warnings(results[v], *plan.variants[v].rules, starts))
      per_variant.back().push_back(std::move(w));
  }
  std::vector<std::string> lines;
  const std::vector<std::string> labels = short_labels(plan.variants);
  for (const GroupedWarning& w : group_warnings(per_variant)) lines.push_back(warning_line(w, labels));
  for (std::string& w : override_warnings(swept_paths(plan.variants), plan.scenario.campaigns))
    lines.push_back(std::move(w));
  if (lines.size() > kMaxBalanceWarnings) {  // a thousand settlements at their cap is one finding
    const std::size_t more = lines.size() - kMaxBalanceWarnings;
    lines.resize(kMaxBalanceWarnings);
    lines.push_back("and " + std::to_string(more) + " more balance warning(s) like these");
  }
  return lines;
}

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
  input.short_labels = short_labels(plan.variants);
  const OutcomeSpec outcomes = outcome_spec(plan.scenario.campaigns, plan.goals, results);
  for (std::string& w : balance_warnings(plan, results)) input.notices.push_back({"warning", std::move(w)});
  for (report::Notice& n : goal_notices(plan, results, outcomes)) input.notices.push_back(std::move(n));
  input.sweep = sweep_views(plan, results, outcomes);
  input.summary = summary_table(input.labels, results, &outcomes);
  input.sections = chart_sections(input.labels, results);
  input.log_scale = plan.log_scale;
  // Day 0 of the time charts: the scenario's start (its earliest campaign clock).
  for (const sim::CampaignSeed& c : plan.scenario.campaigns)
    input.start_ms = std::min(input.start_ms.value_or(c.clock), c.clock);
  return input;
}

TuneFiles render_tune_files(const TunePlan& plan, std::vector<VariantResult>& results, bool long_form) {
  std::vector<RecordTable> tables;
  for (VariantResult& r : results) tables.push_back(std::move(r.records));
  // The two files share nothing: the CSV is written while the charts are drawn.
  const report::ReportInput input = report_input(plan, results);
  auto html = std::async(std::launch::async, [&] { return report::render_html_report(input); });
  auto long_rows = std::async(std::launch::async, [&] {
    return long_form ? long_csv(short_labels(plan.variants), results, plan.scenario.campaigns) : std::string();
  });
  TuneFiles files;
  files.csv = timeline_csv(labels_of(plan.variants), tables);
  files.summary_csv = report::render_csv(input.summary.header, input.summary.rows);
  files.html = html.get();
  files.long_csv = long_rows.get();
  return files;
}

}  // namespace hourglass::runtime::tune
