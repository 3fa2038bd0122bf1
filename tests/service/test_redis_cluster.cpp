// io/cluster_slots and io/cluster_router against a real 3-master Redis
// Cluster (support/redis_cluster): one RedisConnection to any node reaches
// every key, follows MOVED after a resharding and ASK during one, gives up
// on TRYAGAIN after a bounded number of tries, runs every Hourglass script
// (each one's keys share a slot), and refuses a cross-slot script or
// transaction with a clear RedisError.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "io/checkpoint_store.hpp"
#include "io/cluster_slots.hpp"
#include "io/membership.hpp"
#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/redis_cluster.hpp"

using namespace std::chrono_literals;
using hourglass::io::CheckpointStore;
using hourglass::io::CheckpointStoreError;
using hourglass::io::cluster_key_slot;
using hourglass::io::EntityWrite;
using hourglass::io::Membership;
using hourglass::io::PartitionLeases;
using hourglass::io::RedisConnection;
using hourglass::io::RedisError;
using hourglass::io::RedisScript;
using hourglass::service::testing::RedisCluster;

namespace {

// Keys whose slots the three masters share out: one per master at least.
std::vector<std::string> keys_on_every_master(RedisCluster& cluster, const std::string& prefix) {
  std::vector<std::string> keys;
  std::set<int> owners;
  for (int i = 0; owners.size() < 3 || keys.size() < 9; ++i) {
    keys.push_back(prefix + std::to_string(i));
    owners.insert(cluster.owner_of_slot(cluster_key_slot(keys.back())));
  }
  return keys;
}

EntityWrite settlement(const std::string& id, int population) {
  EntityWrite w;
  w.kind = EntityWrite::Kind::Settlement;
  w.entity_id = id;
  w.changes = {{"population", population}};
  w.idempotency_key = "k-" + id;
  w.world_time = 3600;
  return w;
}

}  // namespace

TEST_CASE("cluster slots: the key slot is CRC16 mod 16384 of the key or of its {hash tag}",
          "[service][redis][cluster]") {
  // The Redis Cluster specification's own examples.
  CHECK(cluster_key_slot("123456789") == 0x31C3 % 16384);
  CHECK(cluster_key_slot("{user1000}.following") == cluster_key_slot("{user1000}.followers"));
  CHECK(cluster_key_slot("foo{}{bar}") == cluster_key_slot("foo{}{bar}"));  // empty tag: the whole key
  CHECK(cluster_key_slot("foo{{bar}}zap") == cluster_key_slot("{bar"));
  CHECK(cluster_key_slot("foo{bar}{zap}") == cluster_key_slot("bar"));
  CHECK(cluster_key_slot("hourglass:{c1}:checkpoint") == cluster_key_slot("hourglass:{c1}:fence"));

  RedisCluster cluster;
  auto conn = cluster.admin(0);
  for (const std::string& key : std::vector<std::string>{"", "a", "123456789", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{}x", "x{",
                                "}{a}", "hourglass:{c1}:checkpoint", "hourglass:partition:{17}:lease",
                                "hourglass:members", "hourglass:campaigns", std::string("bin\0ary", 7), "é{ü}"}) {
    INFO("key \"" << key << "\"");
    CHECK(cluster_key_slot(key) == conn.execute({"CLUSTER", "KEYSLOT", key}).integer);
  }
}

TEST_CASE("cluster router: one connection to one node sets and reads keys on all three masters",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  const std::vector<std::string> keys = keys_on_every_master(cluster, "spread:");
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(0), 2s);
  for (const auto& k : keys) conn.set(k, "v-" + k);
  CHECK(conn.cluster());
  CHECK(conn.cluster_masters().size() == 3);
  for (const auto& k : keys) CHECK(conn.get(k) == "v-" + k);
  // Each key is on its own master only: read there without routing.
  for (const auto& k : keys) {
    auto owner = cluster.admin(cluster.owner_of_slot(cluster_key_slot(k)));
    CHECK(owner.get(k) == "v-" + k);
  }
  // Keyless commands go to the connection's own node.
  CHECK(conn.ping());
  CHECK(conn.info("cluster").find("cluster_enabled:1") != std::string::npos);
  // Streams on the key's node: a group, an entry read and acknowledged.
  const std::string stream = keys.back() + ":stream";
  CHECK(conn.xgroup_create(stream, "g", "0"));
  conn.xadd(stream, {{"f", "v"}});
  const auto entries = conn.xreadgroup("g", "me", stream, ">", 10, 100ms);
  REQUIRE(entries.size() == 1);
  CHECK(conn.xack(stream, "g", {entries[0].id}) == 1);
  CHECK(conn.xpending_count(stream, "g") == 0);
}

