// Synthetic worlds for the benchmarks: deterministic, built directly as
// campaign seeds (no JSON parsing in the measured part).
#pragma once

#include <cstdint>
#include <string>

#include "actors/protocol.hpp"

namespace hourglass::bench {

struct WorldShape {
  std::string campaign_id = "bench";
  int settlements = 1000;
  int structures_per_settlement = 10;
  sim::WorldTime clock = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
  std::uint64_t seed = 42;
};

// Settlements with random populations and holdings, anchored at random
// minutes before the clock; ACTIVE structures of the default types, level 1-3.
actors::CampaignSeed make_campaign(const WorldShape& shape);

// Peak resident set size of this process, in bytes (VmHWM), and current (VmRSS).
std::uint64_t peak_rss_bytes();
std::uint64_t current_rss_bytes();

}  // namespace hourglass::bench
