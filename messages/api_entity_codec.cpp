#include "messages/api_entity_codec.hpp"

#include <climits>
#include <string>

namespace hourglass::messages {
namespace {

json take(json& vars, const char* key) {
  auto it = vars.find(key);
  if (it == vars.end()) return nullptr;
  json v = std::move(*it);
  vars.erase(it);
  return v;
}

}  // namespace

json settlement_entity_json(const ApiSettlement& s) {
  json vars = s.variables.is_object() ? s.variables : json::object();
  json population = take(vars, "population");
  json resources = take(vars, "resources");
  json carry = take(vars, "carry");
  json e = {{"id", s.id},
            {"name", s.name},
            {"level", s.level},
            {"population", population.is_null() ? json(0) : population},
            {"resources", resources.is_null() ? json::object() : resources},
            {"createdAt", sim::format_world_time(s.created_at)},
            {"variables", std::move(vars)}};
  if (!carry.is_null()) e["carry"] = carry;
  return e;
}

json structure_entity_json(const ApiStructure& s) {
  json vars = s.variables.is_object() ? s.variables : json::object();
  json status = take(vars, "status");
  json condition = take(vars, "condition");
  json completes = take(vars, "constructionCompletesAt");
  json active_since = take(vars, "activeSince");
  json e = {{"id", s.id},
            {"settlementId", s.settlement_id},
            {"type", s.type},
            {"level", s.level},
            {"status", status.is_null() ? json("UNDER_CONSTRUCTION") : status},
            {"condition", condition.is_null() ? json(0) : condition},
            {"createdAt", sim::format_world_time(s.created_at)}};
  if (!completes.is_null()) e["constructionCompletesAt"] = completes;
  if (!active_since.is_null()) e["activeSince"] = active_since;
  e["variables"] = std::move(vars);
  return e;
}

json event_entity_json(const ApiEvent& e) {
  return {{"id", e.id}, {"scheduledAt", sim::format_world_time(e.scheduled_at)}, {"isCompleted", e.is_completed}};
}

json effect_entity_json(const ApiEffect& e) {
  return {{"id", e.id}, {"executeAt", sim::format_world_time(e.execute_at)}};
}

json merged_variables(const json& api_variables, const json& engine_changes) {
  json out = api_variables.is_object() ? api_variables : json::object();
  if (!engine_changes.is_object()) return out;
  auto resources = [&]() -> json& {
    json& r = out["resources"];
    if (!r.is_object()) r = json::object();
    return r;
  };
  static const std::string kPrefix = "resources.";
  for (const auto& [key, value] : engine_changes.items()) {
    if (key == "level" || key == "name" || key == "type") continue;
    if (key.compare(0, kPrefix.size(), kPrefix) == 0) {
      resources()[key.substr(kPrefix.size())] = value;
    } else if (key == "resources" && value.is_object()) {
      for (const auto& [name, amount] : value.items()) resources()[name] = amount;
    } else {
      out[key] = value;
    }
  }
  return out;
}

std::optional<int> changed_level(const json& engine_changes) {
  const json* level = engine_changes.is_object() ? member(engine_changes, "level") : nullptr;
  const std::optional<std::int64_t> n = level ? whole_number(*level) : std::nullopt;
  if (!n || *n < INT_MIN || *n > INT_MAX) return std::nullopt;
  return static_cast<int>(*n);
}

}  // namespace hourglass::messages
