// Deterministic random scenarios (SPEC §6) for property tests, and variants
// of a scenario whose world-time advances are split into several (SPEC §1:
// split invariance). Everything is driven by std::mt19937_64, whose output
// the standard fixes, and by our own uniform helpers (the standard
// distributions differ between libraries), so a seed gives the same scenario
// everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace hourglass::testing {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  std::uint64_t next() { return gen_(); }
  // Uniform in [lo, hi] (inclusive), without modulo bias.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability `p` (0..1), from 53 random bits.
  bool chance(double p);
  std::size_t index(std::size_t size) {
    return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(size) - 1));
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[index(v.size())];
  }
  // Fisher–Yates with our own uniform helper.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[index(i)]);
  }

 private:
  std::mt19937_64 gen_;
};

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
