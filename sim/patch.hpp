// entityModified UPDATE (SPEC §2): the given fields replace the engine's
// copy, fields not given are kept. A patch is also how a whole entity arrives
// (load, CREATE): then the required fields are all present.
#pragma once

#include <optional>
#include <string>

#include "sim/entities.hpp"

namespace hourglass::sim {

struct SettlementPatch {
  std::string id;
  std::optional<std::string> name;
  std::optional<int> level;
  std::optional<std::int64_t> population;
  std::optional<Amounts> resources;
  std::optional<WorldTime> created_at;
  std::optional<SettlementOverrides> variables;
  // The hidden carry as the API stored it (the service writes it back); used
  // when the settlement joins (load, CREATE), ignored by UPDATE (kept).
  std::optional<double> carry;
  // Only from a checkpoint: the anchor its timers run at. An UPDATE of
  // createdAt keeps the anchor (SPEC §2), so createdAt alone may not say it.
  std::optional<WorldTime> periodic_anchor;
};

struct StructurePatch {
  std::string id;
  std::optional<std::string> settlement_id;
  std::optional<std::string> type;
  std::optional<int> level;
  std::optional<StructureStatus> status;
  std::optional<std::int64_t> condition;
  std::optional<WorldTime> created_at;
  std::optional<WorldTime> construction_completes_at;
  std::optional<WorldTime> active_since;
  std::optional<StructureOverrides> variables;
  // Only from a checkpoint: the anchor its periodic timers were running at.
  // A completion firing, or an UPDATE to ACTIVE without activeSince, anchors
  // them at a time that no other field keeps; a restored structure must
  // find it again to fire at the same instants.
  std::optional<WorldTime> periodic_anchor;
};

struct EventPatch {
  std::string id;
  std::optional<WorldTime> scheduled_at;
  std::optional<bool> completed;
};

struct EffectPatch {
  std::string id;
  std::optional<WorldTime> execute_at;
};

// Whole entities from complete patches; createdAt defaults to the clock.
// (Completeness is checked by the codec that built the patch.)
Settlement make_settlement(const SettlementPatch& p, WorldTime clock);
Structure make_structure(const StructurePatch& p, WorldTime clock);
Event make_event(const EventPatch& p);
Effect make_effect(const EffectPatch& p);

// The fields the engine itself changes (what its records report): a
// settlement's population, resources and level; a structure's status and
// condition (and the activeSince its completion sets); an event's
// isCompleted. An UPDATE announced by the campaign API (entity.modified: the
// whole entity fetched, with whatever values Hourglass last wrote) leaves
// them to the engine, so an echo of Hourglass's own write changes nothing
// and an edit of anything else (name, variables, a structure's level, type
// or settlement, an event's scheduledAt) is taken.
void drop_engine_owned(SettlementPatch& p);
void drop_engine_owned(StructurePatch& p);
void drop_engine_owned(EventPatch& p);

// Replace the given fields. Timers are re-armed by the caller (rearm_*),
// which knows the clock and the rules. The carry is kept (SPEC reading 6).
void apply_patch(Settlement& s, const SettlementPatch& p);
void apply_patch(Structure& s, const StructurePatch& p);
void apply_patch(Event& e, const EventPatch& p);
void apply_patch(Effect& e, const EffectPatch& p);

}  // namespace hourglass::sim
