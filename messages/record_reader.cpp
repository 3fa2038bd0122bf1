#include "messages/record_reader.hpp"

namespace hourglass::messages {
namespace {

const std::string kResourcePrefix = "resources.";

bool is_resource_key(const std::string& key) {
  return key.size() > kResourcePrefix.size() && key.compare(0, kResourcePrefix.size(), kResourcePrefix) == 0;
}

[[noreturn]] void unexpected_change(const json& value, const std::string& path) {
  throw InputError(path, "unexpected change " + value.dump() + " for this kind of record");
}

// One value of `changes`, typed by the entity it changes.
sim::OwnedField read_change(const std::string& key, const json& value, sim::EntityType entity,
                            const std::string& path) {
  sim::OwnedField f;
  f.key = key;
  switch (entity) {
    case sim::EntityType::Settlement:
      if (key != "population" && key != "level" && !is_resource_key(key)) unexpected_change(value, path);
      f.value = read_int(value, path);
      return f;
    case sim::EntityType::Structure:
      if (key == "status") f.value = read_string(value, path, /*allow_empty=*/true);
      else if (key == "condition") f.value = read_int(value, path);
      else unexpected_change(value, path);
      return f;
    case sim::EntityType::Event:
      if (key != "isCompleted") unexpected_change(value, path);
      f.value = read_bool(value, path);
      return f;
    case sim::EntityType::Effect: break;
  }
  unexpected_change(value, path);
}

std::vector<sim::OwnedField> read_changes(const json& rec, std::string_view key, sim::EntityType entity) {
  const std::string path = child_path("$", key);
  const json& changes = expect_object(require_member(rec, key, "$"), path);
  std::vector<sim::OwnedField> out;
  for (auto it = changes.begin(); it != changes.end(); ++it)
    out.push_back(read_change(it.key(), *it, entity, child_path(path, it.key())));
  return out;
}

std::string read_text_member(const json& rec, std::string_view key) {
  return read_string(require_member(rec, key, "$"), child_path("$", key));
}

}  // namespace

sim::OwnedRecord read_record_line(std::string_view line) {
  const json rec = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (rec.is_discarded()) throw InputError("$", "not JSON");
  if (!rec.is_object()) throw InputError("$", "expected a record object");

  sim::OwnedRecord r;
  r.campaign_id = read_text_member(rec, "campaignId");
  r.time = read_time(require_member(rec, "worldTime", "$"), "$.worldTime");
  const std::string kind = read_text_member(rec, "kind");
  const std::optional<sim::RecordKind> k = sim::record_kind_named(kind);
  if (!k) throw InputError("$.kind", "unknown record kind \"" + kind + "\"");
  r.kind = *k;
  const sim::EntityType entity = sim::entity_type_of(r.kind);
  const std::string entity_type = read_text_member(rec, "entityType");
  if (entity_type != sim::entity_type_name(entity))
    throw InputError("$.entityType", "\"" + entity_type + "\" does not go with kind " + kind + " (expected " +
                                         sim::entity_type_name(entity) + ")");
  r.entity_id = read_text_member(rec, "entityId");
  r.changes = read_changes(rec, "changes", entity);

  const bool paid = r.kind == sim::RecordKind::MaintenancePaid;
  if (paid || member(rec, "settlementId")) r.settlement_id = read_text_member(rec, "settlementId");
  if (paid || member(rec, "settlementChanges")) {
    r.has_settlement_changes = true;
    r.settlement_changes = read_changes(rec, "settlementChanges", sim::EntityType::Settlement);
  }
  if (const json* cost = member(rec, "cost")) {
    r.has_cost = true;
    for (const auto& [name, amount] : read_amounts(*cost, "$.cost", /*non_negative=*/true))
      r.cost.push_back({name, amount});
  }
  return r;
}

}  // namespace hourglass::messages
