// The campaign API's own Redis traffic, decoded: what the real API publishes
// instead of Hourglass's generic input (SPEC §6, messages/wire.hpp).
//
//   entity.modified.{entityId}   JSON from graphql-redis-subscriptions:
//     {"entityModified": {entityId, entityType, version, modifiedBy, modifiedAt}}
//     -> ApiEntityChanged for the types Hourglass simulates, ignored otherwise.
//   socket.io#/#{room}#          msgpack from @socket.io/redis-adapter 8.x for
//     io.to(room).emit(event, data): [uid, {type: 2, data: [event, data], nsp},
//     {rooms, except, flags}]
//     -> WorldTimeAdvanced for event world_time_changed to room campaign:{id},
//        ignored for any other event, room or namespace.
//
// Every refusal names the field at fault as InputError does (path + message);
// SPEC §7's rules hold: not JSON/msgpack, a missing field, a bad time, a
// campaign id other than the room's, more than 1 MiB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "messages/wire.hpp"

namespace hourglass::messages {

// entity.modified.{entityId} for a type Hourglass simulates. The API sends
// no campaign id and no entity: whoever receives it must find the campaign
// that holds entity_id and fetch the entity from the API.
struct ApiEntityChanged {
  std::string entity_id;
  EntityKind kind = EntityKind::Settlement;  // Settlement, Structure or Event
  std::int64_t version = 0;                  // the entity's version after the change
  std::string modified_by;                   // a user id
  sim::WorldTime modified_at = 0;  // wall clock (the row's updatedAt), ms since the epoch
};

// Well-formed traffic that is not for Hourglass (another entity type, event,
// room or namespace); `why` says which, for a debug log or a counter.
struct ApiIgnored {
  std::string why;
};

// Malformed traffic: to be logged, counted and dead-lettered like any
// refused message (SPEC §7).
struct ApiRefused {
  std::string path;     // e.g. "message[1].data[1].payload.newTime"
  std::string message;  // e.g. "bad time \"soon\" (...)"
  std::string what() const { return path.empty() ? message : path + ": " + message; }
};

using ApiTraffic = std::variant<ApiIgnored, ApiRefused, WorldTimeAdvanced, ApiEntityChanged>;

// The Redis PSUBSCRIBE patterns that carry the traffic decode_api_traffic reads.
inline constexpr const char* kApiEntityModifiedPattern = "entity.modified.*";
inline constexpr const char* kApiSocketIoCampaignPattern = "socket.io#/#campaign:*";

// Routes by channel: entity.modified.* to decode_api_entity_modified,
// socket.io#* to decode_socketio_packet; any other channel is refused.
ApiTraffic decode_api_traffic(std::string_view channel, std::string_view bytes);

// `channel` is entity.modified.{entityId}; `bytes` the JSON payload.
ApiTraffic decode_api_entity_modified(std::string_view channel, std::string_view bytes);

// `channel` is socket.io#{nsp}#[{room}#]; `bytes` the msgpack packet.
ApiTraffic decode_socketio_packet(std::string_view channel, std::string_view bytes);

}  // namespace hourglass::messages
