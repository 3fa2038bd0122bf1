#include "io/coalesce.hpp"

#include <algorithm>

#include <map>
#include <optional>
#include <utility>

namespace hourglass::io {

using nlohmann::json;

namespace {

enum class Target { Settlement, Structure, Event, Effect };

struct KindInfo {
  std::string_view kind;
  Target target;
  std::string_view entity_type;
};

constexpr KindInfo kKinds[] = {
    {"RESOURCE_GENERATION", Target::Settlement, "Settlement"},
    {"POPULATION_GROWTH", Target::Settlement, "Settlement"},
    {"LEVEL_UP", Target::Settlement, "Settlement"},
    {"CONSTRUCTION_COMPLETE", Target::Structure, "Structure"},
    {"MAINTENANCE_PAID", Target::Structure, "Structure"},
    {"MAINTENANCE_MISSED", Target::Structure, "Structure"},
    {"UPGRADE_AVAILABLE", Target::Structure, "Structure"},
    {"EVENT_EXPIRED", Target::Event, "Event"},
    {"DEFERRED_EFFECT", Target::Effect, "Effect"},
};

const KindInfo* find_kind(std::string_view kind) {
  for (const KindInfo& k : kKinds)
    if (k.kind == kind) return &k;
  return nullptr;
}

const std::string kResourcePrefix = "resources.";

bool is_resource_key(const std::string& key) {
  return key.size() > kResourcePrefix.size() && key.compare(0, kResourcePrefix.size(), kResourcePrefix) == 0;
}

class LineReader {
 public:
  explicit LineReader(std::size_t line) : line_(line) {}

  [[noreturn]] void fail(const std::string& message) const { throw CoalesceError(line_, message); }

  std::string string_field(const json& obj, const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) fail(std::string("$.") + key + ": required field is missing");
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
      fail(std::string("$.") + key + ": expected a non-empty string, got " + it->dump());
    return it->get<std::string>();
  }

  const json& object_field(const json& obj, const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) fail(std::string("$.") + key + ": required field is missing");
    if (!it->is_object()) fail(std::string("$.") + key + ": expected an object, got " + it->dump());
    return *it;
  }

  // Every key of `changes` must be one the target entity has, with a value
  // of the right type.
  void check_changes(const json& changes, Target target, const char* path) const {
    for (const auto& [key, value] : changes.items()) {
      const std::string at = std::string("$.") + path + "." + key;
      bool ok = false;
      switch (target) {
        case Target::Settlement:
          ok = (key == "population" || key == "level" || is_resource_key(key)) && value.is_number_integer();
          break;
        case Target::Structure:
          ok = (key == "status" && value.is_string()) || (key == "condition" && value.is_number_integer());
          break;
        case Target::Event: ok = key == "isCompleted" && value.is_boolean(); break;
        case Target::Effect: ok = false; break;
      }
      if (!ok) fail(at + ": unexpected change " + value.dump() + " for this kind of record");
    }
  }

 private:
  std::size_t line_;
};

struct Coalescer {
  std::vector<EntityWrite> writes;
  std::map<std::pair<EntityWrite::Kind, std::string>, std::size_t> index;
  std::optional<std::string> campaign;

  EntityWrite& write_for(EntityWrite::Kind kind, const std::string& id) {
    auto [it, inserted] = index.try_emplace({kind, id}, writes.size());
    if (inserted) {
      EntityWrite w;
      w.kind = kind;
      w.entity_id = id;
      writes.push_back(std::move(w));
    }
    return writes[it->second];
  }

  static void merge(EntityWrite& w, const json& changes, std::string key, sim::WorldTime t) {
    for (const auto& [k, v] : changes.items()) w.changes[k] = v;
    w.idempotency_key = std::move(key);
    w.world_time = t;
  }

