// What the service-mode actors say to each other (one process only).
#pragma once

#include <caf/all.hpp>
#include <string>

#include "actors/protocol.hpp"
#include "io/coalesce.hpp"
#include "io/write_executor.hpp"

namespace hourglass::actors {

// service sink -> gateway: (campaign id, record lines of one message)
using writes_atom = caf::atom_constant<caf::atom("writes")>;
// gateway -> worker: carry out one write
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
// -> bridge: publish / dead-letter
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using dead_letter_atom = caf::atom_constant<caf::atom("deadltr")>;
using gw_dead_letter_atom = caf::atom_constant<caf::atom("gwdeadltr")>;
// subscriber thread -> bridge: one raw message off Redis
using inbound_atom = caf::atom_constant<caf::atom("inbound")>;
// -> registry
using route_atom = caf::atom_constant<caf::atom("route")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using bootstrap_atom = caf::atom_constant<caf::atom("bootstrap")>;
using world_time_atom = caf::atom_constant<caf::atom("worldtime")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;

// api reader -> registry: an entity read from the API, decoded and as JSON
// (the SPEC's entity shape, for the flight recorder).
struct FetchedEntity {
  messages::EntityPatch patch;
  nlohmann::json json;
};

struct GatewayJob {
  std::string campaign_id;
  io::EntityWrite write;
  int attempts = 0;
};

struct GatewayStatus {
  std::size_t queued = 0;
  std::size_t in_flight = 0;
  std::uint64_t dead_letters = 0;
  std::string breaker;  // closed | open | half-open
};

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::FetchedEntity)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayJob)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::io::EntityWrite)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::io::WriteOutcome)
