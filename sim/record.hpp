// Records (SPEC §4): what a firing that changes something reports. The core
// emits non-owning views to a RecordSink, so that the hot loop allocates
// nothing; the sink decides whether to serialize, collect or count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace hourglass::sim {

enum class RecordKind : std::uint8_t {
  ResourceGeneration,
  PopulationGrowth,
  LevelUp,
  ConstructionComplete,
  MaintenancePaid,
  MaintenanceMissed,
  UpgradeAvailable,
  EventExpired,
  DeferredEffect,
};

inline constexpr std::size_t kRecordKindCount = 9;

enum class EntityType : std::uint8_t { Settlement, Structure, Event, Effect };

// The SPEC §4 names ("RESOURCE_GENERATION"...), and back.
const char* kind_name(RecordKind k);
std::optional<RecordKind> record_kind_named(std::string_view name);
EntityType entity_type_of(RecordKind k);
const char* entity_type_name(EntityType t);

// One key of `changes`, `settlementChanges` or `cost`: the key is
// prefix + name ("resources." + "food"); the value a number, or text when
// `text` is set: a JSON string (a structure's status), or a JSON literal
// written as is when `literal` is set (`true`).
struct Field {
  std::string_view prefix;
  std::string_view name;
  std::int64_t number = 0;
  const char* text = nullptr;
  bool literal = false;
};

struct FieldList {
  const Field* data = nullptr;
  std::size_t size = 0;
  const Field* begin() const { return data; }
  const Field* end() const { return data + size; }
};

struct RecordView {
  WorldTime time = 0;
  RecordKind kind = RecordKind::ResourceGeneration;
  std::string_view entity_id;
  FieldList changes;
  // Structure records that concern their settlement (maintenance, upgrade).
  std::string_view settlement_id;
  bool has_settlement_changes = false;  // MAINTENANCE_PAID
  FieldList settlement_changes;
  bool has_cost = false;                // UPGRADE_AVAILABLE
  FieldList cost;
};

// A record that owns its text: RecordView's twin for those that read records
// back from their lines (messages/record_reader), to coalesce them.
struct OwnedField {
  std::string key;  // prefix + name: "resources.food", "status"
  std::variant<std::int64_t, bool, std::string> value;
  bool operator==(const OwnedField& o) const { return key == o.key && value == o.value; }
};

struct OwnedRecord {
  std::string campaign_id;
  WorldTime time = 0;
  RecordKind kind = RecordKind::ResourceGeneration;
  std::string entity_id;
  std::vector<OwnedField> changes;
  std::string settlement_id;  // empty when the record has none
  bool has_settlement_changes = false;  // MAINTENANCE_PAID
  std::vector<OwnedField> settlement_changes;
  bool has_cost = false;                // UPGRADE_AVAILABLE
  std::vector<OwnedField> cost;

  bool operator==(const OwnedRecord& o) const {
    return campaign_id == o.campaign_id && time == o.time && kind == o.kind && entity_id == o.entity_id &&
           changes == o.changes && settlement_id == o.settlement_id &&
           has_settlement_changes == o.has_settlement_changes && settlement_changes == o.settlement_changes &&
           has_cost == o.has_cost && cost == o.cost;
  }
  bool operator!=(const OwnedRecord& o) const { return !(*this == o); }
};

using OwnedRecords = std::vector<OwnedRecord>;

// A field's value as its JSON reads back: a literal is a JSON boolean, other
// text a string, else the number.
std::variant<std::int64_t, bool, std::string> owned_value(const Field& f);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void record(const RecordView& r) = 0;
};

// A sink that drops everything (used where only the state matters).
class NullSink final : public RecordSink {
 public:
  void record(const RecordView&) override {}
};

}  // namespace hourglass::sim
