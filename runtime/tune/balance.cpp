#include "runtime/tune/balance.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace hourglass::runtime::tune {
namespace {

std::string percent(double share) { return std::to_string(static_cast<int>(std::lround(share * 100))) + "%"; }

bool at_zero(double v) { return v <= 0; }
bool damaged(double v) { return v == 2; }  // status_categories(): DAMAGED

std::string name_of(const EntityKey& key, bool several_campaigns) {
  return several_campaigns ? key.campaign + " / " + key.id : key.id;
}

// Does this settlement variable override `rest` (the path after "settlement.")?
bool settlement_overrides(const sim::SettlementOverrides& o, const std::string& rest, std::string& variable) {
  const std::string field = rest.substr(0, rest.find('.'));
  if (field == "populationGrowthRate" && o.population_growth_rate) variable = field;
  else if (field == "populationGrowthIntervalMinutes" && o.population_growth_interval) variable = field;
  else if (field == "resourceGenerationIntervalMinutes" && o.resource_generation_interval) variable = field;
  else if (field == "levelUpCheckIntervalMinutes" && o.level_up_check_interval) variable = field;
  else if (field == "baseGeneration" && o.generation_rates) variable = "generationRates";
  return !variable.empty();
}

bool structure_overrides(const sim::StructureOverrides& o, const std::string& field) {
  if (field == "constructionMinutes") return o.construction.has_value();
  if (field == "maintenanceIntervalMinutes") return o.maintenance_interval.has_value();
  if (field == "upgradeIntervalMinutes") return o.upgrade_interval.has_value();
  if (field == "maintenanceCost") return o.maintenance_cost.has_value();
  if (field == "upgradeCost") return o.upgrade_cost.has_value();
  if (field == "produces") return o.produces.has_value();
  if (field == "growthBonus") return o.growth_bonus.has_value();
  if (field == "maxLevel") return o.max_level.has_value();
  return false;
}

// "structures.farm.maintenanceCost.gold" → {"farm", "maintenanceCost"}.
std::pair<std::string, std::string> type_and_field(const std::string& path) {
  const std::string rest = path.substr(std::string("structures.").size());
  const auto dot = rest.find('.');
  if (dot == std::string::npos) return {rest, ""};
  const std::string field = rest.substr(dot + 1);
  return {rest.substr(0, dot), field.substr(0, field.find('.'))};
}

}  // namespace

double share_of_time(const std::vector<report::Point>& series, sim::WorldTime start, sim::WorldTime end,
                     bool (*test)(double)) {
  if (end <= start || series.empty()) return 0;
  sim::WorldTime passing = 0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const sim::WorldTime from = std::max(start, series[i].time_ms);
    const sim::WorldTime to = std::min(end, i + 1 < series.size() ? series[i + 1].time_ms : end);
    if (to > from && test(series[i].value)) passing += to - from;
  }
  return static_cast<double>(passing) / static_cast<double>(end - start);
}

std::vector<std::string> rules_warnings(const sim::Rules& rules) {
  std::vector<std::string> out;
  const auto& levels = rules.settlement.levels;
  for (std::size_t i = 0; i + 1 < levels.size(); ++i) {
    const auto& up = levels[i].level_up_population;
    if (up && *up > levels[i].population_cap) {
      out.push_back("level " + std::to_string(i + 2) + " can never be reached: settlement.levels." + std::to_string(i) +
                    ".levelUpPopulation (" + std::to_string(*up) + ") is above level " + std::to_string(i + 1) +
                    "'s populationCap (" + std::to_string(levels[i].population_cap) + ")");
      break;  // the levels above are out of reach too
    }
  }
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i].growth_multiplier <= 0)
      out.push_back("no settlement grows at level " + std::to_string(i + 1) + ": settlement.levels." +
                    std::to_string(i) + ".growthMultiplier is " + std::to_string(levels[i].growth_multiplier));
  std::set<std::string> produced;
  for (const auto& [name, amount] : rules.settlement.base_generation)
    if (amount > 0) produced.insert(name);
  for (const auto& [type, rule] : rules.structures)
    for (const auto& [name, amount] : rule->produces)
      if (amount > 0) produced.insert(name);
  for (const auto& [type, rule] : rules.structures)
    for (const auto& [name, amount] : rule->maintenance_cost)
      if (amount > 0 && !produced.count(name))
        out.push_back("structures." + type + ".maintenanceCost." + name + ": nothing produces " + name +
                      " (neither baseGeneration nor any structure), so " + type +
                      " structures miss every payment once a settlement's stock runs out");
  return out;
}

