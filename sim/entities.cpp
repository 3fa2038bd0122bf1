#include "sim/entities.hpp"

namespace hourglass::sim {

const char* status_name(StructureStatus s) {
  switch (s) {
    case StructureStatus::UnderConstruction: return "UNDER_CONSTRUCTION";
    case StructureStatus::Active: return "ACTIVE";
    case StructureStatus::Damaged: return "DAMAGED";
  }
  return "?";
}

std::optional<StructureStatus> parse_status(std::string_view s) {
  if (s == "UNDER_CONSTRUCTION") return StructureStatus::UnderConstruction;
  if (s == "ACTIVE") return StructureStatus::Active;
  if (s == "DAMAGED") return StructureStatus::Damaged;
  return std::nullopt;
}

SettlementParams settlement_params(const Rules& rules, const SettlementOverrides& o) {
  const SettlementRules& r = rules.settlement;
  SettlementParams p;
  p.growth_rate = o.population_growth_rate.value_or(r.population_growth_rate);
  p.growth_interval = o.population_growth_interval.value_or(r.population_growth_interval);
  p.resource_interval = o.resource_generation_interval.value_or(r.resource_generation_interval);
  p.level_up_interval = o.level_up_check_interval.value_or(r.level_up_check_interval);
  p.base_generation = o.generation_rates ? *o.generation_rates : r.base_generation;
  return p;
}

std::shared_ptr<const StructureTypeRule> structure_rule(const Rules& rules,
                                                        const std::string& type,
                                                        const StructureOverrides& o) {
  auto it = rules.structures.find(type);
  if (it == rules.structures.end()) return nullptr;
  if (o.empty()) return it->second;
  auto merged = std::make_shared<StructureTypeRule>(*it->second);
  if (o.construction) merged->construction = *o.construction;
  if (o.maintenance_interval) merged->maintenance_interval = *o.maintenance_interval;
  if (o.upgrade_interval) merged->upgrade_interval = *o.upgrade_interval;
  if (o.maintenance_cost) merged->maintenance_cost = *o.maintenance_cost;
  if (o.upgrade_cost) merged->upgrade_cost = *o.upgrade_cost;
  if (o.produces) merged->produces = *o.produces;
  if (o.growth_bonus) merged->growth_bonus = *o.growth_bonus;
  if (o.max_level) merged->max_level = *o.max_level;
  return merged;
}

}  // namespace hourglass::sim
