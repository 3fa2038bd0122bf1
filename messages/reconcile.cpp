#include "messages/reconcile.hpp"

#include <map>

#include "messages/entity_codec.hpp"

namespace hourglass::messages {
namespace {

json or_empty(const json& entity, const char* key) {
  const json* v = member(entity, key);
  return v ? *v : json::object();
}

// What of an entity reconciling compares (see the header).
json compared(EntityKind kind, const json& e) {
  json out = json::object();
  auto copy = [&](const char* key) {
    if (const json* v = member(e, key)) out[key] = *v;
  };
  try {
    switch (kind) {
      case EntityKind::Settlement:
        out["variables"] = known_settlement_variables(or_empty(e, "variables"), "variables");
        break;
      case EntityKind::Structure:
        for (const char* key : {"settlementId", "type", "level", "constructionCompletesAt"}) copy(key);
        out["variables"] = known_structure_variables(or_empty(e, "variables"), "variables");
        break;
      case EntityKind::Event: copy("scheduledAt"); break;
      default: break;
    }
  } catch (const InputError&) {
    out["unreadable"] = true;  // differs from any readable copy
  }
  return out;
}

std::map<std::string, json> by_id(const json& list) {
  std::map<std::string, json> out;
  if (!list.is_array()) return out;
  for (const json& e : list)
    if (const json* id = member(e, "id"); id && id->is_string()) out.emplace(id->get<std::string>(), e);
  return out;
}

}  // namespace

std::vector<ReconcileChange> reconcile_changes(const json& checkpoint_campaign, const std::vector<ListedEntity>& api) {
  std::vector<ReconcileChange> out;
  const std::pair<EntityKind, const char*> kinds[] = {
      {EntityKind::Settlement, "settlements"}, {EntityKind::Structure, "structures"}, {EntityKind::Event, "events"}};
  for (const auto& [kind, key] : kinds) {
    const std::map<std::string, json> mine = by_id(checkpoint_campaign.is_object() ? or_empty(checkpoint_campaign, key) : json());
    std::map<std::string, json> theirs;
    for (const ListedEntity& l : api)
      if (l.kind == kind)
        if (const json* id = member(l.entity, "id"); id && id->is_string()) theirs.emplace(id->get<std::string>(), l.entity);
    for (const auto& [id, e] : theirs)
      if (!mine.count(id)) out.push_back({kind, Operation::Create, id});
    for (const auto& [id, e] : theirs)
      if (auto m = mine.find(id); m != mine.end() && compared(kind, m->second) != compared(kind, e))
        out.push_back({kind, Operation::Update, id});
    if (kind == EntityKind::Event) continue;
    for (const auto& [id, e] : mine)
      if (!theirs.count(id)) out.push_back({kind, Operation::Delete, id});
  }
  return out;
}

std::vector<ReconcileChange> reconcile_changes_with_checkpoint(const std::string& checkpoint_text,
                                                               const std::vector<ListedEntity>& api) {
  const json doc = json::parse(checkpoint_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw InputError("checkpoint", "not a JSON object");
  return reconcile_changes(expect_object(require_member(doc, "campaign", "checkpoint"), "checkpoint.campaign"), api);
}

}  // namespace hourglass::messages
