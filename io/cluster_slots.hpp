// Redis Cluster's key -> hash slot function and which arguments of a command
// are keys: what io::ClusterRouter routes by. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hourglass::io {

inline constexpr int kClusterSlots = 16384;
inline constexpr std::size_t kClusterSlotCount = 16384;

// CRC16 (XMODEM) of the key mod 16384, hashing only the part between the
// first '{' and the next '}' when that part is not empty (the hash tag:
// "hourglass:{c1}:checkpoint" and "hourglass:{c1}:outbox" share a slot).
// Equals the server's CLUSTER KEYSLOT.
int cluster_key_slot(std::string_view key);

// The keys of a command (args[0] is its name, any case): EVALSHA/EVAL's
// numkeys keys, XREAD[GROUP]'s streams after STREAMS, XGROUP/XINFO's stream,
// every argument of DEL/UNLINK/EXISTS/WATCH/MGET, none for a command that
// takes no key (PING, INFO, PUBLISH, SCRIPT, CONFIG, CLUSTER, MULTI...),
// args[1] for the rest. Views into `args`.
std::vector<std::string_view> command_keys(const std::vector<std::string_view>& args);

// The one slot all of `keys` hash to; nullopt when there is no key.
// Throws std::invalid_argument naming two keys in different slots.
std::optional<int> common_slot(const std::vector<std::string_view>& keys);

// A redirection a cluster node answers: "MOVED 3999 127.0.0.1:6381" or
// "ASK 3999 127.0.0.1:6381". nullopt for any other reply.
struct ClusterRedirect {
  bool ask = false;  // ASK: this command only, the slot map unchanged
  int slot = 0;
  std::string host;
  int port = 0;
};
std::optional<ClusterRedirect> parse_cluster_redirect(std::string_view server_error);

}  // namespace hourglass::io
