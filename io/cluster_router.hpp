// Routing one RedisConnection's commands over a Redis Cluster: the slot map
// (CLUSTER SLOTS), one plain connection per master (opened on first use,
// dropped when it breaks), and the redirections a node answers followed:
//   MOVED  the slot lives elsewhere now: the slot is updated, the map
//          refreshed, the command sent again to the new owner;
//   ASK    the slot is being migrated and this key already left: ASKING and
//          the command on the target, the map unchanged;
//   TRYAGAIN  a multi-key command during a migration: sent again after a
//          short pause, a few times, then the error (transient) is thrown.
// At most kMaxRedirects redirections per command: a map that keeps moving
// ends in a RedisError rather than a loop.
//
// A RedisConnection makes one the first time its server answers MOVED, ASK
// or TRYAGAIN (only a cluster node does): a single Redis never pays for it.
// The connection's own context stays the "home" node: keyless commands
// (PING, INFO, PUBLISH, CONFIG GET...) and pub/sub go there.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "io/cluster_slots.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::io {

// The redirection that refused the first queued command of an aborted
// transaction (its message reads "... command 0 (XDEL) refused: MOVED 12
// 127.0.0.1:7001)"); nullopt when it was anything else or EXEC ran.
std::optional<ClusterRedirect> redirect_in_transaction(const RedisTransactionError& e);

// The masters a cluster reached through `seed` ("host:port") named, process
// wide: what RedisConnection::connect tries when the seed itself is down
// (a killed master must not cut the process off the rest of the cluster).
void remember_cluster_masters(const std::string& seed, const std::vector<std::string>& masters);
std::vector<std::pair<std::string, int>> known_cluster_masters(const std::string& seed);

class ClusterRouter {
 public:
  static constexpr int kMaxRedirects = 5;
  static constexpr int kMaxTryAgain = 5;

  // Reads the slot map through `home` (CLUSTER SLOTS); throws RedisError.
  explicit ClusterRouter(RedisConnection& home);

  // Runs `args` on the node serving its keys' slot (the first key's: a
  // command whose keys span slots is refused by the server, CROSSSLOT).
  RedisConnection::Reply run(RedisConnection& home, const std::vector<std::string_view>& args);
  // MULTI/EXEC on the node of the commands' one slot (the WATCHed node after
  // WATCH); a transaction across slots is refused before anything is sent.
  std::vector<RedisReply> exec_transaction(RedisConnection& home, const std::vector<std::vector<std::string>>& commands);
  // SCRIPT LOAD on every master, so that EVALSHA finds it whichever node a
  // key routes to (the SHA1 is the same on all). Throws when none took it.
  std::string script_load(RedisConnection& home, std::string_view source);
  // Applies a socket timeout to every node connection, now and later.
  void set_io_timeout(std::chrono::milliseconds timeout);

  // "host:port" of every master the map names (for tests and /health).
  std::vector<std::string> masters() const;

 private:
  struct Node {
    std::string host;
    int port = 0;
    std::optional<RedisConnection> conn;  // empty for the home node: that is the owner itself
  };
  static constexpr std::uint16_t kNoNode = 0xFFFF;

  RedisConnection& connection(RedisConnection& home, std::size_t node);
  std::size_t node_index(const std::string& host, int port);
  std::size_t node_of(std::optional<int> slot) const;
  // CLUSTER SLOTS from the home node, or any open node; false when none
  // answered (the map then stays as it was).
  bool refresh(RedisConnection& home);
  void read_map(const RedisReply& slots, const std::string& asked_host);
  void forget_broken(std::size_t node);

  std::vector<Node> nodes_;  // nodes_[0] is home
  std::array<std::uint16_t, kClusterSlotCount> slots_;
  bool stale_ = false;                      // a node broke: refresh the map before the next command
  std::optional<std::size_t> watched_;      // the node a WATCH went to, until EXEC or UNWATCH
  std::chrono::milliseconds connect_timeout_;
  std::optional<std::chrono::milliseconds> io_timeout_;
};

}  // namespace hourglass::io
