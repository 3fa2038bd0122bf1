// A campaign actor owns a campaign's clock, its events and deferred effects
// (their timers), and the directory of its settlement actors. It takes one
// inbound message at a time, in arrival order; an advance fans out to every
// settlement, which fire their timers in parallel, and the campaign merges
// their records into the canonical order before passing them to the sink.
// It supervises its settlement actors (and through them their structure
// actors): one that fails is restarted from the campaign's copy of its last
// committed state and asked again, so the message in flight completes with
// the records it would have had.
//
// Its code, by concern:
//   campaign_actor.cpp          the behaviour: one inbound message at a time,
//                               advances, load, rules, snapshots
//   campaign_entities.cpp       seeding, and entityModified of every kind
//   campaign_fanout.cpp         one step asked of every settlement, merged
//   campaign_sink.cpp           records and carries to the sink, backpressure
//   settlement_supervision.cpp  spawning, restarting, asking the settlements
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "actors/advance_progress.hpp"
#include "actors/fault_injection.hpp"
#include "actors/protocol.hpp"
#include "actors/restart_budget.hpp"
#include "messages/record_json.hpp"
#include "messages/world_span.hpp"
#include "sim/schedule.hpp"

namespace hourglass::actors {

inline constexpr sim::Duration kDefaultMaxAdvance = 100 * messages::kMsPerYear;
inline constexpr sim::Duration kDefaultMaxStep = 2 * 24 * 60 * sim::kMsPerMinute;

struct CampaignInit {
  CampaignSeed seed;
  sim::RulesPtr rules;
  caf::actor sink;  // receives records as JSON lines (and typed): actors/campaign_sink.hpp
  // Long advances run in steps of at most this much world time, so that the
  // records of a year of catch-up never sit in memory at once. Split
  // invariance (SPEC §1) makes the result independent of the step.
  sim::Duration max_step = kDefaultMaxStep;
  // And of about this many firings: after each step the next one is sized
  // from the firings per world minute seen so far, so that a step's records
  // (held until ordered) do not grow with the campaign's size
  // (actors/step_length.hpp). 0: max_step alone.
  std::uint64_t step_firings = 1'000'000;
  // The longest advance the campaign takes, from its clock to newTime; a
  // longer one is refused as bad input with nothing changed (a mistyped
  // year must not run for hours). 0: no limit. Default 100 years
  // (messages/world_span: HOURGLASS_MAX_ADVANCE, --max-advance).
  sim::Duration max_advance = kDefaultMaxAdvance;
  // Told after each step of an advance how far it got (a terminal's
  // progress line); none: not told.
  AdvanceProgressPtr progress;
  // Supervision of the settlement actors: a failed one is restarted from the
  // campaign's copy of its last committed state; more than `restart_limit`
  // restarts within `restart_window` and the campaign itself fails (escalates).
  int restart_limit = 5;
  std::chrono::steady_clock::duration restart_window = std::chrono::seconds(10);
  // Told of every restart (metrics); may be empty.
  std::function<void(const std::string& why)> on_restart;
  FaultInjectorPtr faults;  // tests only; usually none
  // What the sink gets of the records: their JSON lines (replay writes
  // them; the service publishes them, unless told not to) and/or what they
  // change, entity by entity, folded by each settlement in its own step (the
  // service's API writes: never read back from the text). Text only by
  // default; the service's campaign session asks for the changes.
  messages::RecordCapture capture;
};

struct CampaignState {
  // What the campaign was started with. Its seed keeps only the id and the
  // start clock once seeded (the entities live in the actors); its rules
  // move to `rules`, which a reload replaces.
  CampaignInit init;
  const std::string& id() const { return init.seed.id; }

  sim::WorldTime clock = 0;
  sim::Duration step_length = 0;  // the next step's (step_length.hpp)
  sim::RulesPtr rules;
  sim::Schedule schedule;
  std::uint64_t firings = 0;  // of events and effects: the fault injector's count

  // The settlement actors and what restarts them (settlement_supervision).
  std::map<std::string, caf::actor> settlements;       // by id: the canonical rank
  std::map<std::string, std::string> structure_home;   // structure id -> settlement id
  // Each settlement's household as of its last commit: what a restarted
  // settlement actor starts from.
  std::map<std::string, SettlementSnapshot> committed;
  RestartBudget restarts;

  // The inbound message being handled (none between messages): its request,
  // answered with the error should the campaign fail, and the clock when it
  // began. The requests behind it wait in the mailbox (campaign_actor.cpp).
  std::optional<caf::response_promise> current;
  sim::WorldTime message_clock = 0;
  // The step of the message that the settlements are answering
  // (campaign_fanout.cpp); none between steps.
  std::shared_ptr<struct StepInFlight> step;

  // What went to the sink (campaign_sink).
  Carries last_carry;  // each settlement's hidden carry as last sent to the sink
  // Steps handed to the sink and not yet written; a long advance waits
  // when too many are (records must not pile up faster than they are written).
  int steps_at_sink = 0;
  std::function<void()> on_sink_ready;
  static inline const char* name = "campaign";
};

using CampaignSelf = caf::stateful_actor<CampaignState>*;

// Ends the handling of one inbound message with its answer.
using Done = std::function<void(Handled)>;

caf::behavior campaign_actor(CampaignSelf self, CampaignInit init);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::CampaignInit)
