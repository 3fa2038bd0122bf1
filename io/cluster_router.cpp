#include "io/cluster_router.hpp"

#include <hiredis/hiredis.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace hourglass::io {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::string address(const std::string& host, int port) { return host + ":" + std::to_string(port); }

struct KnownMasters {
  std::mutex mutex;
  std::map<std::string, std::vector<std::pair<std::string, int>>> by_seed;
};

KnownMasters& known() {
  static KnownMasters k;
  return k;
}

// A process talks to one or two Redis endpoints; a bound all the same.
constexpr std::size_t kMaxSeeds = 16;

}  // namespace

void remember_cluster_masters(const std::string& seed, const std::vector<std::string>& masters) {
  std::vector<std::pair<std::string, int>> nodes;
  for (const auto& m : masters) {
    const auto colon = m.rfind(':');
    if (colon == std::string::npos) continue;
    nodes.emplace_back(m.substr(0, colon), std::stoi(m.substr(colon + 1)));
  }
  std::lock_guard<std::mutex> lock(known().mutex);
  auto& by_seed = known().by_seed;
  if (by_seed.size() >= kMaxSeeds && by_seed.count(seed) == 0) return;
  by_seed[seed] = std::move(nodes);
}

std::vector<std::pair<std::string, int>> known_cluster_masters(const std::string& seed) {
  std::lock_guard<std::mutex> lock(known().mutex);
  const auto it = known().by_seed.find(seed);
  return it == known().by_seed.end() ? std::vector<std::pair<std::string, int>>{} : it->second;
}

std::optional<ClusterRedirect> redirect_in_transaction(const RedisTransactionError& e) {
  if (e.applied()) return std::nullopt;
  const std::string what = e.what();
  const auto at = what.find("refused: ");
  if (at == std::string::npos) return std::nullopt;
  // The refusal is followed by the rest of the message: parse it alone.
  std::string_view refusal = std::string_view(what).substr(at + 9);
  refusal = refusal.substr(0, refusal.find(')'));
  return parse_cluster_redirect(refusal);
}

ClusterRouter::ClusterRouter(RedisConnection& home) : connect_timeout_(home.timeout_) {
  slots_.fill(kNoNode);
  nodes_.push_back(Node{home.endpoint().host, home.endpoint().port, std::nullopt});
  const RedisConnection::Reply map = home.plain_command({"CLUSTER", "SLOTS"});
  read_map(RedisConnection::to_reply(map.get()), home.endpoint().host);
  remember_cluster_masters(home.seed_, masters());
}

RedisConnection& ClusterRouter::connection(RedisConnection& home, std::size_t node) {
  if (node == 0) return home;
  Node& n = nodes_.at(node);
  if (n.conn && n.conn->broken()) n.conn.reset();
  if (!n.conn) {
    RedisEndpoint ep = home.endpoint();
    ep.host = n.host;
    ep.port = n.port;
    try {
      // That node and no other: connect()'s fallback to another master would
      // answer every command of this node's slots with MOVED back here.
      n.conn.emplace(RedisConnection::connect_node(ep, connect_timeout_));
    } catch (const RedisError&) {
      stale_ = true;  // a master gone: the map may have changed (a failover)
      throw;
    }
    if (io_timeout_) n.conn->set_io_timeout(*io_timeout_);
  }
  return *n.conn;
}

std::size_t ClusterRouter::node_index(const std::string& host, int port) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].host == host && nodes_[i].port == port) return i;
  }
  // Bounded: a cluster has at most 16384 masters; a map never names more.
  if (nodes_.size() >= static_cast<std::size_t>(kClusterSlots)) {
    throw RedisError("CLUSTER", "Redis Cluster: more than " + std::to_string(kClusterSlots) + " nodes named");
  }
  nodes_.push_back(Node{host, port, std::nullopt});
  return nodes_.size() - 1;
}

std::size_t ClusterRouter::node_of(std::optional<int> slot) const {
  if (!slot) return watched_.value_or(0);
  const std::uint16_t n = slots_[static_cast<std::size_t>(*slot)];
  return n == kNoNode ? 0 : n;  // a slot no master serves: home answers (CLUSTERDOWN or MOVED)
}

void ClusterRouter::read_map(const RedisReply& map, const std::string& asked_host) {
  if (map.type != RedisReply::Type::Array) throw RedisError("CLUSTER", "Redis CLUSTER SLOTS: not an array");
  std::array<std::uint16_t, kClusterSlotCount> slots;
  slots.fill(kNoNode);
  for (const RedisReply& range : map.elements) {
    // [start, end, [host, port, id, ...], replicas...]
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
    const long long start = range.elements[0].integer, end = range.elements[1].integer;
    if (start < 0 || end >= kClusterSlots || start > end) continue;
    const RedisReply& master = range.elements[2];
    // An empty host means "the address you reached me at".
    const std::string host = master.elements[0].text.empty() ? asked_host : master.elements[0].text;
    const long long port = master.elements[1].integer;
    if (port <= 0 || port > 65535) continue;
    const auto node = static_cast<std::uint16_t>(node_index(host, static_cast<int>(port)));
    for (long long s = start; s <= end; ++s) slots[static_cast<std::size_t>(s)] = node;
  }
  slots_ = slots;
}

bool ClusterRouter::refresh(RedisConnection& home) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    RedisConnection* conn = i == 0 ? &home : (nodes_[i].conn ? &*nodes_[i].conn : nullptr);
    if (conn == nullptr || conn->broken()) continue;
    try {
      const RedisConnection::Reply map = conn->plain_command({"CLUSTER", "SLOTS"});
      read_map(RedisConnection::to_reply(map.get()), nodes_[i].host);
      remember_cluster_masters(home.seed_, masters());
      stale_ = false;
      return true;
    } catch (const RedisError&) {
      // try the next node
    }
  }
  return false;
}