  void add(const std::string& text, std::size_t line) {
    const LineReader r(line);
    const json rec = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (rec.is_discarded()) r.fail("not JSON");
    if (!rec.is_object()) r.fail("$: expected a record object");

    const std::string campaign_id = r.string_field(rec, "campaignId");
    if (!campaign) campaign = campaign_id;
    if (campaign_id != *campaign)
      r.fail("$.campaignId: \"" + campaign_id + "\" differs from \"" + *campaign +
             "\" (one advance of one campaign)");

    const std::string time_text = r.string_field(rec, "worldTime");
    const std::optional<sim::WorldTime> t = sim::parse_world_time(time_text);
    if (!t) r.fail("$.worldTime: bad time \"" + time_text + "\"");

    const std::string kind = r.string_field(rec, "kind");
    const KindInfo* info = find_kind(kind);
    if (!info) r.fail("$.kind: unknown record kind \"" + kind + "\"");
    const std::string entity_type = r.string_field(rec, "entityType");
    if (entity_type != info->entity_type)
      r.fail("$.entityType: \"" + entity_type + "\" does not go with kind " + kind + " (expected " +
             std::string(info->entity_type) + ")");
    const std::string entity_id = r.string_field(rec, "entityId");
    const json& changes = r.object_field(rec, "changes");
    r.check_changes(changes, info->target, "changes");

    const std::string ms = std::to_string(*t);
    const std::string key = campaign_id + ":" + entity_type + ":" + entity_id + ":" + kind + ":" + ms;

    switch (info->target) {
      case Target::Settlement: merge(write_for(EntityWrite::Kind::Settlement, entity_id), changes, key, *t); break;
      case Target::Event: merge(write_for(EntityWrite::Kind::ExpireEvent, entity_id), changes, key, *t); break;
      case Target::Effect: merge(write_for(EntityWrite::Kind::ExecuteEffect, entity_id), changes, key, *t); break;
      case Target::Structure: {
        if (kind == "UPGRADE_AVAILABLE") break;  // a notice: nothing changes
        if (kind == "MAINTENANCE_PAID") {
          const std::string settlement_id = r.string_field(rec, "settlementId");
          const json& settlement_changes = r.object_field(rec, "settlementChanges");
          r.check_changes(settlement_changes, Target::Settlement, "settlementChanges");
          if (!changes.empty()) merge(write_for(EntityWrite::Kind::Structure, entity_id), changes, key, *t);
          if (!settlement_changes.empty())
            merge(write_for(EntityWrite::Kind::Settlement, settlement_id), settlement_changes,
                  campaign_id + ":Settlement:" + settlement_id + ":" + kind + ":" + ms, *t);
          break;
        }
        if (changes.empty()) break;  // MAINTENANCE_MISSED {}: a notice
        EntityWrite& w = write_for(EntityWrite::Kind::Structure, entity_id);
        merge(w, changes, key, *t);
        if (kind == "CONSTRUCTION_COMPLETE") w.changes["activeSince"] = sim::format_world_time(*t);
        break;
      }
    }
  }
};

}  // namespace

const char* to_string(EntityWrite::Kind kind) {
  switch (kind) {
    case EntityWrite::Kind::Settlement: return "Settlement";
    case EntityWrite::Kind::Structure: return "Structure";
    case EntityWrite::Kind::ExpireEvent: return "ExpireEvent";
    case EntityWrite::Kind::ExecuteEffect: return "ExecuteEffect";
  }
  return "unknown";
}

std::vector<EntityWrite> coalesce(const std::vector<std::string>& record_lines) {
  Coalescer c;
  for (std::size_t i = 0; i < record_lines.size(); ++i) c.add(record_lines[i], i + 1);
  return std::move(c.writes);
}

void attach_carries(std::vector<EntityWrite>& writes, const std::string& campaign_id,
                    const std::map<std::string, double>& carries, sim::WorldTime time) {
  for (const auto& [id, carry] : carries) {
    auto it = std::find_if(writes.begin(), writes.end(), [&, &id = id](const EntityWrite& w) {
      return w.kind == EntityWrite::Kind::Settlement && w.entity_id == id;
    });
    if (it != writes.end()) {
      it->changes["carry"] = carry;
      continue;
    }
    EntityWrite w;
    w.kind = EntityWrite::Kind::Settlement;
    w.entity_id = id;
    w.changes["carry"] = carry;
    w.world_time = time;
    w.idempotency_key = campaign_id + ":Settlement:" + id + ":CARRY:" + std::to_string(time);
    writes.push_back(std::move(w));
  }
}

std::vector<EntityWrite> coalesce_jsonl(std::string_view text) {
  Coalescer c;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t end = text.find('\n');
    std::string_view one = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
    if (one.find_first_not_of(" \t") == std::string_view::npos) continue;
    c.add(std::string(one), line);
  }
  return std::move(c.writes);
}

}  // namespace hourglass::io
