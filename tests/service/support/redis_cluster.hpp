// Test fixture: a real Redis Cluster of N masters (no replicas), each a
// redis-server child (support/redis_server) with --cluster-enabled yes and an
// AOF fsynced on every write, so a master killed with SIGKILL and restarted
// keeps its data and its slots (nodes.conf in its own directory).
//
//   RedisCluster cluster;                   // 3 masters, cluster_state:ok on each
//   auto ep = cluster.endpoint(0);          // any node serves as the seed
//   cluster.kill(1); cluster.restart(1);    // a crashed master back, state ok again
//
// Created by `redis-cli --cluster create ... --cluster-yes` (Debian package
// redis-tools, beside redis-server). Throws std::runtime_error when a tool is
// missing or the cluster does not reach cluster_state:ok in time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "io/redis_connection.hpp"
#include "io/redis_url.hpp"
#include "tests/service/support/redis_server.hpp"

namespace hourglass::service::testing {

class RedisCluster {
 public:
  explicit RedisCluster(int masters = 3);
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;
  ~RedisCluster();  // stops every master and removes the directories

  int size() const { return static_cast<int>(nodes_.size()); }
  RedisServer& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  io::RedisEndpoint endpoint(int i) const { return nodes_.at(static_cast<std::size_t>(i))->endpoint(); }
  std::string url(int i) const { return nodes_.at(static_cast<std::size_t>(i))->url(); }
  // The first master's, as the seed a service is given (as RedisServer's).
  io::RedisEndpoint endpoint() const { return endpoint(0); }
  std::string url() const { return url(0); }

  // SIGKILL master i (nothing beyond its fsynced AOF survives).
  void kill(int i);
  // Starts master i again on its port, from its AOF and nodes.conf, and
  // waits until every node says cluster_state:ok.
  void restart(int i);
  // Until every running node answers CLUSTER INFO with cluster_state:ok
  // and agrees on all 16384 slots assigned; throws after `timeout`.
  void wait_ok(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Which master (index) serves `slot`, from CLUSTER SLOTS of the first running one.
  int owner_of_slot(int slot) const;
  // The cluster node id of master i (CLUSTER MYID).
  std::string node_id(int i) const;
  // A plain connection to master i (for CLUSTER commands and checks).
  io::RedisConnection admin(int i) const;

  // Moving a slot by hand, as `redis-cli --cluster reshard` does:
  // begin (target IMPORTING, source MIGRATING), move some keys (MIGRATE),
  // finish (SETSLOT NODE on every master). Between begin and finish the
  // source answers ASK for a key already moved.
  void begin_slot_migration(int slot, int from, int to) const;
  void migrate_keys(int from, int to, const std::vector<std::string>& keys) const;
  void finish_slot_migration(int slot, int to) const;

 private:
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::string work_dir_;
};

}  // namespace hourglass::service::testing
