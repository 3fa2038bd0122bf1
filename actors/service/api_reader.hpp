// The API reader: a detached actor (its calls block) that reads what the
// engine needs from the campaign API: a campaign's whole state on its first
// message (bootstrap), its current world time (resync after a Redis
// reconnect), and an entity that an entityModified did not carry inline.
// Replies are validated by the same codecs as scenario files. Failures are
// hourglass_errc (actors/errors.hpp): api_unavailable, api_refused,
// bad_api_reply, entity_not_found.
#pragma once

#include <caf/all.hpp>

#include <stdexcept>

#include "actors/errors.hpp"
#include "actors/protocol.hpp"
#include "actors/service/service_protocol.hpp"
#include "io/campaign_api.hpp"
#include "messages/reconcile.hpp"

namespace hourglass::actors {

// A read from the API that failed, with the code the reader answers.
struct ApiReadError : std::runtime_error {
  ApiReadError(hourglass_errc c, const std::string& what) : std::runtime_error(what), code(c) {}
  hourglass_errc code;
};

// A campaign read from the API (it has no checkpoint). `last_write`: the
// highest write marker its entities carry — the numbering of its writes goes
// on from there, or a campaign whose checkpoint was lost would number its
// writes anew and find them all "applied before".
struct ApiBootstrap {
  CampaignSeed seed;
  std::uint64_t last_write = 0;
};

using api_reader_actor = caf::typed_actor<
    // (campaign id, rules, as of) -> the campaign's state, validated, its
    // clock at `as of` when given (see read_campaign_seed)
    caf::replies_to<bootstrap_atom, std::string, sim::RulesPtr, std::optional<sim::WorldTime>>::with<ApiBootstrap>,
    // campaign id -> its current world time
    caf::replies_to<world_time_atom, std::string>::with<sim::WorldTime>,
    // (kind, entity id, campaign id, rules) -> the entity
    caf::replies_to<fetch_atom, messages::EntityKind, std::string, std::string, sim::RulesPtr>::with<FetchedEntity>,
    // campaign id -> its settlements, structures and events as the API has
    // them, in the SPEC entity shape (reconciling a resumed campaign)
    caf::replies_to<list_entities_atom, std::string>::with<std::vector<messages::ListedEntity>>>;

api_reader_actor::behavior_type api_reader(api_reader_actor::pointer self, io::CampaignApiConfig config);

// Builds a campaign's seed from the API (exposed for tests): its entities
// as the API has them, its clock `as_of` when given, else the API's world
// time. The real API moves its clock before it announces an advance, so a
// campaign first seen through an advance starts at that advance's
// previousTime — the API's clock before it — or the advance would find the
// clock already there and be dropped (docs/spec-readings.md). Throws
// messages::InputError (bad entity, naming it) or ApiReadError (API).
// `last_write`, when given, gets the highest write marker seq its
// settlements and structures carry (messages::write_marker_seq; 0 for none).
CampaignSeed read_campaign_seed(io::CampaignApi& api, const std::string& campaign_id, const sim::Rules& rules,
                                std::optional<sim::WorldTime> as_of = std::nullopt,
                                std::uint64_t* last_write = nullptr);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::messages::EntityPatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::ApiBootstrap)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hourglass::messages::ListedEntity>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<hourglass::sim::WorldTime>)
