// A household is a settlement and its structures. The SPEC couples them at
// every firing (maintenance debits the settlement, generation and growth read
// the structures' status), so they are simulated together, in one place, in
// the canonical order of SPEC §3: the settlement's own timers, then each
// structure by id with its timers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/entities.hpp"
#include "sim/record.hpp"
#include "sim/rules.hpp"

namespace hourglass::sim {

struct Household {
  Settlement settlement;
  std::vector<Structure> structures;  // sorted by id (byte order)

  Structure* find_structure(std::string_view id);
  // Keeps the id order. Returns false (and changes nothing) on a duplicate id.
  bool insert_structure(Structure s);
  bool erase_structure(std::string_view id);
};

// --- registering entities and their timers ---------------------------------

// A settlement that joins (load or CREATE): its timers start, anchored at
// createdAt — or at `periodic_anchor`, the anchor a checkpoint kept.
void arm_settlement(Settlement& s, const Rules& rules, WorldTime clock,
                    std::optional<WorldTime> periodic_anchor = std::nullopt);
// After an UPDATE or a rules change: rules are re-read, timers follow the new
// intervals, anchors kept.
void rearm_settlement(Settlement& s, const Rules& rules, WorldTime clock);

// A structure that joins (load or CREATE): under construction it waits for
// its completion; ACTIVE or DAMAGED, its periodic timers start anchored at
// activeSince, else createdAt — or at `periodic_anchor` when a checkpoint
// kept the anchor they were running at. A completion already due is left for
// fire_overdue.
void arm_structure(Structure& s, const Rules& rules, WorldTime clock,
                   std::optional<WorldTime> periodic_anchor = std::nullopt);
// After an UPDATE (fields already replaced); `was` is the status before it.
void rearm_structure(Structure& s, const Rules& rules, WorldTime clock, StructureStatus was);

// --- firing -----------------------------------------------------------------

// Fires the one-shots that are due at or before `clock` (constructions), at
// `clock`, in canonical order. Returns the number of firings.
std::uint64_t fire_overdue(Household& h, const Rules& rules, WorldTime clock, RecordSink& sink);

// Fires every timer due up to `until` (timers never point at or before the
// clock, so this is (clock, until]) in canonical order, each firing
// seeing the state the earlier ones left. Returns the number of firings.
std::uint64_t advance_household(Household& h, const Rules& rules, WorldTime until,
                                RecordSink& sink);

// The earliest due time of any of the household's timers (kNever if none).
WorldTime next_due(const Household& h);

}  // namespace hourglass::sim
