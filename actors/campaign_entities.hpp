// A campaign's entities: seeded at start-up, then created, updated and
// deleted by entityModified messages. Settlements and structures live in
// the settlement actors (a structure move is a detach from one and an
// attach to the other); events and effects are the campaign's own.
#pragma once

#include "actors/campaign_actor.hpp"

namespace hourglass::actors {

// Spawns the settlement actors of `seed` with their structures (armed at
// the clock) and schedules its events and effects.
void seed_campaign(CampaignSelf self, CampaignSeed seed);

void handle_modified(CampaignSelf self, const messages::EntityModified& m, Done done);

}  // namespace hourglass::actors
