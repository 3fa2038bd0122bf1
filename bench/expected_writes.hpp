// How many API writes each advance of the service benchmark must produce,
// computed before the run by replaying the same world offline (the real
// engine, run_replay) and coalescing each advance's records exactly as the
// gateway does (io::coalesce). Knowing the count of every advance is
// what lets the benchmark say, deterministically, when an advance's last
// write has landed (and that no write was lost or added).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "actors/protocol.hpp"

namespace hourglass::bench {

// Round r (1-based) advances every campaign from clock + (r-1)*step to
// clock + r*step, campaigns in order (round-robin).
struct AdvanceSchedule {
  sim::WorldTime clock = 0;
  sim::Duration step = 60 * sim::kMsPerMinute;
  sim::WorldTime previous_time(int round) const { return clock + (round - 1) * step; }
  sim::WorldTime new_time(int round) const { return clock + round * step; }
  // The round whose advance emits a record (or write) at `t`: the one with
  // previous_time < t <= new_time; 0 at or before the clock.
  int round_of(sim::WorldTime t) const { return t <= clock ? 0 : static_cast<int>((t - clock + step - 1) / step); }
};

struct ExpectedWrites {
  std::vector<std::vector<std::uint32_t>> writes;  // [campaign][round - 1]
  std::uint64_t records = 0;
  double seconds = 0;  // the replay's wall time
};

// Replays `rounds` rounds of `world` (default rules), in `slices` replays
// side by side. Throws std::runtime_error when a replay refuses a message
// (the benchmark's world would be wrong).
ExpectedWrites expected_writes(const std::vector<actors::CampaignSeed>& world, const AdvanceSchedule& schedule,
                               int rounds, int slices = 4);

}  // namespace hourglass::bench
