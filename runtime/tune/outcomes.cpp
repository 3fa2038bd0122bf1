#include "runtime/tune/outcomes.hpp"

#include <algorithm>
#include <set>

#include "report/number_format.hpp"

namespace hourglass::runtime::tune {
namespace {

const Steps& metric_series(const SettlementTimeline& t, const std::string& metric) {
  static const Steps kNone;
  if (metric == "level") return t.level;
  if (metric == "population") return t.population;
  const auto it = t.resources.find(metric);
  return it == t.resources.end() ? kNone : it->second;
}

}  // namespace

bool SettlementOutcome::meets_every_goal() const {
  return std::all_of(goals.begin(), goals.end(), [](bool met) { return met; });
}

OutcomeSpec outcome_spec(const std::vector<actors::CampaignSeed>& campaigns, const std::vector<Goal>& goals,
                         const std::vector<VariantResult>& results) {
  OutcomeSpec spec;
  for (const actors::CampaignSeed& c : campaigns) spec.starts[c.id] = c.clock;
  spec.goals = goals;
  std::set<std::string> resources;
  for (const VariantResult& r : results) {
    for (const auto& [key, t] : r.timelines.settlements) {
      for (const report::Point& p : t.level) spec.top_level = std::max(spec.top_level, static_cast<int>(p.value));
      for (const auto& entry : t.resources) resources.insert(entry.first);
    }
  }
  spec.resources.assign(resources.begin(), resources.end());
  return spec;
}

SettlementOutcome settlement_outcome(const EntityKey& key, const SettlementTimeline& timeline,
                                     const OutcomeSpec& spec) {
  const auto start_it = spec.starts.find(key.campaign);
  const sim::WorldTime start = start_it == spec.starts.end() ? timeline.first_time : start_it->second;
  SettlementOutcome out;
  for (int level = 2; level <= spec.top_level; ++level)
    out.level_days.push_back(first_day(timeline.level, start, [level](double v) { return v >= level; }));
  for (const std::string& name : spec.resources)
    out.zero_days.push_back(first_day(metric_series(timeline, name), start, [](double v) { return v <= 0; }));
  for (const Goal& goal : spec.goals) out.goals.push_back(goal_met(goal, metric_series(timeline, goal.metric), start));
  return out;
}

std::vector<std::size_t> variants_meeting_goals(const std::vector<VariantResult>& results, const OutcomeSpec& spec) {
  std::vector<std::size_t> out;
  for (std::size_t v = 0; v < results.size(); ++v) {
    bool all = !results[v].timelines.settlements.empty();
    for (const auto& [key, t] : results[v].timelines.settlements)
      all = all && settlement_outcome(key, t, spec).meets_every_goal();
    if (all) out.push_back(v);
  }
  return out;
}

std::string day_text(double days) { return report::format_fixed(days, 1); }

}  // namespace hourglass::runtime::tune
