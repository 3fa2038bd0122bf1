#include "messages/entity_codec.hpp"

namespace hourglass::messages {
namespace {

constexpr double kMinInterval = 1.0;

// Reads `key` when present; when absent and `complete`, it is a fault.
template <class Read>
auto optional_field(const json& obj, std::string_view key, const std::string& path,
                    bool required, Read read) -> std::optional<decltype(read(obj, path))> {
  const json* v = member(obj, key);
  if (!v) {
    if (required) throw InputError(child_path(path, key), "required field is missing");
    return std::nullopt;
  }
  return read(*v, child_path(path, key));
}

std::string read_id(const json& v, const std::string& path) {
  return read_string(require_member(v, "id", path), child_path(path, "id"));
}

// An entity's own variables that override rules of the same name (SPEC §2).
// Names the engine does not know are left alone: variables are free-form.
sim::SettlementOverrides read_settlement_variables(const json& v, const std::string& path) {
  expect_object(v, path);
  sim::SettlementOverrides o;
  auto interval = [&](const char* key) -> std::optional<sim::Duration> {
    if (const json* x = member(v, key)) return read_minutes(*x, child_path(path, key), kMinInterval);
    return std::nullopt;
  };
  if (const json* x = member(v, "populationGrowthRate"))
    o.population_growth_rate = read_number(*x, child_path(path, "populationGrowthRate"));
  o.population_growth_interval = interval("populationGrowthIntervalMinutes");
  o.resource_generation_interval = interval("resourceGenerationIntervalMinutes");
  o.level_up_check_interval = interval("levelUpCheckIntervalMinutes");
  // `generationRates` is the entity's name for it; the rule's own name works too.
  if (const json* x = member(v, "baseGeneration"))
    o.generation_rates = read_amounts(*x, child_path(path, "baseGeneration"), false);
  if (const json* x = member(v, "generationRates"))
    o.generation_rates = read_amounts(*x, child_path(path, "generationRates"), false);
  return o;
}

sim::StructureOverrides read_structure_variables(const json& v, const std::string& path) {
  expect_object(v, path);
  sim::StructureOverrides o;
  auto minutes = [&](const char* key, double min) -> std::optional<sim::Duration> {
    if (const json* x = member(v, key)) return read_minutes(*x, child_path(path, key), min);
    return std::nullopt;
  };
  auto amounts = [&](const char* key, bool non_negative) -> std::optional<sim::Amounts> {
    if (const json* x = member(v, key)) return read_amounts(*x, child_path(path, key), non_negative);
    return std::nullopt;
  };
  o.construction = minutes("constructionMinutes", 0.0);
  o.maintenance_interval = minutes("maintenanceIntervalMinutes", kMinInterval);
  o.upgrade_interval = minutes("upgradeIntervalMinutes", kMinInterval);
  o.maintenance_cost = amounts("maintenanceCost", true);
  o.upgrade_cost = amounts("upgradeCost", true);
  o.produces = amounts("produces", false);
  if (const json* x = member(v, "growthBonus"))
    o.growth_bonus = read_number(*x, child_path(path, "growthBonus"));
  if (const json* x = member(v, "maxLevel"))
    o.max_level = static_cast<int>(read_int(*x, child_path(path, "maxLevel"), 1, 1'000'000));
  return o;
}

}  // namespace

sim::SettlementPatch read_settlement(const json& v, const std::string& path,
                                     const sim::Rules& rules, bool complete) {
  expect_object(v, path);
  sim::SettlementPatch p;
  p.id = read_id(v, path);
  p.name = optional_field(v, "name", path, complete,
                          [](const json& x, const std::string& at) { return read_string(x, at, true); });
  p.level = optional_field(v, "level", path, complete, [&](const json& x, const std::string& at) {
    return static_cast<int>(read_int(x, at, 1, rules.level_count()));
  });
  p.population = optional_field(v, "population", path, complete,
                                [](const json& x, const std::string& at) { return read_int(x, at, 0); });
  p.resources = optional_field(v, "resources", path, complete, [](const json& x, const std::string& at) {
    return read_amounts(x, at, true);
  });
  p.created_at = optional_field(v, "createdAt", path, false, read_time);
  p.variables = optional_field(v, "variables", path, false, read_settlement_variables);
  p.carry = optional_field(v, "carry", path, false, [](const json& x, const std::string& at) {
    return read_number(x, at);
  });
  return p;
}

sim::StructurePatch read_structure(const json& v, const std::string& path,
                                   const sim::Rules& rules, bool complete) {
  expect_object(v, path);
  sim::StructurePatch p;
  p.id = read_id(v, path);
  p.settlement_id = optional_field(v, "settlementId", path, complete,
                                   [](const json& x, const std::string& at) { return read_string(x, at); });
  p.type = optional_field(v, "type", path, complete, [&](const json& x, const std::string& at) {
    std::string type = read_string(x, at);
    if (!rules.structure_type(type))
      throw InputError(at, "unknown structure type \"" + type + "\" (not in the rules' structures)");
    return type;
  });
  p.level = optional_field(v, "level", path, complete, [](const json& x, const std::string& at) {
    return static_cast<int>(read_int(x, at, 1, 1'000'000));
  });
  p.status = optional_field(v, "status", path, complete, [](const json& x, const std::string& at) {
    auto s = sim::parse_status(read_string(x, at));
    if (!s) throw InputError(at, "unknown status " + x.dump() +
                                     " (expected UNDER_CONSTRUCTION, ACTIVE or DAMAGED)");
    return *s;
  });
  p.condition = optional_field(v, "condition", path, complete,
                               [](const json& x, const std::string& at) { return read_int(x, at, 0, 100); });
  p.created_at = optional_field(v, "createdAt", path, false, read_time);
  p.construction_completes_at = optional_field(v, "constructionCompletesAt", path, false, read_time);
  p.active_since = optional_field(v, "activeSince", path, false, read_time);
  p.variables = optional_field(v, "variables", path, false, read_structure_variables);
  return p;
}

sim::EventPatch read_event(const json& v, const std::string& path, bool complete) {
  expect_object(v, path);
  sim::EventPatch p;
  p.id = read_id(v, path);
  p.scheduled_at = optional_field(v, "scheduledAt", path, complete, read_time);
  p.completed = optional_field(v, "isCompleted", path, false, read_bool);
  return p;
}

sim::EffectPatch read_effect(const json& v, const std::string& path, bool complete) {
  expect_object(v, path);
  sim::EffectPatch p;
  p.id = read_id(v, path);
  p.execute_at = optional_field(v, "executeAt", path, complete, read_time);
  return p;
}

}  // namespace hourglass::messages
