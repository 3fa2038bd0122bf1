// `hourglass scenario generate`: a long, plain scenario to tune rules on —
// one campaign of settlements that start small (so they can grow through the
// levels), each with structures of the default types, and a world-time
// advance every `step` for `days` days. Unlike the tests' property scenarios
// it has no bad or odd input: it is for watching the economy, not the engine.
// A function of its shape and seed (runtime::Rng), so a seed gives the same
// file everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/time.hpp"

namespace hourglass::runtime {

struct TuningScenarioShape {
  int settlements = 10;                   // 1..kMaxSettlements
  int structures = 3;                     // per settlement, 0..kMaxStructures
  int days = 90;                          // 1..kMaxDays
  sim::Duration step = 24 * 60 * sim::kMsPerMinute;  // one advance; 1 min..30 days
  std::uint64_t seed = 1;
};

constexpr int kMaxSettlements = 1000;
constexpr int kMaxStructures = 50;
constexpr int kMaxDays = 3650;
constexpr std::int64_t kMaxAdvances = 100'000;

// "30m", "6h", "1d" (a whole number and a unit). Throws messages::InputError
// naming `flag`.
sim::Duration parse_step(const std::string& text, const std::string& flag);

// The scenario document (SPEC §6, default rules). Throws messages::InputError
// naming the flag of a shape out of its bounds.
nlohmann::json generate_tuning_scenario(const TuningScenarioShape& shape);

}  // namespace hourglass::runtime
