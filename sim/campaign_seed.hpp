// Everything a campaign starts from, validated: its clock and its entities
// as complete patches. It comes from a scenario file, from the campaign API
// (bootstrap), or from a checkpoint (messages/checkpoint_codec).
#pragma once

#include <string>
#include <vector>

#include "sim/patch.hpp"

namespace hourglass::sim {

struct CampaignSeed {
  std::string id;
  WorldTime clock = 0;
  std::vector<SettlementPatch> settlements;
  std::vector<StructurePatch> structures;
  std::vector<EventPatch> events;
  std::vector<EffectPatch> effects;
};

}  // namespace hourglass::sim
