// Replays one scenario per variant on a pool of std::threads (each replay
// with one scheduler thread), reading the records as they are written.
// Results are stored by variant index, so nothing depends on scheduling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/replay.hpp"
#include "runtime/tune/record_table.hpp"
#include "runtime/tune/timelines.hpp"

namespace hourglass::runtime::tune {

struct VariantResult {
  ReplayStats stats;
  std::vector<sim::CampaignSnapshot> state;  // the final state
  Timelines timelines;
  RecordTable records;                       // when RunOptions::keep_records
  std::uint64_t unreadable_records = 0;      // lines that were not records (an engine fault)
  std::vector<std::string> warnings;         // the replay's refusals, in order (at most kMaxWarnings)
  std::uint64_t warnings_dropped = 0;        // beyond kMaxWarnings
};

constexpr std::size_t kMaxWarnings = 10'000;

struct RunOptions {
  std::size_t threads = 0;  // concurrent replays; 0: one per core
  bool keep_records = true; // for timeline.csv
};

// Exceptions of a replay are rethrown, after every thread has ended.
std::vector<VariantResult> run_variants(const std::vector<Scenario>& scenarios, const RunOptions& options);

}  // namespace hourglass::runtime::tune
