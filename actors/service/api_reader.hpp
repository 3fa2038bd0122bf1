// The API reader: a detached actor (its calls block) that reads what the
// engine needs from the campaign API: a campaign's whole state on its first
// message (bootstrap), its current world time (resync after a Redis
// reconnect), and an entity that an entityModified did not carry inline.
// Replies are validated by the same codecs as scenario files.
#pragma once

#include <caf/all.hpp>

#include "actors/protocol.hpp"
#include "io/campaign_api.hpp"

namespace hourglass::actors {

// (bootstrap_atom, campaign id, RulesPtr) -> CampaignSeed
// (world_time_atom, campaign id) -> sim::WorldTime
// (fetch_atom, EntityKind as int, entity id, campaign id, RulesPtr) -> FetchedEntity (service_protocol.hpp)
caf::behavior api_reader(caf::event_based_actor* self, io::CampaignApiConfig config);

// Builds a campaign's seed from the API (exposed for tests). Throws
// messages::InputError (bad entity, naming it) or std::runtime_error (API).
CampaignSeed read_campaign_seed(io::CampaignApi& api, const std::string& campaign_id,
                                const sim::Rules& rules);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::messages::EntityPatch)