TEST_CASE("cluster router: a MOVED after a slot is resharded is followed and the map refreshed",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  const std::string key = "{moved}k";
  const int slot = cluster_key_slot(key);
  const int from = cluster.owner_of_slot(slot);
  const int to = (from + 1) % 3;
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(to), 2s);
  conn.set(key, "before");  // MOVED to `from`: the connection learns the map
  REQUIRE(conn.cluster());
  REQUIRE(cluster.admin(from).get(key) == "before");

  cluster.begin_slot_migration(slot, from, to);
  cluster.migrate_keys(from, to, {key});
  cluster.finish_slot_migration(slot, to);
  REQUIRE(cluster.owner_of_slot(slot) == to);

  // The connection's map still says `from`, which answers MOVED now.
  CHECK(conn.get(key) == "before");
  conn.set(key, "after");
  CHECK(cluster.admin(to).get(key) == "after");
}

TEST_CASE("cluster router: ASK during a migration is followed, TRYAGAIN is bounded",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  const std::string moved = "{ask}moved", stays = "{ask}stays";
  const int slot = cluster_key_slot(moved);
  const int from = cluster.owner_of_slot(slot);
  const int to = (from + 2) % 3;
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(from), 2s);
  conn.set(moved, "m");
  conn.set(stays, "s");
  for (const auto& k : keys_on_every_master(cluster, "other:")) conn.set(k, "x");  // the connection routes
  REQUIRE(conn.cluster());

  cluster.begin_slot_migration(slot, from, to);
  cluster.migrate_keys(from, to, {moved});
  // The source answers ASK for the key it no longer has; the slot is still its.
  CHECK(conn.get(moved) == "m");
  CHECK(conn.get(stays) == "s");
  CHECK(cluster.owner_of_slot(slot) == from);

  // Both keys in one command while they are split: TRYAGAIN, a few times,
  // then a transient error naming it.
  try {
    conn.del({moved, stays});
    FAIL("no error");
  } catch (const RedisError& e) {
    INFO(e.what());
    CHECK(e.server_error().rfind("TRYAGAIN", 0) == 0);
    CHECK(e.transient());
  }
  CHECK(conn.get(stays) == "s");  // nothing was deleted

  cluster.migrate_keys(from, to, {stays});
  cluster.finish_slot_migration(slot, to);
  CHECK(conn.del({moved, stays}) == 2);
}