std::vector<std::string> outcome_warnings(const VariantResult& result, const sim::Rules& rules,
                                          const std::map<std::string, sim::WorldTime>& starts) {
  std::vector<std::string> out;
  const bool several = result.state.size() > 1;
  std::map<std::string, sim::WorldTime> ends;
  for (const sim::CampaignSnapshot& c : result.state) ends[c.id] = c.clock;
  auto span = [&](const EntityKey& key) {
    const auto s = starts.find(key.campaign);
    const auto e = ends.find(key.campaign);
    return std::pair<sim::WorldTime, sim::WorldTime>{s == starts.end() ? 0 : s->second,
                                                     e == ends.end() ? 0 : e->second};
  };
  for (const sim::CampaignSnapshot& c : result.state) {
    for (const sim::Settlement& s : c.settlements) {
      if (s.level < 1 || s.level > rules.level_count()) continue;
      const std::int64_t cap = rules.settlement.levels[static_cast<std::size_t>(s.level - 1)].population_cap;
      if (cap > 0 && s.population >= cap)
        out.push_back(name_of({c.id, s.id}, several) + ": population at its cap (" + std::to_string(cap) +
                      ", level " + std::to_string(s.level) + ") at the end");
    }
  }
  for (const auto& [key, t] : result.timelines.settlements) {
    const auto [start, end] = span(key);
    for (const auto& [name, series] : t.resources) {
      const double share = share_of_time(series, start, end, at_zero);
      if (share > kMostOfTheTime)
        out.push_back(name_of(key, several) + ": " + name + " at 0 for " + percent(share) + " of the time");
    }
  }
  for (const auto& [key, t] : result.timelines.structures) {
    const auto [start, end] = span(key);
    const double share = share_of_time(t.status, start, end, damaged);
    if (share > kMostOfTheTime)
      out.push_back(name_of(key, several) + " (" + t.type + " of " + t.settlement_id + "): DAMAGED " + percent(share) +
                    " of the time");
  }
  return out;
}

std::vector<std::string> override_warnings(const std::vector<std::string>& swept_paths,
                                           const std::vector<sim::CampaignSeed>& campaigns) {
  std::vector<std::string> out;
  const bool several = campaigns.size() > 1;
  for (const std::string& path : swept_paths) {
    for (const sim::CampaignSeed& c : campaigns) {
      for (const sim::SettlementPatch& s : c.settlements) {
        std::string why;
        if (path.rfind("settlement.", 0) == 0) {
          std::string variable;
          if (s.variables && settlement_overrides(*s.variables, path.substr(11), variable))
            why = "its own variable " + variable + " overrides it";
        } else if (path.rfind("structures.", 0) == 0) {
          const auto [type, field] = type_and_field(path);
          std::size_t of_type = 0, overriding = 0;
          for (const sim::StructurePatch& st : c.structures) {
            if (st.settlement_id != s.id || st.type != type) continue;
            ++of_type;
            if (st.variables && structure_overrides(*st.variables, field)) ++overriding;
          }
          if (of_type > 0 && overriding == of_type)
            why = "each of its " + type + " structures has its own variable " + field + " overriding it";
        }
        if (!why.empty())
          out.push_back(path + " is swept but changes nothing for " + name_of({c.id, s.id}, several) + ": " + why);
      }
    }
  }
  return out;
}

}  // namespace hourglass::runtime::tune
