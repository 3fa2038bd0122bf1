// Entity state (SPEC §2): what the engine keeps of each settlement,
// structure, event and deferred effect, including its world-time timers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/amounts.hpp"
#include "sim/rules.hpp"
#include "sim/timer.hpp"

namespace hourglass::sim {

// An entity's own `variables` that override rules of the same name.
struct SettlementOverrides {
  std::optional<double> population_growth_rate;
  std::optional<Duration> population_growth_interval;
  std::optional<Duration> resource_generation_interval;
  std::optional<Duration> level_up_check_interval;
  std::optional<Amounts> generation_rates;  // replaces settlement.baseGeneration
  bool operator==(const SettlementOverrides& o) const {
    return population_growth_rate == o.population_growth_rate &&
           population_growth_interval == o.population_growth_interval &&
           resource_generation_interval == o.resource_generation_interval &&
           level_up_check_interval == o.level_up_check_interval &&
           generation_rates == o.generation_rates;
  }
};

struct StructureOverrides {
  std::optional<Duration> construction;
  std::optional<Duration> maintenance_interval;
  std::optional<Duration> upgrade_interval;
  std::optional<Amounts> maintenance_cost;
  std::optional<Amounts> upgrade_cost;
  std::optional<Amounts> produces;
  std::optional<double> growth_bonus;
  std::optional<int> max_level;
  bool empty() const {
    return !construction && !maintenance_interval && !upgrade_interval && !maintenance_cost &&
           !upgrade_cost && !produces && !growth_bonus && !max_level;
  }
};

// Rules as they apply to one settlement: its rules with its overrides.
struct SettlementParams {
  double growth_rate = 0;
  Duration growth_interval = 0;
  Duration resource_interval = 0;
  Duration level_up_interval = 0;
  Amounts base_generation;
};

struct Settlement {
  std::string id;
  std::string name;
  int level = 1;
  std::int64_t population = 0;
  Amounts resources;
  WorldTime created_at = 0;  // the anchor of its timers
  SettlementOverrides overrides;
  double carry = 0.0;        // hidden fractional population

  SettlementParams params;   // derived from rules + overrides
  PeriodicTimer resource_timer;
  PeriodicTimer growth_timer;
  PeriodicTimer level_up_timer;
};

enum class StructureStatus : std::uint8_t { UnderConstruction, Active, Damaged };
const char* status_name(StructureStatus s);
std::optional<StructureStatus> parse_status(std::string_view s);

struct Structure {
  std::string id;
  std::string settlement_id;
  std::string type;
  int level = 1;
  StructureStatus status = StructureStatus::UnderConstruction;
  std::int64_t condition = 0;
  WorldTime created_at = 0;
  std::optional<WorldTime> construction_completes_at;
  std::optional<WorldTime> active_since;
  StructureOverrides overrides;

  // Its type's rule, or a merged copy when it has overrides.
  std::shared_ptr<const StructureTypeRule> rule;
  WorldTime construction_due = kNever;  // one-shot, while UNDER_CONSTRUCTION
  PeriodicTimer maintenance_timer;
  PeriodicTimer upgrade_timer;
  // Where its costs' resources sit in its settlement's (a cache of the hot loop).
  SlotIndex maintenance_slots;
  SlotIndex upgrade_slots;
};

struct Event {
  std::string id;
  WorldTime scheduled_at = 0;
  bool completed = false;
  WorldTime due = kNever;  // scheduled_at + grace while pending
};

struct Effect {
  std::string id;
  WorldTime execute_at = 0;
};

// What rules + overrides make of an entity: recomputed whenever either changes.
SettlementParams settlement_params(const Rules& rules, const SettlementOverrides& o);
std::shared_ptr<const StructureTypeRule> structure_rule(const Rules& rules,
                                                        const std::string& type,
                                                        const StructureOverrides& o);

}  // namespace hourglass::sim
