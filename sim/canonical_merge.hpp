// Canonical order across timelines (SPEC §3). Each timeline of a campaign —
// its deferred effects, each settlement's household by id, its events — is
// simulated on its own (possibly in parallel) and yields its serialized
// records grouped by instant. Merging the groups by (time, rank) gives exactly
// the order of a single-threaded run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace hourglass::sim {

struct RecordBatch {
  struct Group {
    WorldTime time;
    std::size_t end;  // the group is text[previous end, end)
  };
  std::string text;
  std::vector<Group> groups;  // increasing time
  std::uint64_t records = 0;

  bool empty() const { return groups.empty(); }
  void clear() {
    text.clear();
    groups.clear();
    records = 0;
  }
};

// Appends to `out` the groups of all batches, by time, and at equal times in
// the order of `by_rank`. Null entries are skipped.
void merge_canonical(const std::vector<const RecordBatch*>& by_rank, std::string& out);

}  // namespace hourglass::sim
