// A campaign actor owns a campaign's clock, its events and deferred effects
// (their timers), and the directory of its settlement actors. It takes one
// inbound message at a time, in arrival order; an advance fans out to every
// settlement, which fire their timers in parallel, and the campaign merges
// their records into the canonical order before passing them to the sink.
// It supervises its settlement actors (and through them their structure
// actors): one that fails is restarted from the campaign's copy of its last
// committed state and asked again, so the message in flight completes with
// the records it would have had.
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "actors/fault_injection.hpp"
#include "actors/protocol.hpp"
#include "actors/restart_budget.hpp"
#include "sim/schedule.hpp"

namespace hourglass::actors {

struct CampaignInit {
  CampaignSeed seed;
  sim::RulesPtr rules;
  caf::actor sink;  // receives (records_atom, std::string) chunks of JSON lines
  // Long advances run in steps of at most this much world time, so that the
  // records of a year of catch-up never sit in memory at once. Split
  // invariance (SPEC §1) makes the result independent of the step.
  sim::Duration max_step = 24 * 60 * sim::kMsPerMinute;
  // Supervision of the settlement actors: a failed one is restarted from the
  // campaign's copy of its last committed state; more than `restart_limit`
  // restarts within `restart_window` and the campaign itself fails (escalates).
  int restart_limit = 5;
  std::chrono::steady_clock::duration restart_window = std::chrono::seconds(10);
  // Told of every restart (metrics); may be empty.
  std::function<void(const std::string& why)> on_restart;
  FaultInjectorPtr faults;  // tests only; usually none
};

struct CampaignState {
  std::string id;
  sim::WorldTime clock = 0;
  sim::RulesPtr rules;
  sim::Schedule schedule;
  std::map<std::string, caf::actor> settlements;       // by id: the canonical rank
  std::map<std::string, std::string> structure_home;   // structure id -> settlement id
  // Each settlement's household as of its last commit: what a restarted
  // settlement actor starts from.
  std::map<std::string, SettlementSnapshot> committed;
  sim::WorldTime message_clock = 0;  // the clock when the current message began
  RestartBudget restarts;
  std::function<void(const std::string&)> on_restart;
  FaultInjectorPtr faults;
  std::uint64_t firings = 0;  // of events and effects: the fault injector's count
  Carries last_carry;         // each settlement's hidden carry as last sent to the sink
  caf::actor sink;
  sim::Duration max_step = 0;
  // Steps handed to the sink and not yet written; a long advance waits
  // when too many are (records must not pile up faster than they are written).
  int steps_at_sink = 0;
  std::function<void()> on_sink_ready;
  // One inbound message at a time: the next waits until the current is done.
  std::deque<std::function<void()>> queue;
  bool busy = false;
  std::map<std::uint64_t, caf::response_promise> unanswered;  // by ticket
  std::uint64_t next_ticket = 0;
  static inline const char* name = "campaign";
};

caf::behavior campaign_actor(caf::stateful_actor<CampaignState>* self, CampaignInit init);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::CampaignInit)
