// World-time anchors are Hourglass's own (docs/spec-readings.md, reading
// "anchors"): the API's createdAt is wall-clock time, so an entity's anchor
// is variables.createdAt when the API holds one, else the world clock at
// which Hourglass registers it (its bootstrap, its CREATE). Hourglass writes
// that anchor into variables.createdAt (a write of its own, keyed
// <campaignId>:<Settlement|Structure>:<id>:ANCHOR:<ms>), so that a campaign
// bootstrapped again finds the same anchor. The API keeps a stored anchor:
// messages::merged_variables never moves one.
#pragma once

#include <string>
#include <vector>

#include "io/coalesce.hpp"
#include "messages/wire.hpp"
#include "sim/campaign_seed.hpp"

namespace hourglass::actors {

// The anchor write of one entity.
io::EntityWrite anchor_write(const std::string& campaign_id, io::EntityWrite::Kind kind, const std::string& entity_id,
                             sim::WorldTime anchor);

// Anchors the seed's settlements and structures that have no anchor at the
// seed's clock; their anchor writes.
std::vector<io::EntityWrite> anchor_seed(sim::CampaignSeed& seed);

// A CREATE of a settlement or structure that has no anchor is anchored at
// `clock` (the campaign's, as it takes the message); its anchor write. Any
// other message: none.
std::vector<io::EntityWrite> anchor_created(messages::Message& message, sim::WorldTime clock);

}  // namespace hourglass::actors
