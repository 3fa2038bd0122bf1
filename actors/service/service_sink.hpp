// A campaign's record sink in service mode: every record is published on
// Redis `campaign.{id}.simulation` (so UIs can show what happened) and,
// when the campaign says a message is done, that message's records go to
// the gateway to become API writes.
#pragma once

#include <caf/all.hpp>

#include "actors/protocol.hpp"
#include <string>

namespace hourglass::actors {

struct ServiceSinkState {
  std::string campaign_id;
  std::string channel;  // campaign.{id}.simulation
  std::string pending;  // records of the message in progress
  Carries carries;      // settlements' hidden carries changed by it
  sim::WorldTime carry_time = 0;
  caf::actor gateway;
  caf::actor bridge;
  static inline const char* name = "service-sink";
};

caf::behavior service_sink(caf::stateful_actor<ServiceSinkState>* self, std::string campaign_id,
                           caf::actor gateway, caf::actor bridge);

}  // namespace hourglass::actors
