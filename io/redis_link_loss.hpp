// Why did Redis drop a link? Told after the fact, by comparing what INFO said
// before the link was lost and what it says on the next connection.
//
// A subscriber that is sent more than `client-output-buffer-limit pubsub`
// allows (default 32mb hard, 8mb for 60 s) is closed by Redis at once, and
// everything queued for it is discarded: the client sees only "Server closed
// the connection". Redis counts such disconnections in INFO stats
// `client_output_buffer_limit_disconnections` only from a later version than
// Debian 12's 7.0; where the count is missing the cause is inferred: Redis
// closed the link while it kept running (same run_id) and evicted no client
// (`evicted_clients`, maxmemory-clients), which leaves the output buffer
// limit, or an operator's CLIENT KILL. Pure functions; the subscriber reads
// INFO.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hourglass::io {

// What INFO tells about the server, for telling causes apart.
struct RedisServerInfo {
  std::string run_id;  // changes when redis-server restarts; empty: not known
  std::optional<std::uint64_t> evicted_clients;
  std::optional<std::uint64_t> output_buffer_limit_disconnections;
};

// Reads INFO's text (any sections; unknown fields ignored, missing ones left
// empty). Never throws: a field that is not a number is left empty.
RedisServerInfo parse_redis_info(std::string_view info);

enum class LinkLossCause {
  network,              // the link broke (reset, timeout, unreachable) without Redis closing it
  server_restarted,     // a new run_id
  output_buffer_limit,  // Redis dropped the client for its output buffer limit
  client_evicted,       // maxmemory-clients evicted it
  closed_by_server,     // Redis closed it for another reason (CLIENT KILL, ...)
  unknown,              // INFO could not be read
};
const char* to_string(LinkLossCause cause);

struct LinkLossVerdict {
  LinkLossCause cause = LinkLossCause::unknown;
  bool inferred = false;  // no counter proves it: the cause is the one left
  std::string evidence;   // what showed it, for logs and /health
};

// `before`: INFO on the lost link, `after`: on the new one; `closed_by_server`:
// the link ended with EOF (Redis closed it) rather than an error or timeout.
LinkLossVerdict explain_link_loss(const RedisServerInfo& before, const RedisServerInfo& after, bool closed_by_server);

}  // namespace hourglass::io
