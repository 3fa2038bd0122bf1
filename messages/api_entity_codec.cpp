#include "messages/api_entity_codec.hpp"

#include <climits>
#include <string>

namespace hourglass::messages {
namespace {

struct EngineKey {
  const char* key;
  json absent;  // the engine's value when the API holds none; null: the key is left out
};

// Moves the engine-owned keys of the API's `variables` into `entity`; the
// rest stays the entity's own `variables`.
void split_variables(const json& api_variables, std::initializer_list<EngineKey> engine_keys, json& entity) {
  json vars = api_variables.is_object() ? api_variables : json::object();
  for (const EngineKey& k : engine_keys) {
    auto it = vars.find(k.key);
    json value = k.absent;
    if (it != vars.end()) {
      if (!it->is_null()) value = std::move(*it);
      vars.erase(it);
    }
    if (!value.is_null()) entity[k.key] = std::move(value);
  }
  vars.erase(kWriteMarkerVariable);  // Hourglass's own bookkeeping, not the entity's
  entity["variables"] = std::move(vars);
}

}  // namespace

json settlement_entity_json(const ApiSettlement& s) {
  json e = {{"id", s.id}, {"name", ""}, {"level", s.level}};  // the API's name cannot be read (ApiSettlement)
  split_variables(s.variables,
                  {{"population", 0}, {"resources", json::object()}, {"carry", nullptr}, {"createdAt", nullptr}}, e);
  return e;
}

json structure_entity_json(const ApiStructure& s) {
  json e = {{"id", s.id},
            {"settlementId", s.settlement_id},
            {"type", s.type},
            {"level", s.level}};
  split_variables(s.variables,
                  {{"status", "UNDER_CONSTRUCTION"},
                   {"condition", 0},
                   {"createdAt", nullptr},
                   {"constructionCompletesAt", nullptr},
                   {"activeSince", nullptr}},
                  e);
  return e;
}

json event_entity_json(const ApiEvent& e) {
  return {{"id", e.id}, {"scheduledAt", sim::format_world_time(e.scheduled_at)}, {"isCompleted", e.is_completed}};
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
    if (key == "createdAt" && out.contains("createdAt")) continue;  // a stored anchor is never moved
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

json write_marker_json(const std::string& idempotency_key, sim::WorldTime as_of, std::uint64_t seq) {
  return {{"key", idempotency_key}, {"asOf", sim::format_world_time(as_of)}, {"seq", seq}};
}

std::optional<std::uint64_t> write_marker_seq(const json& api_variables) {
  if (!api_variables.is_object()) return std::nullopt;
  const json* marker = member(api_variables, kWriteMarkerVariable);
  if (!marker || !marker->is_object()) return std::nullopt;
  const json* seq = member(*marker, "seq");
  if (!seq) return std::nullopt;
  const auto n = whole_number(*seq);
  if (!n || *n < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

}  // namespace hourglass::messages
