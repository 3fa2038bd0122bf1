// The stream input's router (docs/operations.md, The stream input): moves
// each entry of the ingress stream (HOURGLASS_STREAM_KEY, where producers
// XADD) to its campaign's partition stream, which only the partition's
// owner reads, so that each campaign's entries keep their order across
// instances and move with the partition's lease.
//
// Keys: the partition streams `{<ingress>}:p<N>` (the ingress key as their
// hash tag, or its own tag when it has one): every one of them in the
// ingress stream's slot, so that one XREADGROUP over the partitions an
// instance owns runs on a Redis Cluster too (a multi-key command must stay
// in one slot; the ingress is one key, hence one node, anyway). The router
// reads the ingress with its own consumer group,
// `<group>-router`. One router at a time across instances: the lease keeper
// of every instance tries to take the router lease (router_lease_keys), and
// this router reads only while `active()` says it holds it.
//
// Each entry is copied with the ingress entry's own id (XADD <partition
// stream> <id> channel … payload …), then acknowledged in the router group.
// Ingress ids increase and the router routes them one at a time, in order,
// so each partition stream gets an increasing subsequence; a copy repeated
// after a crash between XADD and XACK is refused by Redis ("equal or
// smaller than the target stream top item") and counts as routed: routing
// is idempotent without a script across slots. A router that takes over
// (the previous one died or froze) first claims the router group's pending
// entries (XAUTOCLAIM, min idle 0: the lease says it is the only router)
// and routes them again. An entry that cannot be routed (no channel or
// payload, or a channel naming no campaign) is handed to on_unroutable (the
// service dead-letters it) and acknowledged. A routing that fails (Redis)
// gives the entry back: it and the ones after it are read again, in order.
//
// Upgrade in place: a deployment that read the ingress with the consumer
// group `<group>` directly (before partition streams) has that group's
// position and pending entries. The router group is made at that group's
// last-delivered id (what it had delivered is not routed again), recorded
// first in `{<ingress>}:router-legacy-until`; and each time a router starts,
// before anything else, it claims the old group's pending entries and routes
// those up to that id (the ones after it come through the router group),
// acknowledging them in the old group.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "io/partition_lease.hpp"
#include "io/redis_connection.hpp"
#include "io/redis_stream_reader.hpp"
#include "io/redis_url.hpp"

namespace hourglass::io {

// `{<ingress>}` (or the ingress itself when it has a non-empty {hash tag}):
// the prefix of the stream input's keys, all in the ingress stream's slot.
// Throws std::invalid_argument for a key whose derived keys cannot share its
// slot: no tag can stand for the whole of "a{}b" (an empty tag) or "a}b".
std::string stream_input_tagged(std::string_view ingress);
// `{<ingress>}:p<N>`: partition N's stream.
std::string partition_stream_key(std::string_view ingress, std::uint32_t partition);
// `<group>-router`: the router's consumer group on the ingress stream.
std::string router_group(std::string_view group);
// The router lease (`hourglass:router:{<ingress>}:lease` and `:fence`).
LeaseKeys router_lease_keys(std::string_view ingress);
// `{<ingress>}:router-legacy-until` (see Upgrade above).
std::string router_legacy_key(std::string_view ingress);

enum class Routed { added, already_there };
// Copies the entry to `partition_stream` under its own id; already_there
// when the stream's top is at or past `id` (a repeat). Throws RedisError
// for anything else.
Routed route_entry(RedisConnection& redis, std::string_view partition_stream, std::string_view id,
                   const std::string& channel, const std::string& payload);

// Makes the router group if missing (at the old group's last-delivered id,
// recorded first; else at 0), then routes the old group's pending entries
// up to that id and acknowledges them there. Returns how many it routed.
// What on_unroutable gets for an entry it cannot route is passed to it.
// Throws RedisError (nothing lost: done again by the next router).
std::size_t take_legacy_group(
    RedisConnection& redis, std::string_view ingress, std::string_view group, std::string_view consumer,
    std::uint32_t partitions,
    const std::function<void(const std::string& id, const std::string& channel, const std::string& payload,
                             const std::string& why)>& on_unroutable);

// Every entry of the stream input up to `through` ("+": all of them) was
// routed, and delivered in its partition stream, and nothing routed or
// delivered is left unacknowledged: what a drained service leaves. For tests
// and drills (a few commands per partition). Throws RedisError.
bool stream_input_done_through(RedisConnection& redis, std::string_view ingress, std::string_view group,
                               std::uint32_t partitions, const std::string& through = "+");

// The ingress entries not yet routed: after the router group's position
// (XINFO GROUPS' lag; when Redis cannot tell, the entries after it are
// counted, up to 10000) and held by it unacknowledged. 0 when the group is
// not made yet and the ingress is empty. Throws RedisError.
std::size_t router_backlog(RedisConnection& redis, std::string_view ingress, std::string_view group);

struct StreamRouterOptions {
  RedisEndpoint endpoint;
  std::string ingress = "hourglass:inbox";
  std::string group = "hourglass";  // the partition streams' group; the router's is router_group(group)
  std::string consumer = "hourglass";
  std::uint32_t partitions = 64;
  // Whether this instance holds the router lease now (asked before every
  // read, on the router's thread). Must be thread-safe and cheap.
  std::function<bool()> active;
  std::chrono::milliseconds block{500};
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds io_timeout{5000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_cap{60000};
};

struct StreamRouterCallbacks {
  // An entry no campaign can be named for: the service dead-letters it. It
  // is acknowledged (never routed) right after this returns. `channel` and
  // `payload` are empty when the entry lacks them. Must not throw.
  std::function<void(const std::string& id, const std::string& channel, const std::string& payload,
                     const std::string& why)>
      on_unroutable;
  // The router started (again) on a link: `legacy` entries of the old group routed.
  std::function<void(std::size_t legacy)> on_routing;
  // The backlog (router_backlog) while this router routes, at most every
  // 5 s; 0 once it stops routing. Must not throw.
  std::function<void(std::size_t entries)> on_backlog;
  // Routing or reading failed; it is retried with backoff. Must not throw.
  std::function<void(const std::string& why)> on_error;
};

class StreamRouter {
 public:
  // Validates (std::invalid_argument); does not connect yet.
  StreamRouter(StreamRouterOptions options, StreamRouterCallbacks callbacks);
  ~StreamRouter();  // stop()
  StreamRouter(const StreamRouter&) = delete;
  StreamRouter& operator=(const StreamRouter&) = delete;

  void start();
  void stop();

 private:
  void route(const std::string& id, const std::string& channel, const std::string& payload);
  void unroutable(const std::string& id, const std::string& channel, const std::string& payload,
                  const std::string& why);
  // The router's own connection for its XADDs (the reader thread's only).
  RedisConnection& connection();
  // Whether it routes now; reports the backlog (on the reader thread).
  bool routing();

  StreamRouterOptions options_;
  StreamRouterCallbacks callbacks_;
  std::optional<RedisConnection> redis_;
  bool was_routing_ = false;
  std::chrono::steady_clock::time_point backlog_reported_{};
  std::unique_ptr<RedisStreamReader> reader_;
};

}  // namespace hourglass::io
