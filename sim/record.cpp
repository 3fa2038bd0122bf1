#include "sim/record.hpp"

#include <cstring>

namespace hourglass::sim {
namespace {

std::vector<OwnedField> owned_fields(const FieldList& fields) {
  std::vector<OwnedField> out;
  out.reserve(fields.size);
  for (const Field& f : fields) {
    OwnedField o;
    o.key.reserve(f.prefix.size() + f.name.size());
    o.key.append(f.prefix).append(f.name);
    if (f.text && f.literal)
      o.value = std::strcmp(f.text, "true") == 0;
    else if (f.text)
      o.value = std::string(f.text);
    else
      o.value = f.number;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

OwnedRecord owned_record(std::string_view campaign_id, const RecordView& r) {
  OwnedRecord o;
  o.campaign_id = std::string(campaign_id);
  o.time = r.time;
  o.kind = r.kind;
  o.entity_id = std::string(r.entity_id);
  o.changes = owned_fields(r.changes);
  o.settlement_id = std::string(r.settlement_id);
  o.has_settlement_changes = r.has_settlement_changes;
  if (r.has_settlement_changes) o.settlement_changes = owned_fields(r.settlement_changes);
  o.has_cost = r.has_cost;
  if (r.has_cost) o.cost = owned_fields(r.cost);
  return o;
}

static_assert(static_cast<std::size_t>(RecordKind::DeferredEffect) + 1 == kRecordKindCount,
              "kRecordKindCount counts every RecordKind");

const char* kind_name(RecordKind k) {
  switch (k) {
    case RecordKind::ResourceGeneration: return "RESOURCE_GENERATION";
    case RecordKind::PopulationGrowth: return "POPULATION_GROWTH";
    case RecordKind::LevelUp: return "LEVEL_UP";
    case RecordKind::ConstructionComplete: return "CONSTRUCTION_COMPLETE";
    case RecordKind::MaintenancePaid: return "MAINTENANCE_PAID";
    case RecordKind::MaintenanceMissed: return "MAINTENANCE_MISSED";
    case RecordKind::UpgradeAvailable: return "UPGRADE_AVAILABLE";
    case RecordKind::EventExpired: return "EVENT_EXPIRED";
    case RecordKind::DeferredEffect: return "DEFERRED_EFFECT";
  }
  return "?";
}

std::optional<RecordKind> record_kind_named(std::string_view name) {
  for (std::size_t i = 0; i < kRecordKindCount; ++i) {
    const auto k = static_cast<RecordKind>(i);
    if (name == kind_name(k)) return k;
  }
  return std::nullopt;
}

EntityType entity_type_of(RecordKind k) {
  switch (k) {
    case RecordKind::ResourceGeneration:
    case RecordKind::PopulationGrowth:
    case RecordKind::LevelUp: return EntityType::Settlement;
    case RecordKind::EventExpired: return EntityType::Event;
    case RecordKind::DeferredEffect: return EntityType::Effect;
    default: return EntityType::Structure;
  }
}

const char* entity_type_name(EntityType t) {
  switch (t) {
    case EntityType::Settlement: return "Settlement";
    case EntityType::Structure: return "Structure";
    case EntityType::Event: return "Event";
    case EntityType::Effect: return "Effect";
  }
  return "?";
}

}  // namespace hourglass::sim
