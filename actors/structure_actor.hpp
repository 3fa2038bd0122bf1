// A structure actor owns one structure's committed state and its timers
// between campaign messages. During a message its settlement borrows the
// state (lend/restore): the SPEC couples a structure and its settlement at
// every firing, so the household is simulated in one place, and the two
// messages per structure per campaign message are all it costs.
#pragma once

#include <caf/all.hpp>

#include "actors/fault_injection.hpp"
#include "sim/entities.hpp"

namespace hourglass::actors {

struct StructureState {
  sim::Structure structure;
  bool lent = false;
  std::uint32_t lends = 0;  // messages taken part in: the fault injector's count
  FaultInjectorPtr faults;
  static inline const char* name = "structure";
};

// A structure created during a campaign message starts lent to the
// settlement that created it, which restores it when the message commits.
caf::behavior structure_actor(caf::stateful_actor<StructureState>* self, bool lent, FaultInjectorPtr faults);

}  // namespace hourglass::actors
