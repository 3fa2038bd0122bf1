#include "runtime/tune/sweep_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "runtime/tune/balance.hpp"
#include "runtime/tune/short_labels.hpp"

namespace hourglass::runtime::tune {
namespace {

using report::Verdict;

bool is_damaged(double v) { return v == 2; }  // status_categories(): DAMAGED

std::optional<double> number_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> mean(double sum, std::size_t count) {
  return count ? std::optional<double>(sum / static_cast<double>(count)) : std::nullopt;
}

std::string source_of(const Variant& v) {
  const auto space = v.label.find(' ');
  return space == std::string::npos ? v.label : v.label.substr(0, space);
}

// The variants' values of setting `index`, when all are numbers.
std::optional<std::vector<double>> numeric_values(const std::vector<Variant>& variants, std::size_t index) {
  std::vector<double> out;
  for (const Variant& v : variants) {
    const std::optional<double> x = index < v.settings.size() ? number_of(v.settings[index].value) : std::nullopt;
    if (!x) return std::nullopt;
    out.push_back(*x);
  }
  return out;
}

std::vector<std::string> distinct(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items)
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  return out;
}

}  // namespace

std::vector<std::string> outcome_names(const OutcomeSpec& spec) {
  std::vector<std::string> names = {"final population (mean)", "final level (mean)"};
  for (int level = 2; level <= spec.top_level; ++level) names.push_back("day level " + std::to_string(level) + " (mean)");
  for (const std::string& r : spec.resources) names.push_back("lowest " + r);
  names.push_back("missed maintenance %");
  names.push_back("time DAMAGED %");
  return names;
}

VariantOutcomes variant_outcomes(const VariantResult& result, const OutcomeSpec& spec) {
  VariantOutcomes out;
  double population = 0, level = 0;
  std::size_t settlements = 0;
  std::map<std::string, sim::WorldTime> ends;
  for (const sim::CampaignSnapshot& c : result.state) {
    ends[c.id] = c.clock;
    for (const sim::Settlement& s : c.settlements) {
      population += static_cast<double>(s.population);
      level += s.level;
      ++settlements;
    }
  }
  out.values = {mean(population, settlements), mean(level, settlements)};
  out.notes.assign(2, "");
  const std::size_t levels = static_cast<std::size_t>(std::max(0, spec.top_level - 1));
  std::vector<double> day_sum(levels, 0);
  std::vector<std::size_t> reached(levels, 0);
  std::vector<double> lowest(spec.resources.size(), std::numeric_limits<double>::infinity());
  std::uint64_t paid = 0, missed = 0;
  bool all_goals = !result.timelines.settlements.empty();
  for (const auto& [key, t] : result.timelines.settlements) {
    const SettlementOutcome o = settlement_outcome(key, t, spec);
    for (std::size_t i = 0; i < levels; ++i)
      if (o.level_days[i]) {
        day_sum[i] += *o.level_days[i];
        ++reached[i];
      }
    for (std::size_t r = 0; r < spec.resources.size(); ++r) {
      const auto it = t.resources.find(spec.resources[r]);
      for (const report::Point& p : it == t.resources.end() ? Steps{{0, 0}} : it->second)
        lowest[r] = std::min(lowest[r], p.value);
    }
    paid += t.maintenance_paid;
    missed += t.maintenance_missed;
    all_goals = all_goals && o.meets_every_goal();
  }
  const std::size_t timelines = result.timelines.settlements.size();
  for (std::size_t i = 0; i < levels; ++i) {
    out.values.push_back(mean(day_sum[i], reached[i]));
    out.notes.push_back(std::to_string(reached[i]) + " of " + std::to_string(timelines) + " settlements reach it");
  }
  for (const double v : lowest) {
    out.values.push_back(std::isfinite(v) ? std::optional<double>(v) : std::nullopt);
    out.notes.push_back("");
  }
  out.values.push_back(paid + missed ? std::optional<double>(100.0 * static_cast<double>(missed) /
                                                             static_cast<double>(paid + missed))
                                     : std::nullopt);
  out.notes.push_back(std::to_string(missed) + " of " + std::to_string(paid + missed) + " payments missed");
  double damaged = 0;
  for (const auto& [key, st] : result.timelines.structures) {
    const auto start = spec.starts.find(key.campaign);
    const auto end = ends.find(key.campaign);
    if (start != spec.starts.end() && end != ends.end())
      damaged += share_of_time(st.status, start->second, end->second, is_damaged);
  }
  const auto structures = result.timelines.structures.size();
  out.values.push_back(structures ? std::optional<double>(100.0 * damaged / static_cast<double>(structures))
                                  : std::nullopt);
  out.notes.push_back("mean over " + std::to_string(structures) + " structures");
  if (!spec.goals.empty()) out.verdict = all_goals ? Verdict::Pass : Verdict::Fail;
  return out;
}