void ClusterRouter::forget_broken(std::size_t node) {
  if (node != 0) nodes_[node].conn.reset();
  stale_ = true;
}

RedisConnection::Reply ClusterRouter::run(RedisConnection& home, const std::vector<std::string_view>& args) {
  const std::vector<std::string_view> keys = command_keys(args);
  const std::optional<int> slot = keys.empty() ? std::nullopt : std::optional<int>(cluster_key_slot(keys.front()));
  if (stale_) refresh(home);
  const std::string name(args.front());
  const bool unwatch = name == "UNWATCH";
  std::size_t node = node_of(slot);
  bool asking = false;
  int redirects = 0, tryagains = 0;
  for (;;) {
    RedisConnection& conn = connection(home, node);
    try {
      if (asking) conn.plain_command({"ASKING"});
      RedisConnection::Reply reply = conn.plain_command(args);
      if (name == "WATCH") watched_ = node;
      if (unwatch) watched_.reset();
      return reply;
    } catch (const RedisError& e) {
      if (conn.broken()) {
        forget_broken(node);
        throw;
      }
      const std::string& error = e.server_error();
      if (const auto redirect = parse_cluster_redirect(error)) {
        if (++redirects > kMaxRedirects) {
          throw RedisError(name, e.what() + std::string(" (after ") + std::to_string(kMaxRedirects) +
                                     " Redis Cluster redirections: the slot map keeps changing)", error);
        }
        asking = redirect->ask;
        if (!asking) refresh(home);  // the whole map: a resharding moves more than this slot
        node = node_index(redirect->host, redirect->port);
        // The node's answer wins over a map read from a node that may not know yet.
        if (!asking) slots_[static_cast<std::size_t>(redirect->slot)] = static_cast<std::uint16_t>(node);
        continue;
      }
      if (starts_with(error, "TRYAGAIN") && ++tryagains <= kMaxTryAgain) {
        // A multi-key command while its slot migrates: the keys are split
        // for a moment. Not waiting for a test: a bounded production backoff.
        std::this_thread::sleep_for(std::chrono::milliseconds(10 * tryagains));
        continue;
      }
      if (starts_with(error, "CROSSSLOT")) {
        throw RedisError(name, e.what() + std::string(" (Redis Cluster runs a command or script only when all its "
                                                      "keys share one hash slot: give them the same {hash tag})"),
                         error);
      }
      throw;
    }
  }
}

std::vector<RedisReply> ClusterRouter::exec_transaction(RedisConnection& home,
                                                        const std::vector<std::vector<std::string>>& commands) {
  std::vector<std::string_view> keys;
  for (const auto& c : commands) {
    const std::vector<std::string_view> args(c.begin(), c.end());
    for (const auto key : command_keys(args)) keys.push_back(key);
  }
  std::optional<int> slot;
  try {
    slot = common_slot(keys);
  } catch (const std::invalid_argument& e) {
    throw RedisError("EXEC", std::string("Redis EXEC refused before sending: ") + e.what(),
                     std::string("CROSSSLOT ") + e.what());
  }
  if (stale_) refresh(home);
  const bool watching = watched_.has_value();
  std::size_t node = node_of(slot);
  watched_.reset();  // EXEC ends a WATCH, whatever it answers
  for (int attempt = 0;; ++attempt) {
    RedisConnection& conn = connection(home, node);
    try {
      return conn.plain_exec_transaction(commands);
    } catch (const RedisTransactionError& e) {
      const auto moved = redirect_in_transaction(e);
      // Sent again only when nothing ran and no WATCH binds it to the node.
      if (!moved || moved->ask || watching || attempt >= 1) throw;
      refresh(home);
      node = node_index(moved->host, moved->port);
      slots_[static_cast<std::size_t>(moved->slot)] = static_cast<std::uint16_t>(node);
    } catch (const RedisError&) {
      if (conn.broken()) forget_broken(node);
      throw;
    }
  }
}

std::string ClusterRouter::script_load(RedisConnection& home, std::string_view source) {
  refresh(home);  // every master of the current map
  std::string sha1;
  std::optional<RedisError> last;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    try {
      const RedisConnection::Reply reply = connection(home, i).plain_command({"SCRIPT", "LOAD", source});
      const auto* r = static_cast<const redisReply*>(reply.get());
      if (r->type == REDIS_REPLY_STRING) sha1.assign(r->str, r->len);
    } catch (const RedisError& e) {
      last = e;  // a master down: it loads the script when a NOSCRIPT from it says so
    }
  }
  if (sha1.empty()) throw last.value_or(RedisError("SCRIPT", "Redis SCRIPT LOAD: no master of the cluster answered"));
  return sha1;
}

void ClusterRouter::set_io_timeout(std::chrono::milliseconds timeout) {
  io_timeout_ = timeout;
  for (auto& n : nodes_) {
    if (n.conn && !n.conn->broken()) n.conn->set_io_timeout(timeout);
  }
}

std::vector<std::string> ClusterRouter::masters() const {
  std::vector<bool> serves(nodes_.size(), false);
  for (const std::uint16_t n : slots_) {
    if (n != kNoNode) serves[n] = true;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (serves[i]) out.push_back(address(nodes_[i].host, nodes_[i].port));
  }
  return out;
}

}  // namespace hourglass::io
