// What the service-mode actors say to each other (one process only): one
// atom per operation, and the payloads they carry. Each actor's typed
// interface, in its own header, is the documentation of its protocol:
// api_reader_actor (api_reader.hpp), gateway_actor (gateway_actor.hpp),
// bridge_actor (bridge_actor.hpp), registry_actor (registry_actor.hpp).
#pragma once

#include <caf/all.hpp>
#include <optional>
#include <string>

#include "actors/protocol.hpp"
#include "io/circuit_breaker.hpp"
#include "io/coalesce.hpp"
#include "io/write_executor.hpp"
#include "messages/api_input.hpp"

namespace hourglass::actors {

// -> gateway
using gateway_drain_atom = caf::atom_constant<caf::atom("gwdrain")>;    // answer once nothing is left to write
using gateway_abandon_atom = caf::atom_constant<caf::atom("gwabandon")>;  // dead-letter what waits, stop retrying
using gateway_status_atom = caf::atom_constant<caf::atom("gwstatus")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;              // the gateway's own timers
using tick_atom = caf::atom_constant<caf::atom("tick")>;
// gateway -> worker: carry out one write
using execute_atom = caf::atom_constant<caf::atom("execute")>;
// -> bridge
using set_registry_atom = caf::atom_constant<caf::atom("registry")>;  // who valid messages go to
using inbound_atom = caf::atom_constant<caf::atom("inbound")>;        // one raw message off Redis
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using dead_letter_atom = caf::atom_constant<caf::atom("deadltr")>;
using gw_dead_letter_atom = caf::atom_constant<caf::atom("gwdeadltr")>;
using flush_dead_letters_atom = caf::atom_constant<caf::atom("flushdl")>;  // write the waiting ones now
using stream_ack_atom = caf::atom_constant<caf::atom("streamack")>;  // done with a stream entry: XACK it
// publish intake marker n on the subscription (registry_acquire.cpp)
using publish_mark_atom = caf::atom_constant<caf::atom("pubmark")>;
// -> registry
using route_atom = caf::atom_constant<caf::atom("route")>;  // a valid message to its campaign
using api_change_atom = caf::atom_constant<caf::atom("apichange")>;  // entity.modified of the API
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using registry_drain_atom = caf::atom_constant<caf::atom("regdrain")>;  // answer once no message is in flight
using registry_status_atom = caf::atom_constant<caf::atom("regstatus")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
// end a partition's sessions (graceful handoff); then io::PartitionOwnership::sessions_ended
using handoff_atom = caf::atom_constant<caf::atom("handoff")>;
// a partition was taken over: its campaigns' outboxes sent, and resynced
using acquired_atom = caf::atom_constant<caf::atom("acquired")>;
// intake marker n came through the subscription, after everything published
// before it (from the bridge); and the registry's own timer to publish another
using intake_mark_atom = caf::atom_constant<caf::atom("intakemark")>;
using mark_tick_atom = caf::atom_constant<caf::atom("marktick")>;
// -> api reader
using bootstrap_atom = caf::atom_constant<caf::atom("bootstrap")>;
using world_time_atom = caf::atom_constant<caf::atom("worldtime")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using list_entities_atom = caf::atom_constant<caf::atom("listents")>;

// A valid message off Redis, on its way to its campaign.
struct Inbound {
  messages::Message message;
  std::string channel;
  std::string payload;  // raw, for dead letters
  std::optional<nlohmann::json> fetched;  // the entity read from the API, for the flight recorder
  // Announced by the campaign API itself (entity.modified): the entity is
  // fetched whole, its engine-owned fields are left to the engine
  // (sim::drop_engine_owned), and a fetch that finds nothing is a DELETE.
  bool from_api = false;
  // A resync advance of the start-up resume (registry_resume.cpp): when it
  // is done with, the next queued resync may start.
  bool resync = false;
  // The entry id when it came off the stream input (HOURGLASS_INPUT=stream);
  // empty for pub/sub. Acknowledged (stream_ack_atom to the bridge) once the
  // message is committed (or refused), so the stream gives it again until
  // then; one the campaign's checkpoint already applied is skipped.
  std::string stream_id;
};

// An entity.modified.{id} of the campaign API, with its raw channel and
// payload (for dead letters): the registry finds the campaign holding it.
struct ApiChange {
  messages::ApiEntityChanged change;
  std::string channel;
  std::string payload;
};

// What the bridge hands valid messages to: the registry.
using inbound_router_actor =
    caf::typed_actor<caf::reacts_to<route_atom, Inbound>, caf::reacts_to<api_change_atom, ApiChange>,
                     caf::reacts_to<intake_mark_atom, std::uint64_t>>;

// api reader -> registry: an entity read from the API, decoded and as JSON
// (the SPEC's entity shape, for the flight recorder).
struct FetchedEntity {
  messages::EntityPatch patch;
  nlohmann::json json;
};

// One outbox entry on its way to the API.
struct GatewayJob {
  std::string campaign_id;
  std::string entry_id;  // in the campaign's outbox (io/checkpoint_store)
  io::EntityWrite write;
  int attempts = 0;
};

struct GatewayStatus {
  std::size_t queued = 0;
  std::size_t in_flight = 0;
  std::uint64_t dead_letters = 0;
  io::CircuitBreaker::State breaker = io::CircuitBreaker::State::Closed;
};

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::Inbound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::ApiChange)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::FetchedEntity)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayJob)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::io::EntityWrite)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::io::WriteOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::messages::EntityKind)
