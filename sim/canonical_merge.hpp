// Canonical order across timelines (SPEC §3). Each timeline of a campaign —
// its deferred effects, each settlement's household by id, its events — is
// simulated on its own (possibly in parallel) and yields its serialized
// records grouped by instant. Ordering the groups by (time, rank) gives
// exactly the order of a single-threaded run.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

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
  std::vector<Group> groups;  // increasing time
  std::uint64_t records = 0;
  // Typed capture (service mode; both empty otherwise): the same records as
  // `text`, owned, and the end of each group in them (parallel to `groups`).
  OwnedRecords typed;
  std::vector<std::size_t> typed_ends;

  bool empty() const { return groups.empty(); }
  void clear() {
    text.clear();
    groups.clear();
    records = 0;
    typed.clear();
    typed_ends.clear();
  }
};

// The record text of a campaign step in canonical order, as slices of the
// batches it holds (written out without another copy).
struct OrderedRecords {
  std::vector<RecordBatch> batches;      // by rank
  std::vector<std::string_view> slices;  // into `batches`, in canonical order
  std::uint64_t records = 0;
  // The typed records of the batches that have them, moved out in the same
  // canonical order (empty without typed capture).
  OwnedRecords typed;
};

// Orders the groups of `batches` by time and, at equal times, by rank (the
// index in `batches`). Linear time: a radix sort on packed (time, rank) keys.
// The typed records of a batch (when it has them) follow its text's order.
OrderedRecords order_canonically(std::vector<RecordBatch> batches);

// The same, concatenated into `out`.
void merge_canonical(const std::vector<const RecordBatch*>& by_rank, TextBuffer& out);

}  // namespace hourglass::sim
