// The Redis bridge: every raw message the subscriber thread takes off Redis
// comes here first. One place (messages/wire) decides whether it is valid;
// a refused one goes to the stream `hourglass:deadletter` with its reason,
// channel and payload (capped at 1 MiB), a valid one to the registry. The
// bridge also publishes records on `campaign.{id}.simulation` and keeps the
// gateway's dead letters in `hourglass:gateway:deadletter`. It runs detached:
// its Redis calls block. While Redis is down, dead letters wait in memory
// (bounded) and are written on the next successful connection.
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <optional>

#include "io/redis_connection.hpp"
#include "actors/service/telemetry.hpp"
#include "sim/rules.hpp"

namespace hourglass::actors {

inline constexpr const char* kDeadLetterStream = "hourglass:deadletter";
inline constexpr const char* kGatewayDeadLetterStream = "hourglass:gateway:deadletter";

struct BridgeOptions {
  io::RedisEndpoint redis;
  sim::RulesPtr rules;
  caf::actor registry;
  Telemetry* telemetry = &Telemetry::none();
  std::size_t max_pending = 100'000;  // dead letters kept while Redis is down
};

struct BridgeState {
  BridgeOptions options;
  std::optional<io::RedisConnection> redis;
  std::deque<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> pending;
  static inline const char* name = "redis-bridge";
};

caf::behavior bridge_actor(caf::stateful_actor<BridgeState>* self, BridgeOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::BridgeOptions)