std::vector<report::SweepView> sweep_views(const TunePlan& plan, const std::vector<VariantResult>& results,
                                           const OutcomeSpec& spec) {
  std::vector<report::SweepView> views;
  const std::vector<Variant>& variants = plan.variants;
  if (variants.size() < 2 || results.size() != variants.size()) return views;
  const std::vector<std::size_t> swept = swept_settings(variants);
  const std::vector<std::string> names = short_paths(swept_paths(variants));
  const std::vector<std::string> labels = short_labels(variants);
  const std::vector<std::string> outcome = outcome_names(spec);
  std::vector<VariantOutcomes> outcomes;
  for (const VariantResult& r : results) outcomes.push_back(variant_outcomes(r, spec));
  bool several_sources = false;
  for (const Variant& v : variants) several_sources = several_sources || source_of(v) != source_of(variants.front());
  const std::string goal_note = spec.goals.empty() ? "" : " Green points meet every goal in every settlement; red ones miss one.";

  std::vector<std::size_t> numeric;  // indices into `swept`
  for (std::size_t k = 0; k < swept.size(); ++k) {
    const auto xs = numeric_values(variants, swept[k]);
    if (!xs) continue;
    numeric.push_back(k);
    // One line per combination of the source and the other swept values.
    std::vector<std::string> keys;
    for (const Variant& v : variants) {
      std::string key = several_sources ? source_of(v) : "";
      for (std::size_t j = 0; j < swept.size(); ++j)
        if (j != k) key += (key.empty() ? "" : " ") + names[j] + "=" + v.settings[swept[j]].value;
      keys.push_back(key.empty() ? "all" : key);
    }
    report::SweepView view;
    view.heading = "Sweep of " + variants.front().settings[swept[k]].path;
    view.line_labels = distinct(keys);
    view.note = "Outcomes of every settlement against " + names[k] +
                (view.line_labels.size() > 1 ? ", one line per value of the other swept rules." : ".") + goal_note +
                " Hover a point for its value.";
    for (std::size_t o = 0; o < outcome.size(); ++o) {
      report::SweepChart chart{outcome[o], names[k], {}};
      for (const std::string& line : view.line_labels) chart.lines.push_back({line, {}});
      for (std::size_t v = 0; v < variants.size(); ++v) {
        if (!outcomes[v].values[o]) continue;
        const std::size_t line = static_cast<std::size_t>(
            std::find(view.line_labels.begin(), view.line_labels.end(), keys[v]) - view.line_labels.begin());
        std::string tip = labels[v] + ": " + report::short_number(*outcomes[v].values[o]);
        if (!outcomes[v].notes[o].empty()) tip += " (" + outcomes[v].notes[o] + ")";
        chart.lines[line].points.push_back({(*xs)[v], *outcomes[v].values[o], tip, outcomes[v].verdict});
      }
      for (report::SweepLine& line : chart.lines)
        std::stable_sort(line.points.begin(), line.points.end(),
                         [](const report::SweepPoint& a, const report::SweepPoint& b) { return a.x < b.x; });
      view.charts.push_back(std::move(chart));
    }
    views.push_back(std::move(view));
  }

  if (numeric.size() == 2 && swept.size() == 2 && !several_sources) {
    const std::size_t a = swept[numeric[0]], b = swept[numeric[1]];
    std::vector<std::string> row_values, column_values;
    for (const Variant& v : variants) {
      row_values.push_back(v.settings[a].value);
      column_values.push_back(v.settings[b].value);
    }
    const std::vector<std::string> rows = distinct(row_values), columns = distinct(column_values);
    if (rows.size() <= kMaxHeatMapSide && columns.size() <= kMaxHeatMapSide) {
      report::SweepView view;
      view.heading = "Heat maps: " + names[numeric[0]] + " \u00d7 " + names[numeric[1]];
      view.note = "One cell per variant: " + names[numeric[0]] + " by row, " + names[numeric[1]] +
                  " by column; darker is higher." + (spec.goals.empty() ? "" : " A green frame meets every goal, a red one misses one.");
      for (std::size_t o = 0; o < outcome.size(); ++o) {
        report::HeatMap map;
        map.title = outcome[o];
        map.row_label = names[numeric[0]];
        map.column_label = names[numeric[1]];
        map.rows = rows;
        map.columns = columns;
        map.cells.assign(rows.size(), std::vector<std::optional<double>>(columns.size()));
        map.verdicts.assign(rows.size(), std::vector<Verdict>(columns.size(), Verdict::None));
        for (std::size_t v = 0; v < variants.size(); ++v) {
          const auto r = static_cast<std::size_t>(std::find(rows.begin(), rows.end(), row_values[v]) - rows.begin());
          const auto c =
              static_cast<std::size_t>(std::find(columns.begin(), columns.end(), column_values[v]) - columns.begin());
          map.cells[r][c] = outcomes[v].values[o];
          map.verdicts[r][c] = outcomes[v].verdict;
        }
        view.heat_maps.push_back(std::move(map));
      }
      views.push_back(std::move(view));
    }
  }
  return views;
}

}  // namespace hourglass::runtime::tune
