// Canonical order across timelines (SPEC §3). Each timeline of a campaign —
// its deferred effects, each settlement's household by id, its events — is
// simulated on its own (possibly in parallel) and yields its serialized
// records grouped by instant. Ordering the groups by (time, rank) gives
// exactly the order of a single-threaded run.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sim/entity_changes.hpp"
#include "sim/record.hpp"
#include "sim/text_buffer.hpp"
#include "sim/time.hpp"

namespace hourglass::sim {

struct RecordBatch {
  struct Group {
    WorldTime time;
    std::size_t end;  // the group is text[previous end, end)
  };
  TextBuffer text;
  std::vector<Group, PooledAllocator<Group>> groups;  // increasing time
  std::uint64_t records = 0;
  // Every group's time is a whole minute, as its writer saw them (false when
  // not known): the canonical merge then sorts the step by minute in one
  // counting pass.
  bool whole_minutes = false;
  // Of these, records kept without their text although text was asked for:
  // the service's record feed was backed up (messages::RecordCapture).
  std::uint64_t untexted = 0;
  // What the records change, entity by entity (service mode: the API writes
  // are made of it; empty otherwise). Service mode without published
  // records has these and no text.
  ChangeCollector changes;

  bool empty() const { return records == 0; }
  void clear() {
    text.clear();
    groups.clear();
    records = 0;
    whole_minutes = false;
    untexted = 0;
    changes.clear();
  }
};

// The record text of a campaign step in canonical order, as slices of the
// batches it holds (written out without another copy).
struct OrderedRecords {
  std::vector<RecordBatch> batches;      // by rank
  std::vector<std::string_view> slices;  // into `batches`, in canonical order
  std::uint64_t records = 0;
  std::uint64_t untexted = 0;  // the batches' (RecordBatch::untexted)
  // The batches' changes, entity by entity, in the canonical order of their
  // first records (sim::order_changes; empty without change capture).
  ChangeList changes;
};

// Orders the groups of `batches` by time and, at equal times, by rank (the
// index in `batches`). Linear time: a stable radix sort on the time of groups
// taken rank by rank.
// The batches' changes are ordered by their first records the same way.
OrderedRecords order_canonically(std::vector<RecordBatch> batches);

// The same, concatenated into `out`.
void merge_canonical(const std::vector<const RecordBatch*>& by_rank, TextBuffer& out);

}  // namespace hourglass::sim
