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

namespace {

json amounts_json(const sim::Amounts& a) {
  json out = json::object();
  for (const auto& [name, value] : a) out[name] = value;
  return out;
}

// Milliseconds as the minutes read_minutes takes back (llround makes the
// round trip exact).
double minutes(sim::Duration ms) { return static_cast<double>(ms) / static_cast<double>(sim::kMsPerMinute); }

json settlement_variables_json(const sim::SettlementOverrides& o) {
  json v = json::object();
  if (o.population_growth_rate) v["populationGrowthRate"] = *o.population_growth_rate;
  if (o.population_growth_interval) v["populationGrowthIntervalMinutes"] = minutes(*o.population_growth_interval);
  if (o.resource_generation_interval)
    v["resourceGenerationIntervalMinutes"] = minutes(*o.resource_generation_interval);
  if (o.level_up_check_interval) v["levelUpCheckIntervalMinutes"] = minutes(*o.level_up_check_interval);
  if (o.generation_rates) v["generationRates"] = amounts_json(*o.generation_rates);
  return v;
}

json structure_variables_json(const sim::StructureOverrides& o) {
  json v = json::object();
  if (o.construction) v["constructionMinutes"] = minutes(*o.construction);
  if (o.maintenance_interval) v["maintenanceIntervalMinutes"] = minutes(*o.maintenance_interval);
  if (o.upgrade_interval) v["upgradeIntervalMinutes"] = minutes(*o.upgrade_interval);
  if (o.maintenance_cost) v["maintenanceCost"] = amounts_json(*o.maintenance_cost);
  if (o.upgrade_cost) v["upgradeCost"] = amounts_json(*o.upgrade_cost);
  if (o.produces) v["produces"] = amounts_json(*o.produces);
  if (o.growth_bonus) v["growthBonus"] = *o.growth_bonus;
  if (o.max_level) v["maxLevel"] = *o.max_level;
  return v;
}

json time_json(sim::WorldTime t) { return sim::format_world_time(t); }

}  // namespace

json settlement_json(const sim::Settlement& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"level", s.level},
          {"population", s.population},
          {"resources", amounts_json(s.resources)},
          {"createdAt", time_json(s.created_at)},
          {"variables", settlement_variables_json(s.overrides)},
          {"carry", s.carry}};
}

json structure_json(const sim::Structure& s) {
  json out = {{"id", s.id},
              {"settlementId", s.settlement_id},
              {"type", s.type},
              {"level", s.level},
              {"status", sim::status_name(s.status)},
              {"condition", s.condition},
              {"createdAt", time_json(s.created_at)},
              {"variables", structure_variables_json(s.overrides)}};
  if (s.construction_completes_at) out["constructionCompletesAt"] = time_json(*s.construction_completes_at);
  if (s.active_since) out["activeSince"] = time_json(*s.active_since);
  return out;
}

json event_json(const sim::Event& e) {
  return {{"id", e.id}, {"scheduledAt", time_json(e.scheduled_at)}, {"isCompleted", e.completed}};
}

json effect_json(const sim::Effect& e) { return {{"id", e.id}, {"executeAt", time_json(e.execute_at)}}; }

json known_settlement_variables(const json& variables, const std::string& path) {
  return settlement_variables_json(read_settlement_variables(variables, path));
}

json known_structure_variables(const json& variables, const std::string& path) {
  return structure_variables_json(read_structure_variables(variables, path));
}

}  // namespace hourglass::messages