TEST_CASE("cluster router: every Hourglass script runs on the cluster (its keys share one slot)",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(1), 2s);

  // The checkpoint store: claim, commit (fenced), a refused stale commit,
  // done (a transaction), forget (a transaction), on campaigns of every master.
  const std::vector<std::string> campaigns = keys_on_every_master(cluster, "c");
  CheckpointStore store(conn);
  for (const auto& c : campaigns) {
    INFO("campaign " << c);
    store.claim(c, 2);
    const auto ids = store.commit(c, "{\"at\":1}", {settlement(c + "-s", 10)}, "t1", 2);
    REQUIRE(ids.size() == 1);
    CHECK(store.commit(c, "{\"at\":1}", {settlement(c + "-s", 10)}, "t1", 2) == ids);  // the retry answered
    CHECK(store.load(c) == "{\"at\":1}");
    try {
      store.commit(c, "{\"at\":2}", {}, "t2", 1);
      FAIL("a stale fence committed");
    } catch (const CheckpointStoreError& e) {
      CHECK(e.fenced());
    }
    store.mark_in_flight(c, ids[0]);
    CHECK(store.in_flight(c) == ids);
    CHECK(store.done(c, ids) == 1);
    CHECK(store.outbox_length(c) == 0);
  }
  CHECK(store.campaigns().size() == campaigns.size());
  store.forget(campaigns.front());
  CHECK_FALSE(store.load(campaigns.front()));

  // Partition leases: acquire, renew, release, take over, on partitions of
  // every master; and the partition count, stored once.
  hourglass::io::check_partition_count(conn, 16);
  hourglass::io::check_partition_count(conn, 16);
  PartitionLeases mine(conn, "me", 5s), theirs(conn, "them", 5s);
  std::set<int> owners;
  for (std::uint32_t p = 0; p < 16; ++p) {
    owners.insert(cluster.owner_of_slot(cluster_key_slot(hourglass::io::partition_lease_key(p))));
    const auto held = mine.acquire(p);
    REQUIRE(held.held);
    CHECK(theirs.acquire(p).holder == "me");
    CHECK(mine.renew(p, held.token));
    const auto taken = theirs.take_over(p, "me");
    CHECK(taken.held);
    CHECK(taken.token > held.token);
    CHECK_FALSE(mine.release(p, held.token));
    CHECK(theirs.release(p, taken.token));
  }
  CHECK(owners.size() == 3);

  // Membership.
  Membership a(conn, "a", 5s), b(conn, "b", 5s);
  a.heartbeat();
  CHECK(b.heartbeat().size() == 2);
  a.remove("a");
  CHECK(b.heartbeat() == std::vector<std::string>{"b"});

  // A master that lost its scripts (restarted, flushed) loads them again.
  for (int i = 0; i < 3; ++i) cluster.admin(i).execute({"SCRIPT", "FLUSH"});
  CHECK(mine.acquire(3).held);
  for (const auto& c : campaigns) CHECK_NOTHROW(store.commit(c, "{\"at\":3}", {}, "t3", 2));
}

TEST_CASE("cluster router: a script or transaction whose keys span slots is refused with a clear RedisError",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(0), 2s);
  const std::string a = "{a}k", b = "{b}k";
  REQUIRE(cluster_key_slot(a) != cluster_key_slot(b));
  conn.set("{c}k", "x");
  conn.set(b, "x");

  RedisScript both("redis.call('SET', KEYS[1], 'x'); redis.call('SET', KEYS[2], 'y'); return 1");
  try {
    conn.eval_script(both, {a, b}, {});
    FAIL("a cross-slot script ran");
  } catch (const RedisError& e) {
    INFO(e.what());
    CHECK(e.server_error().rfind("CROSSSLOT", 0) == 0);  // Redis' own refusal
    CHECK_FALSE(e.transient());
    CHECK(std::string(e.what()).find("hash tag") != std::string::npos);
  }
  CHECK_FALSE(conn.get(a));

  try {
    conn.exec_transaction({{"SET", a, "1"}, {"SET", b, "2"}});
    FAIL("a cross-slot transaction ran");
  } catch (const RedisError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("refused before sending") != std::string::npos);
    CHECK(std::string(e.what()).find("different hash slots") != std::string::npos);
    CHECK_FALSE(e.transient());
  }
  CHECK_FALSE(conn.get(a));
  CHECK(conn.get(b) == "x");
  // One slot, any master: the transaction runs there.
  const auto replies = conn.exec_transaction({{"SET", a, "1"}, {"GET", a}});
  CHECK(replies.at(1).text == "1");
}

TEST_CASE("cluster router: with the seed master down, connect reaches another master the cluster named",
          "[service][redis][cluster]") {
  RedisCluster cluster;
  const std::vector<std::string> keys = keys_on_every_master(cluster, "seed:");
  {
    RedisConnection first = RedisConnection::connect(cluster.endpoint(0), 2s);
    for (const auto& k : keys) first.set(k, "v");  // learns the masters
    REQUIRE(first.cluster());
  }
  cluster.kill(0);
  RedisConnection conn = RedisConnection::connect(cluster.endpoint(0), 2s);
  CHECK(conn.endpoint().port != cluster.endpoint(0).port);
  for (const auto& k : keys) {
    if (cluster.owner_of_slot(cluster_key_slot(k)) != 0) CHECK(conn.get(k) == "v");
  }
  cluster.restart(0);
  INFO("ports " << cluster.endpoint(0).port << " " << cluster.endpoint(1).port << " " << cluster.endpoint(2).port
                << ", the connection's " << conn.endpoint().port);
  for (const auto& k : keys) CHECK(conn.get(k) == "v");
}
