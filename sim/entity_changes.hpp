// What a run of records changes, entity by entity. The records of one
// timeline (a settlement's household, a campaign's effects or its events)
// fold into one entry per entity: the final value of every key the records
// changed, the kind and time of the last record folded in (an API write's
// idempotency key is made of them) and the place of the first (the order of
// the writes). io::WriteCoalescer turns the entries into API writes
// (io/coalesce.hpp); this is the pure part, cheap enough to run inside each
// settlement's step, in parallel, on the views the core emits.
//
// Folding (SPEC §4 records into the API's entities):
//   Settlement records        -> the settlement; changes merge, later wins
//   MAINTENANCE_PAID          -> its structure's changes (when it has any),
//                                then its settlementChanges (when any) into
//                                its settlement
//   CONSTRUCTION_COMPLETE     -> also activeSince = the record's worldTime (ISO)
//   other Structure records   -> the structure, when they change something
//   MAINTENANCE_MISSED with {},
//   UPGRADE_AVAILABLE         -> nothing (notices)
//   EVENT_EXPIRED             -> the event; DEFERRED_EFFECT -> the effect
//                                (an entry even without changes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/record.hpp"

namespace hourglass::sim {

struct EntityChanges {
  EntityType target = EntityType::Settlement;  // also the idempotency key's type
  std::string entity_id;
  std::vector<OwnedField> changes;  // one per key, in the order first changed
  RecordKind last_kind = RecordKind::ResourceGeneration;
  WorldTime last_time = 0;
  // The first record folded in: its time, its timeline's rank in the
  // canonical merge (sim/canonical_merge.hpp) and its place in the timeline.
  WorldTime first_time = 0;
  std::uint32_t first_rank = 0;
  std::uint64_t first_seq = 0;

  bool operator==(const EntityChanges& o) const {
    return target == o.target && entity_id == o.entity_id && changes == o.changes && last_kind == o.last_kind &&
           last_time == o.last_time;
  }
};

using ChangeList = std::vector<EntityChanges>;

class ChangeCollector {
 public:
  // Folds one record in (the rules above), in the order records come.
  void add(const RecordView& r);
  void add(const OwnedRecord& r);
  // Folds in entries made of later records (another step's, in the order
  // given): an entity already here keeps its place and takes their values
  // and last record; a new one is appended.
  void absorb(ChangeList&& later);
  // The entries, in the order of their first records; empties the collector.
  ChangeList take();
  bool empty() const { return entries_.empty(); }
  void clear();

 private:
  EntityChanges& entry(EntityType target, std::string_view id, WorldTime t);
  static void touch(EntityChanges& e, RecordKind kind, WorldTime t);
  template <class Record>
  void fold_in(const Record& r, bool has_changes, bool has_settlement_changes);

  ChangeList entries_;
  // id -> index, kept once there are more entries than a scan is worth
  // (a settlement's step touches about a dozen entities; a commit span,
  // every entity of the campaign).
  std::unordered_map<std::string, std::uint32_t> index_;
  std::uint64_t seq_ = 0;
};

// The entries of timelines in canonical order: `by_rank[i]` is the timeline
// of rank i (its entries in the order of their first records); the result
// is ordered by first record (time, rank, place), which is the order of the
// first records in the canonical merge of the timelines' records.
ChangeList order_changes(std::vector<ChangeList> by_rank);

}  // namespace hourglass::sim
