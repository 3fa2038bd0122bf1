// The rules designers tune (SPEC §5), already validated and converted to
// milliseconds. Reading them from JSON is messages/rules_codec's job.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/amounts.hpp"
#include "sim/time.hpp"

namespace hourglass::sim {

struct LevelRule {
  double growth_multiplier = 1.0;
  std::int64_t population_cap = 0;
  std::optional<std::int64_t> level_up_population;  // absent on the last level
};

struct SettlementRules {
  double population_growth_rate = 0.01;
  Duration population_growth_interval = 60 * kMsPerMinute;
  Duration resource_generation_interval = 60 * kMsPerMinute;
  Duration level_up_check_interval = 360 * kMsPerMinute;
  Amounts base_generation;
  std::vector<LevelRule> levels;
};

struct StructureTypeRule {
  Duration construction = 2880 * kMsPerMinute;
  Duration maintenance_interval = 120 * kMsPerMinute;
  Duration upgrade_interval = 360 * kMsPerMinute;
  Amounts maintenance_cost;
  Amounts upgrade_cost;
  Amounts produces;
  double growth_bonus = 0.0;
  int max_level = 3;
};

struct MaintenanceRules {
  std::int64_t repair_per_payment = 5;
  std::int64_t condition_loss_per_miss = 10;
  std::int64_t damaged_below = 50;
};

struct Rules {
  std::string version;
  SettlementRules settlement;
  // Shared so that structures without overrides point at their type's rule.
  std::map<std::string, std::shared_ptr<const StructureTypeRule>> structures;
  MaintenanceRules maintenance;
  Duration event_grace = 5 * kMsPerMinute;

  // The built-in defaults of SPEC §5.
  static const Rules& defaults();
  // The default `farm`: what a structure type's missing fields fall back to.
  static const StructureTypeRule& default_farm();

  const StructureTypeRule* structure_type(const std::string& type) const {
    auto it = structures.find(type);
    return it == structures.end() ? nullptr : it->second.get();
  }
  int level_count() const { return static_cast<int>(settlement.levels.size()); }
};

using RulesPtr = std::shared_ptr<const Rules>;

}  // namespace hourglass::sim
