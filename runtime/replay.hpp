// The replay driver: runs a scenario through the real actor system, message
// by message, in file order, and writes the records. Bad messages are
// refused one by one (logged, counted, dead-lettered); the replay goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/campaign_actor.hpp"
#include "actors/fault_injection.hpp"
#include "actors/record_sink.hpp"
#include "runtime/scenario.hpp"
#include "sim/snapshot.hpp"

namespace hourglass::runtime {

struct ReplayOptions {
  std::size_t threads = 0;  // CAF scheduler threads; 0: one per core
  std::shared_ptr<actors::RecordOutput> output;
  // Refused messages, as JSON lines {where, channel, reason, payload}.
  std::shared_ptr<actors::RecordOutput> dead_letters;
  bool want_state = false;
  sim::Duration max_step = actors::kDefaultMaxStep;
  sim::Duration max_advance = actors::kDefaultMaxAdvance;  // actors::CampaignInit::max_advance
  actors::AdvanceProgressPtr advance_progress;  // told after each step of an advance; may be null
  // Makes a named actor throw (supervision tests); usually none.
  actors::FaultInjectorPtr faults;
  // When set, each refused message's warning goes here instead of the log
  // (a tune collects them to print each once with the variants it concerns).
  std::function<void(const std::string&)> on_refusal;
  // Called after each message with (done, total), for progress displays.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct ReplayStats {
  std::uint64_t messages = 0;
  std::uint64_t applied = 0;
  std::uint64_t ignored = 0;   // stale advances, missing or existing entities, encounters
  std::uint64_t refused = 0;   // bad input (SPEC §7)
  std::uint64_t firings = 0;
  std::uint64_t records = 0;
  std::uint64_t restarts = 0;  // settlement actors restarted after a failure
  double wall_seconds = 0;
};

struct ReplayResult {
  ReplayStats stats;
  std::vector<sim::CampaignSnapshot> state;  // when want_state
};

ReplayResult run_replay(const Scenario& scenario, const ReplayOptions& options);

}  // namespace hourglass::runtime
