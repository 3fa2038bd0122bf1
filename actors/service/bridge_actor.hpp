// The Redis bridge: every raw message the subscriber thread takes off Redis
// comes here first. One place (messages/wire) decides whether it is valid;
// a refused one goes to the stream `hourglass:deadletter` with its reason,
// channel and payload (capped at 1 MiB), a valid one to the registry. The
// bridge also keeps the gateway's dead letters in
// `hourglass:gateway:deadletter` (removing each
// from its campaign's outbox once it is written). It runs detached:
// its Redis calls block. While Redis is down, dead letters wait in memory
// (bounded) and are written on the next successful connection. Both
// dead-letter streams are capped (BridgeOptions::dead_letter_max; what is
// trimmed is counted), and the bridge logs every dead letter — its own
// refusals and those the registry and the stream reader send it — through
// one io::LogLimiter, so a flood of bad input is a few lines and a count.
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <functional>
#include <optional>

#include "actors/service/service_protocol.hpp"
#include "actors/service/telemetry.hpp"
#include "io/log_limiter.hpp"
#include "io/redis_link.hpp"
#include "sim/rules.hpp"

namespace hourglass::actors {

using bridge_actor = caf::typed_actor<
    // the registry, spawned after the bridge (each needs the other)
    caf::reacts_to<set_registry_atom, inbound_router_actor>,
    // the rules messages are validated with, from now on (SIGHUP reload)
    caf::reacts_to<rules_atom, sim::RulesPtr>,
    // (channel, payload) as taken off Redis: a valid message is routed to
    // the registry, a refused one dead-lettered with its reason
    caf::reacts_to<inbound_atom, std::string, std::string>,
    // (channel, payload, stream id) off the stream input: validated alike;
    // a valid one is routed with its id (the registry acknowledges it once
    // handled), a refused one dead-lettered and acknowledged at once
    caf::reacts_to<inbound_atom, std::string, std::string, std::string>,
    // done with a stream entry: acknowledged through BridgeOptions::acknowledge
    caf::reacts_to<stream_ack_atom, std::string>,
    // (reason, channel, payload): a message refused after the bridge
    caf::reacts_to<dead_letter_atom, std::string, std::string, std::string>,
    // the gateway's dead letter (a JSON entry, its campaign, its outbox
    // entry id): once written, the entry leaves the campaign's outbox
    caf::reacts_to<gw_dead_letter_atom, std::string, std::string, std::string>,
    // writes the dead letters waiting for Redis; answers how many still wait
    caf::replies_to<flush_dead_letters_atom>::with<std::size_t>,
    // its own timer: logs the counts of the lines its log limiter suppressed
    caf::reacts_to<tick_atom>,
    // publishes intake marker n on kIntakeMarkChannel (under
    // BridgeOptions::intake_mark_instance's name); it
    // comes back through the subscription as an inbound message, after
    // everything published before it, and goes to the registry as
    // intake_mark_atom (registry_acquire.cpp)
    caf::reacts_to<publish_mark_atom, std::uint64_t>>;

inline constexpr const char* kDeadLetterStream = "hourglass:deadletter";
inline constexpr const char* kGatewayDeadLetterStream = "hourglass:gateway:deadletter";
// Where intake markers go: every instance's subscription hears every
// instance's, and keeps its own (the payload is "<instance id> <number>").
inline constexpr const char* kIntakeMarkChannel = "hourglass:intake-mark";

struct BridgeOptions {
  io::RedisEndpoint redis;
  sim::RulesPtr rules;
  inbound_router_actor registry;
  Telemetry* telemetry = &Telemetry::none();
  std::size_t max_pending = 100'000;  // dead letters kept while Redis is down
  // Each dead-letter stream is trimmed (XTRIM MAXLEN ~) to about this many
  // entries, the oldest going first (HOURGLASS_DEAD_LETTER_MAX).
  std::size_t dead_letter_max = 10'000;
  // Repeated log lines (per kind: refused input per channel kind, Redis
  // failures): at most log_lines per log_interval, then one count.
  std::size_t log_lines = 10;
  std::chrono::milliseconds log_interval{5000};
  // Acknowledges a stream entry by id (io::RedisStreamReader::acknowledge,
  // which is synchronous and thread-safe); empty when the stream input is
  // off. serve_app owns the reader; the function keeps it alive only for
  // the acknowledgements, serve_app starts and stops its thread.
  std::function<void(const std::string& stream_id)> acknowledge;
  // This instance's name in its intake markers; empty: no markers (the
  // subscription is not on kIntakeMarkChannel).
  std::string intake_mark_instance;
};

// A stream entry waiting for Redis; a gateway dead letter also names the
// outbox entry to remove once it is written.
struct PendingStreamEntry {
  std::string stream;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string campaign_id;  // with outbox_id: empty for input dead letters
  std::string outbox_id;
};

struct BridgeState {
  BridgeOptions options;
  std::optional<io::RedisLink> redis;  // made from options.redis when the bridge starts
  std::deque<PendingStreamEntry> pending;
  std::optional<io::LogLimiter> log_limiter;  // made from the options when the bridge starts
  bool log_tick_scheduled = false;            // a tick_atom is on its way
  static inline const char* name = "redis-bridge";
};

bridge_actor::behavior_type bridge(bridge_actor::stateful_pointer<BridgeState> self, BridgeOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::BridgeOptions)
