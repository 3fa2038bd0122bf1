// Coalescing: the records of one advance of one campaign (typed, in order;
// or their SPEC §4 JSON lines) become the fewest API writes that leave the API in the same
// state: one write per entity, holding the final absolute value of every key
// the records changed. Pure; no I/O.
//
//   Settlement records            -> a Settlement write; `changes` merge, later wins
//   MAINTENANCE_PAID              -> its structure's changes, AND its
//                                    `settlementChanges` folded into the
//                                    settlement's write (latest value per key)
//   CONSTRUCTION_COMPLETE         -> also sets `activeSince` (ISO, the record's
//                                    worldTime): the anchor of the structure's
//                                    timers, which a restart must see again
//   other Structure records       -> a Structure write; changes merge per structure
//   MAINTENANCE_MISSED with {},
//   UPGRADE_AVAILABLE             -> no write (notices only)
//   EVENT_EXPIRED                 -> ExpireEvent
//   DEFERRED_EFFECT               -> ExecuteEffect
//
// Writes come in the order of each entity's first contributing record; a
// MAINTENANCE_PAID contributes to its structure first, then its settlement.
// Each write carries the idempotency key of the LAST record coalesced into it
// (SPEC §4: <campaignId>:<entityType>:<entityId>:<kind>:<worldTime ms>), with
// one exception that keeps keys unique per write: a settlement write whose
// last record is a MAINTENANCE_PAID uses the settlement's own type and id,
// <campaignId>:Settlement:<settlementId>:MAINTENANCE_PAID:<ms>.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/entity_changes.hpp"
#include "sim/record.hpp"
#include "sim/time.hpp"

namespace hourglass::io {

struct EntityWrite {
  enum class Kind { Settlement, Structure, ExpireEvent, ExecuteEffect };
  Kind kind = Kind::Settlement;
  std::string entity_id;
  // Final absolute values, keys as in records: population, level,
  // resources.<r> (settlements); status, condition, activeSince (structures);
  // isCompleted (events); {} (effects).
  nlohmann::json changes = nlohmann::json::object();
  std::string idempotency_key;  // of the last record coalesced (see above)
  sim::WorldTime world_time = 0;  // of the last record coalesced
  // Its place in its campaign's write sequence, numbered when it is
  // committed to the outbox (1, 2, ...); 0: not numbered (no durable state),
  // then no exactly-once marker is written or checked (messages::write_marker_json).
  std::uint64_t seq = 0;

  bool operator==(const EntityWrite& o) const {
    return kind == o.kind && entity_id == o.entity_id && changes == o.changes &&
           idempotency_key == o.idempotency_key && world_time == o.world_time && seq == o.seq;
  }
};

const char* to_string(EntityWrite::Kind kind);
// The entity type a write of `kind` changes, and the kind of write an entity
// type's changes make (ExpireEvent for an event, ExecuteEffect for an effect).
sim::EntityType entity_type_of(EntityWrite::Kind kind);
EntityWrite::Kind write_kind_of(sim::EntityType type);
// The kind that to_string names `name`; nullopt for any other text.
std::optional<EntityWrite::Kind> write_kind_named(std::string_view name);

// A record line that is not a valid SPEC §4 record (or names another campaign
// than the first line). line() is 1-based; message() is what() without the
// "record line N: " prefix (a JSON path first, such as "$.kind: ...").
class CoalesceError : public std::runtime_error {
 public:
  CoalesceError(std::size_t line, const std::string& message)
      : std::runtime_error("record line " + std::to_string(line) + ": " + message), line_(line), message_(message) {}
  std::size_t line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  std::size_t line_;
  std::string message_;
};

// The settlements' hidden population carry (sim::Settlement::carry) at the
// end of a message, for the settlements whose carry changed in it. It is not
// in any record, yet a campaign bootstrapped again from the API must find it
// there (else its populations drift by a person): it rides on the
// settlement's write as the variable `carry`, or gets a write of its own
// (key <campaignId>:Settlement:<id>:CARRY:<ms of `time`>) when the message
// wrote nothing else for that settlement.
void attach_carries(std::vector<EntityWrite>& writes, const std::string& campaign_id,
                    const std::map<std::string, double>& carries, sim::WorldTime time);

// The same, one record at a time: what the service's sink keeps of a
// campaign's records until they are committed, so that its memory is one
// write per entity however many records a long advance makes. The folding
// itself is sim::ChangeCollector's (sim/entity_changes.hpp); this adds the
// campaign, the idempotency keys and the JSON values the API is sent.
class WriteCoalescer {
 public:
  // Throws CoalesceError (its 1-based position since the last take) for a
  // record of another campaign than the first.
  void add(const sim::OwnedRecord& r);
  // Entries folded elsewhere (a settlement's step, in parallel), in
  // canonical order (sim::order_changes), of later records than those
  // already here.
  void absorb(const std::string& campaign_id, sim::ChangeList&& changes);
  // The writes so far, in the order of each entity's first record; empties it.
  std::vector<EntityWrite> take();
  bool empty() const { return collector_.empty(); }

 private:
  void check_campaign(const std::string& campaign_id);

  sim::ChangeCollector collector_;
  std::optional<std::string> campaign_;
  std::size_t added_ = 0;
};

// One entry of campaign `campaign_id` as the API write it becomes.
EntityWrite write_of(const std::string& campaign_id, const sim::EntityChanges& e);

// Records of one campaign, in order (a CoalesceError naming the record's
// 1-based position for one of another campaign).
std::vector<EntityWrite> coalesce(const std::vector<sim::OwnedRecord>& records);
// Changes already folded (sim::order_changes' canonical order) as writes.
std::vector<EntityWrite> coalesce(const std::string& campaign_id, sim::ChangeList changes);
// The same over a JSON-lines text, each line read by messages/record_reader;
// blank lines are skipped (but counted). Throws CoalesceError naming the
// line of the first bad record. For records that come as text (the service
// benchmark's expectations, from a replay's output; tests): the gateway
// coalesces the typed records the engine emitted, not their text.
std::vector<EntityWrite> coalesce_jsonl(std::string_view text);

}  // namespace hourglass::io
