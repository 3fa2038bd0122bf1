#include "runtime/tune/rules_json.hpp"

namespace hourglass::runtime::tune {
namespace {

using nlohmann::json;

// Whole minutes as integers; anything finer as a fraction of a minute.
json minutes(sim::Duration ms) {
  if (ms % sim::kMsPerMinute == 0) return ms / sim::kMsPerMinute;
  return static_cast<double>(ms) / static_cast<double>(sim::kMsPerMinute);
}

json amounts(const sim::Amounts& a) {
  json out = json::object();
  for (const auto& [name, value] : a) out[name] = value;
  return out;
}

json structure_type(const sim::StructureTypeRule& t) {
  return {{"constructionMinutes", minutes(t.construction)},
          {"maintenanceIntervalMinutes", minutes(t.maintenance_interval)},
          {"upgradeIntervalMinutes", minutes(t.upgrade_interval)},
          {"maintenanceCost", amounts(t.maintenance_cost)},
          {"upgradeCost", amounts(t.upgrade_cost)},
          {"produces", amounts(t.produces)},
          {"growthBonus", t.growth_bonus},
          {"maxLevel", t.max_level}};
}

}  // namespace

json effective_rules_json(const sim::Rules& rules) {
  const sim::SettlementRules& s = rules.settlement;
  json levels = json::array();
  for (const sim::LevelRule& level : s.levels) {
    json l = {{"growthMultiplier", level.growth_multiplier}, {"populationCap", level.population_cap}};
    if (level.level_up_population) l["levelUpPopulation"] = *level.level_up_population;
    levels.push_back(std::move(l));
  }
  json structures = json::object();
  for (const auto& [name, type] : rules.structures) structures[name] = structure_type(*type);
  json doc = {
      {"settlement",
       {{"populationGrowthRate", s.population_growth_rate},
        {"populationGrowthIntervalMinutes", minutes(s.population_growth_interval)},
        {"resourceGenerationIntervalMinutes", minutes(s.resource_generation_interval)},
        {"levelUpCheckIntervalMinutes", minutes(s.level_up_check_interval)},
        {"baseGeneration", amounts(s.base_generation)},
        {"levels", std::move(levels)}}},
      {"structures", std::move(structures)},
      {"maintenance",
       {{"repairPerPayment", rules.maintenance.repair_per_payment},
        {"conditionLossPerMiss", rules.maintenance.condition_loss_per_miss},
        {"damagedBelow", rules.maintenance.damaged_below}}},
      {"events", {{"graceMinutes", minutes(rules.event_grace)}}},
      {"version", rules.version}};
  return doc;
}

}  // namespace hourglass::runtime::tune
