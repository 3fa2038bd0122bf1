// A settlement actor owns its settlement and the timers of its household:
// on each campaign step it borrows its structures from their actors, fires
// every timer of the household due up to the step's end in one go (a year of
// catch-up costs arithmetic, not mailboxes), and returns its records grouped
// by instant for the campaign's canonical merge.
#pragma once

#include <caf/all.hpp>
#include <map>
#include <string>

#include "actors/fault_injection.hpp"
#include "messages/record_json.hpp"
#include "sim/household.hpp"

namespace hourglass::actors {

struct SettlementInit {
  std::string campaign_id;
  sim::RulesPtr rules;
  sim::WorldTime clock = 0;
  sim::Settlement settlement;             // armed
  std::vector<sim::Structure> structures;  // armed, sorted by id
  FaultInjectorPtr faults;                 // tests only; usually none
  messages::RecordCapture capture;         // what its batches keep (CampaignInit)
};

struct SettlementState {
  std::string campaign_id;
  sim::RulesPtr rules;
  sim::Household household;  // holds the structures while they are borrowed
  std::map<std::string, caf::actor> structure_actors;
  bool holding = false;      // the structures are here, not with their actors
  std::size_t last_batch_bytes = 0;   // sizes the next step's buffer in one go
  std::size_t last_batch_groups = 0;  // and its list of instants
  std::uint64_t firings = 0;         // since spawned: the fault injector's count
  FaultInjectorPtr faults;
  messages::RecordCapture capture;
  static inline const char* name = "settlement";
};

caf::behavior settlement_actor(caf::stateful_actor<SettlementState>* self, SettlementInit init);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SettlementInit)
