// Deterministic random scenarios (SPEC §6) for property tests, and variants
// of a scenario whose world-time advances are split into several (SPEC §1:
// split invariance). Everything is driven by runtime::Rng (seeded_random), so
// a seed gives the same scenario everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/seeded_random.hpp"
#include "sim/time.hpp"

namespace hourglass::testing {

// The generator moved to runtime/ for `hourglass scenario generate`.
using Rng = runtime::Rng;

struct GeneratorOptions {
  int min_campaigns = 1;
  int max_campaigns = 3;
  // worldTimeAdvanced messages that move a campaign's clock forward.
  int min_advances = 4;
  int max_advances = 9;
  // Entity modifications per campaign, roughly (they are interleaved).
  int min_modifications = 4;
  int max_modifications = 12;
  // Longest single advance.
  sim::Duration max_advance = 4LL * 24 * 60 * sim::kMsPerMinute;
  // Chance of inline tuned rules (else the built-in defaults).
  double inline_rules = 0.25;
};

// A complete scenario document as parse_scenario() accepts it: campaigns,
// settlements, structures, events, deferred effects and an inline message
// list that interleaves advances and entityModified messages of every kind.
nlohmann::json generate_scenario(std::uint64_t seed, const GeneratorOptions& options = {});

enum class SplitMode {
  RandomInstants,  // split points at random instants strictly inside each advance
  DueInstants,     // split points exactly at due times of timers (firing instants)
};

struct SplitPoint {
  std::string campaign_id;
  sim::WorldTime time = 0;
};

struct SplitReport {
  std::size_t advances_seen = 0;   // forward advances in the original
  std::size_t advances_split = 0;  // of which were split
  std::vector<SplitPoint> points;  // every intermediate instant inserted
};

// A copy of `scenario` where every forward worldTimeAdvanced (newTime after
// the campaign's clock) is replaced by several advances that end at the same
// newTime. The first piece keeps the original previousTime (a gap stays a
// gap); each further piece has previousTime = the newTime before it. Stale
// advances are kept as they are. Only inline message lists are supported.
nlohmann::json split_advances(const nlohmann::json& scenario, std::uint64_t seed, SplitMode mode,
                              SplitReport* report = nullptr);

// The same scenario without its messages (the initial state after load).
nlohmann::json without_messages(const nlohmann::json& scenario);

}  // namespace hourglass::testing
