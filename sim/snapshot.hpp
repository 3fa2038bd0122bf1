// A campaign's state at a point in world time: what `--state-out` writes and
// what the example scenarios' NAME.state.json holds.
#pragma once

#include <string>
#include <vector>

#include "sim/entities.hpp"

namespace hourglass::sim {

struct CampaignSnapshot {
  std::string id;
  WorldTime clock = 0;
  std::vector<Settlement> settlements;  // by id
  std::vector<Structure> structures;    // by id
  std::vector<Event> events;            // by id, all (pending and completed)
  std::vector<Effect> effects;          // by id, pending
};

}  // namespace hourglass::sim
