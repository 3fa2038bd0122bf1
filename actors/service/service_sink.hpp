// A campaign's record sink in service mode: every record is published on
// Redis `campaign.{id}.simulation` (so UIs can show what happened) and,
// when the campaign says a message is done, that message's records go to
// the gateway to become API writes: the typed records (its campaign is
// started with CampaignInit::typed_records), the same records as the text
// published and in the same order, so that nothing reads its JSON back. It
// stays untyped: the campaign actor (actors/campaign_actor) talks to its
// sink through an untyped handle.
#pragma once

#include <caf/all.hpp>
#include <string>

#include "actors/protocol.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/gateway_actor.hpp"

namespace hourglass::actors {

struct ServiceSinkState {
  std::string campaign_id;
  std::string channel;          // campaign.{id}.simulation
  sim::OwnedRecords pending;    // records of the message in progress
  Carries carries;              // settlements' hidden carries changed by it
  sim::WorldTime carry_time = 0;
  gateway_actor gateway;
  bridge_actor bridge;
  static inline const char* name = "service-sink";
};

caf::behavior service_sink(caf::stateful_actor<ServiceSinkState>* self, std::string campaign_id,
                           gateway_actor gateway, bridge_actor bridge);

}  // namespace hourglass::actors
