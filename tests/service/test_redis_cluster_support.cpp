// The Redis Cluster fixture (support/redis_cluster): three masters that
// agree on every slot, and a master killed with SIGKILL that comes back
// from its AOF with its data and its slots.
#include <catch2/catch.hpp>

#include "io/redis_connection.hpp"
#include "tests/service/support/redis_cluster.hpp"

using hourglass::io::RedisConnection;
using hourglass::service::testing::RedisCluster;

TEST_CASE("redis cluster fixture: three masters share the 16384 slots, a killed master restarts with its data",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  REQUIRE(cluster.size() == 3);
  // Each master serves a third of the slots: 0, 8000 and 16000 on three.
  CHECK(cluster.owner_of_slot(0) != cluster.owner_of_slot(8000));
  CHECK(cluster.owner_of_slot(8000) != cluster.owner_of_slot(16000));

  // "{a}" hashes to slot 15495: write it on its own master, kill that one.
  const int owner = cluster.owner_of_slot(15495);
  {
    auto conn = RedisConnection::connect(cluster.endpoint(owner), std::chrono::seconds(1));
    REQUIRE(conn.execute({"CLUSTER", "KEYSLOT", "{a}x"}).integer == 15495);
    conn.set("{a}x", "kept");
  }
  cluster.kill(owner);
  CHECK_FALSE(cluster.node(owner).running());
  cluster.restart(owner);
  auto conn = RedisConnection::connect(cluster.endpoint(owner), std::chrono::seconds(1));
  CHECK(conn.get("{a}x") == "kept");
  CHECK(cluster.owner_of_slot(15495) == owner);
}
