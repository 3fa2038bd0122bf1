// The fence on a campaign (io/checkpoint_store: claim, and the commit's
// fence check) against a real redis-server: a holder of a stale partition
// token cannot commit over the campaign's new owner, and nothing of its
// commit is written; a deployment from before partitions keeps its state.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "io/checkpoint_store.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::CheckpointStore;
using hourglass::io::CheckpointStoreError;
using hourglass::io::EntityWrite;
using hourglass::io::RedisConnection;
using hourglass::service::testing::RedisServer;

namespace {

EntityWrite settlement(const std::string& id, int population, const std::string& key) {
  EntityWrite w;
  w.kind = EntityWrite::Kind::Settlement;
  w.entity_id = id;
  w.changes = {{"population", population}};
  w.idempotency_key = key;
  w.world_time = 3600;
  return w;
}

std::vector<std::string> ids_in(CheckpointStore& store, const std::string& campaign) {
  std::vector<std::string> ids;
  for (const auto& e : store.outbox(campaign, 1000)) ids.push_back(e.id);
  return ids;
}

template <class F>
void require_fenced(F&& f, const std::string& want_in_message) {
  try {
    f();
    FAIL("no error");
  } catch (const CheckpointStoreError& e) {
    INFO(e.what());
    CHECK(e.fenced());
    CHECK_FALSE(e.partially_applied());
    CHECK_FALSE(e.transient());
    CHECK(std::string(e.what()).find(want_in_message) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("campaign fence: a commit with a stale token is refused with nothing written",
          "[service][redis][checkpoint_store][fence]") {
  RedisServer server;
  RedisConnection old_conn = RedisConnection::connect(server.endpoint(), 2s);
  RedisConnection new_conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore old_owner(old_conn);  // partition token 4, then paused
  CheckpointStore new_owner(new_conn);  // token 5, after the lease lapsed

  old_owner.claim("c1", 4);
  REQUIRE(old_owner.commit("c1", "state by 4", {settlement("s1", 10, "k1")}, "1", 4).size() == 1);
  new_owner.claim("c1", 5);
  const std::vector<std::string> new_ids = new_owner.commit("c1", "state by 5", {settlement("s1", 11, "k2")}, "2", 5);
  REQUIRE(new_ids.size() == 1);
  const std::vector<std::string> outbox_before = ids_in(new_owner, "c1");
  const auto commit_before = new_conn.get("hourglass:{c1}:commit");

  // The old owner wakes up and commits its next message with its token.
  require_fenced([&] { old_owner.commit("c1", "state by 4, later", {settlement("s1", 99, "k3")}, "2b", 4); },
                 "hourglass:{c1}:fence holds 5, this commit carries token 4");
  CHECK(new_owner.load("c1") == std::optional<std::string>("state by 5"));
  CHECK(ids_in(new_owner, "c1") == outbox_before);
  CHECK(new_conn.get("hourglass:{c1}:commit") == commit_before);
  CHECK(new_conn.get("hourglass:{c1}:fence") == std::optional<std::string>("5"));

  // Nor can it claim the campaign back with its lower token.
  require_fenced([&] { old_owner.claim("c1", 4); }, "holds 5, above the claiming token 4");
  CHECK(new_conn.get("hourglass:{c1}:fence") == std::optional<std::string>("5"));

  // A retry of the new owner's own commit (same idempotency token) still
  // answers its ids; and it goes on committing.
  CHECK(new_owner.commit("c1", "state by 5", {settlement("s1", 11, "k2")}, "2", 5) == new_ids);
  CHECK(new_owner.commit("c1", "state by 5, next", {settlement("s1", 12, "k4")}, "3", 5).size() == 1);
  CHECK(new_owner.load("c1") == std::optional<std::string>("state by 5, next"));
}

TEST_CASE("campaign fence: a commit with a fence token on a campaign with no fence claims it (Redis lost its data)",
          "[service][redis][checkpoint_store][fence]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  store.claim("c1", 3);
  conn.del({"hourglass:{c1}:fence"});  // what a restart of a Redis without persistence leaves
  REQUIRE(store.commit("c1", "text", {settlement("s1", 1, "k1")}, "1", 3).size() == 1);
  CHECK(conn.get("hourglass:{c1}:fence") == std::optional<std::string>("3"));
  require_fenced([&] { store.commit("c1", "later", {settlement("s1", 2, "k2")}, "2", 2); },
                 "hourglass:{c1}:fence holds 3, this commit carries token 2");
  CHECK(store.load("c1") == std::optional<std::string>("text"));
  CHECK(store.outbox_length("c1") == 1);
}

TEST_CASE("campaign fence: a higher token claims over a lower one - an equal one claims again",
          "[service][redis][checkpoint_store][fence]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  store.claim("c1", 2);
  store.claim("c1", 2);  // the same owner's next session
  store.claim("c1", 10);
  CHECK(conn.get("hourglass:{c1}:fence") == std::optional<std::string>("10"));
  require_fenced([&] { store.claim("c1", 9); }, "holds 10");
  CHECK_THROWS_AS(store.claim("c1", 0), std::invalid_argument);
  // A fence key of the wrong type is refused, not overwritten.
  conn.hset("hourglass:{c2}:fence", "f", "v");
  try {
    store.claim("c2", 1);
    FAIL("no error");
  } catch (const CheckpointStoreError& e) {
    CHECK_FALSE(e.fenced());
    CHECK(std::string(e.what()).find("is a hash (want string)") != std::string::npos);
  }
  // forget() keeps the fence: a lower token cannot come back after it.
  store.commit("c1", "x", {}, "", 10);
  store.forget("c1");
  CHECK_FALSE(store.load("c1"));
  require_fenced([&] { store.claim("c1", 9); }, "holds 10");
}

TEST_CASE("campaign fence: a checkpoint committed before partitions is loaded and committed on by the fenced code",
          "[service][redis][checkpoint_store][fence]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  {
    CheckpointStore today(conn);  // no fence: today's commits
    today.commit("c1", "committed before partitions", {settlement("s1", 10, "k1"), settlement("s2", 3, "k2")}, "7");
  }
  CHECK_FALSE(conn.get("hourglass:{c1}:fence"));
  CheckpointStore fenced(conn);
  const std::vector<std::string> kept = ids_in(fenced, "c1");
  REQUIRE(kept.size() == 2);
  fenced.claim("c1", 1);  // no fence key: never claimed, any token claims it
  CHECK(fenced.load("c1") == std::optional<std::string>("committed before partitions"));
  REQUIRE(fenced.commit("c1", "first fenced commit", {settlement("s1", 11, "k3")}, "8", 1).size() == 1);
  const std::vector<std::string> after = ids_in(fenced, "c1");
  REQUIRE(after.size() == 3);
  CHECK(std::vector<std::string>(after.begin(), after.begin() + 2) == kept);  // the old outbox is kept
  CHECK(fenced.load("c1") == std::optional<std::string>("first fenced commit"));
}
