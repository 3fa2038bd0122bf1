#include "sim/record.hpp"

#include <cstring>

namespace hourglass::sim {

std::variant<std::int64_t, bool, std::string> owned_value(const Field& f) {
  if (f.text && f.literal) return std::strcmp(f.text, "true") == 0;
  if (f.text) return std::string(f.text);
  return f.number;
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
