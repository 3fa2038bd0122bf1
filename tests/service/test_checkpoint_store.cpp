#include <catch2/catch.hpp>

#include <hiredis/hiredis.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "io/checkpoint_store.hpp"
#include "io/redis_connection.hpp"
#include "io/write_executor.hpp"
#include "messages/dead_letter_codec.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::CheckpointStore;
using hourglass::io::CheckpointStoreError;
using hourglass::io::EntityWrite;
using hourglass::io::OutboxEntry;
using hourglass::io::RedisConnection;
using hourglass::io::RedisError;
using hourglass::io::RedisReply;
using hourglass::io::RedisTransactionError;
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

EntityWrite effect(const std::string& id, const std::string& key) {
  EntityWrite w;
  w.kind = EntityWrite::Kind::ExecuteEffect;
  w.entity_id = id;
  w.idempotency_key = key;
  w.world_time = 7200;
  return w;
}

std::vector<EntityWrite> writes_of(const std::vector<OutboxEntry>& entries) {
  std::vector<EntityWrite> out;
  for (const auto& e : entries) {
    REQUIRE(e.refusal.empty());
    REQUIRE(e.write);
    out.push_back(*e.write);
  }
  return out;
}

}  // namespace

TEST_CASE("checkpoint store: commit then load gives the checkpoint and the writes back in order",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);

  CHECK_FALSE(store.load("c1"));
  CHECK(store.outbox_length("c1") == 0);

  const std::vector<EntityWrite> first{settlement("s1", 10, "k1"), effect("e1", "k2")};
  const auto ids1 = store.commit("c1", R"({"version":1,"input":{"messages":1}})", first);
  REQUIRE(ids1.size() == 2);
  CHECK(store.load("c1") == std::optional<std::string>(R"({"version":1,"input":{"messages":1}})"));
  CHECK(writes_of(store.outbox("c1", 100)) == first);

  SECTION("several commits append to the outbox, the checkpoint is the last") {
    const std::vector<EntityWrite> second{settlement("s2", 20, "k3")};
    const auto ids2 = store.commit("c1", "two", second);
    store.commit("c1", "three", {});  // a message without writes
    CHECK(store.load("c1") == std::optional<std::string>("three"));
    CHECK(store.outbox_length("c1") == 3);
    const auto all = store.outbox("c1", 100);
    CHECK(writes_of(all) == std::vector<EntityWrite>{first[0], first[1], second[0]});
    CHECK(all[0].id == ids1[0]);
    CHECK(all[2].id == ids2[0]);
    CHECK(all[0].campaign_id == "c1");
    CHECK(store.outbox("c1", 2).size() == 2);  // oldest first, count bounds it
    CHECK(store.outbox("c1", 2)[1].id == ids1[1]);
  }

  SECTION("done removes only the given ids, and their in-flight marks") {
    const auto ids2 = store.commit("c1", "two", {settlement("s2", 20, "k3")});
    store.mark_in_flight("c1", ids2[0]);
    store.mark_in_flight("c1", ids1[1]);
    store.mark_in_flight("c1", ids1[0]);
    CHECK(store.in_flight("c1") == std::vector<std::string>{ids1[0], ids1[1], ids2[0]});  // stream order
    CHECK(store.done("c1", {ids1[1]}) == 1);
    CHECK(store.in_flight("c1") == std::vector<std::string>{ids1[0], ids2[0]});  // the others survive
    const auto left = store.outbox("c1", 100);
    REQUIRE(left.size() == 2);
    CHECK(left[0].id == ids1[0]);
    CHECK(left[1].id == ids2[0]);
    CHECK(store.done("c1", {ids1[1]}) == 0);  // already done
    CHECK(store.done("c1", {}) == 0);
    CHECK(store.load("c1") == std::optional<std::string>("two"));  // done never touches the checkpoint
  }

  SECTION("keys carry the campaign's hash tag, campaigns() lists the committed ones, forget removes all") {
    CHECK(conn.type("hourglass:{c1}:checkpoint") == "string");
    CHECK(conn.type("hourglass:{c1}:outbox") == "stream");
    store.mark_in_flight("c1", ids1[0]);
    CHECK(conn.type("hourglass:{c1}:inflight") == "hash");
    store.commit("b-campaign", "x", {});
    CHECK(store.campaigns() == std::vector<std::string>{"b-campaign", "c1"});
    store.forget("c1");
    CHECK(store.campaigns() == std::vector<std::string>{"b-campaign"});
    CHECK_FALSE(store.load("c1"));
    CHECK(store.outbox_length("c1") == 0);
    CHECK(store.in_flight("c1").empty());
    CHECK(store.load("b-campaign") == std::optional<std::string>("x"));
  }

  SECTION("an entry whose write cannot be read is returned as a refusal, not thrown") {
    conn.xadd("hourglass:{c1}:outbox", {{"write", "not json"}});
    conn.xadd("hourglass:{c1}:outbox", {{"other", "x"}});
    conn.xadd("hourglass:{c1}:outbox",
              {{"write", R"({"campaignId":"c2","kind":"Settlement","entityId":"s","changes":{},)"
                         R"("idempotencyKey":"k","worldTime":"0001-01-01T00:00:00Z"})"}});
    const auto all = store.outbox("c1", 100);
    REQUIRE(all.size() == 5);
    CHECK(all[1].write);
    for (std::size_t i = 2; i < 5; ++i) {
      INFO(all[i].refusal);
      CHECK_FALSE(all[i].write);
      CHECK(all[i].refusal.find(all[i].id) != std::string::npos);
    }
    CHECK(all[3].refusal.find("no `write` field") != std::string::npos);
    CHECK(all[4].refusal.find("campaignId") != std::string::npos);
  }
}

TEST_CASE("redis transaction: what Redis does when a queued command fails", "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  conn.set("ck", "old");
  conn.set("ob", "a string, not a stream");

  SECTION("a command failing when it runs (WRONGTYPE): EXEC runs the others anyway") {
    try {
      conn.exec_transaction({{"SET", "ck", "new"}, {"XADD", "ob", "*", "write", "{}"}, {"SET", "after", "1"}});
      FAIL("no error");
    } catch (const RedisTransactionError& e) {
      INFO(e.what());
      CHECK(e.applied());
      CHECK_FALSE(e.watch_aborted());
      CHECK(e.failed_index() == std::optional<std::size_t>(1));
      REQUIRE(e.replies().size() == 3);
      CHECK(e.replies()[1].type == RedisReply::Type::Error);
      CHECK(e.replies()[1].text.rfind("WRONGTYPE", 0) == 0);
      CHECK(std::string(e.what()).find("applied the other commands") != std::string::npos);
    }
    // No rollback: the SET before and after the failed XADD both happened.
    CHECK(conn.get("ck") == std::optional<std::string>("new"));
    CHECK(conn.get("after") == std::optional<std::string>("1"));
  }

  SECTION("a command refused when queued (wrong arity): EXECABORT, nothing runs") {
    try {
      conn.exec_transaction({{"SET", "ck", "new"}, {"SET", "ck"}});
      FAIL("no error");
    } catch (const RedisTransactionError& e) {
      INFO(e.what());
      CHECK_FALSE(e.applied());
      CHECK(std::string(e.what()).find("EXECABORT") != std::string::npos);
    }
    CHECK(conn.get("ck") == std::optional<std::string>("old"));
  }

  SECTION("a WATCHed key changed by another client: EXEC answers nil, nothing runs") {
    RedisConnection other = RedisConnection::connect(server.endpoint(), 2s);
    conn.watch({"ck"});
    other.set("ck", "theirs");
    try {
      conn.exec_transaction({{"SET", "ck", "mine"}});
      FAIL("no error");
    } catch (const RedisTransactionError& e) {
      CHECK(e.watch_aborted());
      CHECK_FALSE(e.applied());
    }
    CHECK(conn.get("ck") == std::optional<std::string>("theirs"));
  }

  // The connection stays in step after each of these.
  CHECK(conn.ping());
  const auto replies = conn.exec_transaction({{"SET", "z", "1"}, {"GET", "z"}});
  REQUIRE(replies.size() == 2);
  CHECK(replies[1].text == "1");
}

TEST_CASE("checkpoint store: a commit whose outbox key has the wrong type writes nothing",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  store.commit("c1", "old", {});
  conn.del({"hourglass:{c1}:outbox"});
  conn.set("hourglass:{c1}:outbox", "a string");
  try {
    store.commit("c1", "new", {settlement("s1", 1, "k1")});
    FAIL("no error");
  } catch (const CheckpointStoreError& e) {
    INFO(e.what());
    CHECK_FALSE(e.partially_applied());
    CHECK(std::string(e.what()).find("nothing written") != std::string::npos);
  }
  CHECK(store.load("c1") == std::optional<std::string>("old"));
  CHECK(conn.get("hourglass:{c1}:outbox") == std::optional<std::string>("a string"));
  // The connection is not left WATCHing: a later commit of another campaign works.
  CHECK(store.commit("c2", "fine", {settlement("s1", 1, "k1")}).size() == 1);
}

namespace {

// A command sent as it is (hiredis on the connection's context, not a
// MULTI: these tests count the commands Redis ran); its reply's text.
struct Raw {
  std::string text;
};
Raw run(RedisConnection& conn, const std::vector<std::string>& command) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : command) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(conn.native_handle(), static_cast<int>(argv.size()), argv.data(), lens.data()));
  REQUIRE(r);
  const std::string text = r->str ? std::string(r->str, r->len) : std::string();
  const bool error = r->type == REDIS_REPLY_ERROR;
  freeReplyObject(r);
  INFO(command.front() << ": " << text);
  REQUIRE_FALSE(error);
  return {text};
}

// `calls` of cmdstat_<name> in INFO commandstats (commands a script calls
// count too); 0 when the command was not called since CONFIG RESETSTAT.
long long stat_of(RedisConnection& conn, const std::string& name, const std::string& field) {
  const std::string info = run(conn, {"INFO", "commandstats"}).text;
  const auto line = info.find("cmdstat_" + name + ":");
  if (line == std::string::npos) return 0;
  const auto end = info.find('\n', line);
  const auto at = info.find(field + "=", line);
  if (at == std::string::npos || at > end) return 0;
  return std::stoll(info.substr(at + field.size() + 1));
}
long long calls_of(RedisConnection& conn, const std::string& name) { return stat_of(conn, name, "calls"); }

}  // namespace

TEST_CASE("checkpoint store: a commit is one EVALSHA, and the script is loaded again after SCRIPT FLUSH",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  RedisConnection admin = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  store.commit("c1", "one", {settlement("s1", 1, "k1")});  // loads the script, indexes c1

  run(admin, {"CONFIG", "RESETSTAT"});
  for (int i = 0; i < 10; ++i) store.commit("c1", "n" + std::to_string(i), {settlement("s1", i, "k" + std::to_string(i))});
  CHECK(calls_of(admin, "evalsha") == 10);
  CHECK(calls_of(admin, "script|load") + calls_of(admin, "script") == 0);
  CHECK(calls_of(admin, "sadd") == 0);
  CHECK(calls_of(admin, "watch") == 0);
  CHECK(calls_of(admin, "multi") == 0);
  CHECK(calls_of(admin, "xadd") == 10);  // the script's own calls

  run(admin, {"SCRIPT", "FLUSH"});
  run(admin, {"CONFIG", "RESETSTAT"});
  const auto ids = store.commit("c1", "after flush", {settlement("s2", 2, "k-flush"), effect("e1", "k-fx")});
  CHECK(ids.size() == 2);
  CHECK(store.load("c1") == std::optional<std::string>("after flush"));
  CHECK(store.outbox_length("c1") == 13);
  // The first EVALSHA answered NOSCRIPT (a failed call, nothing run), the
  // script was loaded again and the second ran it.
  CHECK(calls_of(admin, "evalsha") == 2);
  CHECK(stat_of(admin, "evalsha", "failed_calls") == 1);
  CHECK(calls_of(admin, "script|load") == 1);
  CHECK(calls_of(admin, "xadd") == 2);
  CHECK(calls_of(admin, "set") == 1);
  // The next commit is one EVALSHA again.
  store.commit("c1", "next", {});
  CHECK(calls_of(admin, "evalsha") == 3);
  CHECK(store.load("c1") == std::optional<std::string>("next"));
}

TEST_CASE("redis connection: eval_script answers NOSCRIPT as server_error and recovers from it",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  hourglass::io::RedisScript script("return {KEYS[1], ARGV[1], ARGV[2]}");
  CHECK(script.sha1().empty());
  const RedisReply r = conn.eval_script(script, {"k"}, {"a", "b"});
  REQUIRE(r.type == RedisReply::Type::Array);
  REQUIRE(r.elements.size() == 3);
  CHECK(r.elements[2].text == "b");
  const std::string sha = script.sha1();
  CHECK(sha.size() == 40);

  run(conn, {"SCRIPT", "FLUSH"});
  try {
    conn.evalsha(sha, {"k"}, {"a", "b"});
    FAIL("no error");
  } catch (const RedisError& e) {
    CHECK(e.server_error().rfind("NOSCRIPT", 0) == 0);
    CHECK(std::string(e.what()).find("EVALSHA") != std::string::npos);
  }
  CHECK(conn.eval_script(script, {"k"}, {"a", "b"}).elements.at(0).text == "k");
  CHECK(script.sha1() == sha);

  // An error the script returns is the RedisError's server_error, verbatim.
  hourglass::io::RedisScript failing("return redis.error_reply('MYCODE something went wrong')");
  try {
    conn.eval_script(failing, {}, {});
    FAIL("no error");
  } catch (const RedisError& e) {
    CHECK(e.server_error() == "MYCODE something went wrong");
  }
  CHECK(conn.ping());
}

TEST_CASE("checkpoint store: a key of the wrong type, either or both, is refused with nothing written",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  const std::string ck = "hourglass:{c1}:checkpoint";
  const std::string ob = "hourglass:{c1}:outbox";
  store.commit("c1", "old", {settlement("s1", 1, "k1")});
  const auto before = store.outbox("c1", 100);
  REQUIRE(before.size() == 1);

  auto refused = [&](const std::string& want_in_message) {
    try {
      store.commit("c1", "new", {settlement("s1", 2, "k2"), effect("e1", "k3")});
      FAIL("no error");
    } catch (const CheckpointStoreError& e) {
      INFO(e.what());
      CHECK_FALSE(e.partially_applied());
      CHECK(std::string(e.what()).rfind("commit of campaign c1 refused, nothing written: ", 0) == 0);
      CHECK(std::string(e.what()).find(want_in_message) != std::string::npos);
    }
  };

  SECTION("the checkpoint key holds a hash: the outbox gets no entry") {
    conn.del({ck});
    conn.hset(ck, "f", "v");
    refused(ck + " is a hash (want string), " + ob + " is a stream (want stream)");
    CHECK(conn.type(ck) == "hash");
    CHECK(conn.hget(ck, "f") == std::optional<std::string>("v"));
    const auto after = store.outbox("c1", 100);
    REQUIRE(after.size() == 1);
    CHECK(after[0].id == before[0].id);
  }
  SECTION("the outbox key holds a string: the checkpoint is not set") {
    conn.del({ob});
    conn.set(ob, "a string");
    refused(ck + " is a string (want string), " + ob + " is a string (want stream)");
    CHECK(store.load("c1") == std::optional<std::string>("old"));
    CHECK(conn.get(ob) == std::optional<std::string>("a string"));
  }
  SECTION("both: neither is touched") {
    conn.del({ck, ob});
    conn.sadd(ck, {"m"});
    conn.hset(ob, "f", "v");
    refused(ck + " is a set (want string), " + ob + " is a hash (want stream)");
    CHECK(conn.smembers(ck) == std::vector<std::string>{"m"});
    CHECK(conn.hkeys(ob) == std::vector<std::string>{"f"});
  }
  // The connection and the store go on: another campaign commits.
  CHECK(conn.ping());
  CHECK(store.commit("c2", "fine", {settlement("s1", 1, "k1")}).size() == 1);
  CHECK(store.load("c2") == std::optional<std::string>("fine"));
}

TEST_CASE("checkpoint store: a write failing after the SET is reported as partially applied (no rollback)",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  store.commit("c1", "old", {settlement("s1", 1, "k1")});
  // The outbox's last id the greatest there is: XADD * has no id left and
  // fails when it runs, after the script's SET.
  run(conn, {"XSETID", "hourglass:{c1}:outbox", "18446744073709551615-18446744073709551615"});
  try {
    store.commit("c1", "new", {settlement("s1", 2, "k2")});
    FAIL("no error");
  } catch (const CheckpointStoreError& e) {
    INFO(e.what());
    CHECK(e.partially_applied());
    CHECK(std::string(e.what()).find("PARTIALLY APPLIED") != std::string::npos);
    CHECK(std::string(e.what()).find("0 of 1 outbox entries") != std::string::npos);
  }
  CHECK(store.load("c1") == std::optional<std::string>("new"));  // a script does not roll back either
  CHECK(store.outbox_length("c1") == 1);
}

TEST_CASE("checkpoint store: commit returns the entry ids in the order of the writes",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  std::vector<EntityWrite> writes;
  for (int i = 0; i < 120; ++i)
    writes.push_back(i % 4 == 3 ? effect("e" + std::to_string(i), "fx" + std::to_string(i))
                                : settlement("s" + std::to_string(i), i, "k" + std::to_string(i)));
  CHECK(store.commit("c1", "empty", {}).empty());
  const auto ids = store.commit("c1", "full", writes);
  REQUIRE(ids.size() == writes.size());
  const auto entries = store.outbox("c1", 1000);
  REQUIRE(entries.size() == writes.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO("write " << i);
    CHECK(entries[i].id == ids[i]);  // XRANGE's (stream) order
    REQUIRE(entries[i].write);
    CHECK(*entries[i].write == writes[i]);
  }
  const auto more = store.commit("c1", "more", {settlement("late", 1, "late")});
  REQUIRE(more.size() == 1);
  CHECK(store.outbox("c1", 1000).back().id == more[0]);
}

TEST_CASE("checkpoint store: a commit retried with its token (its reply lost) writes nothing again and answers its ids",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  const std::vector<EntityWrite> writes{settlement("s1", 101, "k1"), effect("e1", "fx1")};
  const auto first = store.commit("c1", "cp-7", writes, "7");
  REQUIRE(first.size() == 2);
  // The same commit again, as a store does when Redis ran it but the reply
  // timed out: the outbox keeps one copy of each write (a second copy of the
  // effect would be run twice).
  CHECK(store.commit("c1", "cp-7", writes, "7") == first);
  CHECK(store.outbox_length("c1") == 2);
  // The next commit is written as usual; a token without the check ("") too.
  const auto next = store.commit("c1", "cp-8", {settlement("s1", 102, "k2")}, "8");
  REQUIRE(next.size() == 1);
  CHECK(store.outbox_length("c1") == 3);
  CHECK(*store.load("c1") == "cp-8");
  store.commit("c1", "cp-x", {settlement("s1", 103, "k3")});
  store.commit("c1", "cp-x", {settlement("s1", 103, "k3")});
  CHECK(store.outbox_length("c1") == 5);
  CHECK_THROWS_AS(store.commit("c1", "cp", {}, "a|b"), std::invalid_argument);
  store.forget("c1");
  CHECK_FALSE(conn.get(hourglass::io::commit_key("c1")));
}

TEST_CASE("checkpoint store: the index is written once per campaign per store, again after forget or by a new store",
          "[service][redis][checkpoint_store]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  RedisConnection admin = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  run(admin, {"CONFIG", "RESETSTAT"});
  for (int i = 0; i < 30; ++i) {
    store.commit("c1", "x", {settlement("s", i, "k")});
    store.commit("c2", "y", {});
  }
  CHECK(calls_of(admin, "sadd") == 2);
  CHECK(store.campaigns() == std::vector<std::string>{"c1", "c2"});

  SECTION("the index key deleted behind the store: that store does not write it again, the next store does") {
    admin.del({hourglass::io::kCampaignIndexKey});
    store.commit("c1", "x2", {});
    CHECK(calls_of(admin, "sadd") == 2);
    CHECK(store.campaigns().empty());  // the documented decision (io/checkpoint_store.hpp)
    RedisConnection again = RedisConnection::connect(server.endpoint(), 2s);
    CheckpointStore fresh(again);  // as the store actor makes on a new connection
    fresh.commit("c1", "x3", {});
    fresh.commit("c1", "x4", {});
    CHECK(calls_of(admin, "sadd") == 3);
    CHECK(fresh.campaigns() == std::vector<std::string>{"c1"});
  }
  SECTION("forget drops the campaign from the store's cache: a later commit indexes it again") {
    store.forget("c1");
    CHECK(store.campaigns() == std::vector<std::string>{"c2"});
    store.commit("c1", "back", {});
    store.commit("c1", "back", {});
    CHECK(calls_of(admin, "sadd") == 3);
    CHECK(store.campaigns() == std::vector<std::string>{"c1", "c2"});
  }
}

TEST_CASE("persistence report", "[service][redis][checkpoint_store]") {
  using hourglass::io::assess_persistence;
  CHECK(assess_persistence({{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}}).durable);
  const auto everysec = assess_persistence({{"appendonly", "yes"}, {"appendfsync", "everysec"}});
  CHECK(everysec.durable);
  CHECK(everysec.why.find("1 s") != std::string::npos);
  CHECK_FALSE(assess_persistence({{"appendonly", "yes"}, {"appendfsync", "no"}}).durable);
  CHECK_FALSE(assess_persistence({{"appendonly", "no"}, {"save", "3600 1"}}).durable);
  CHECK_FALSE(assess_persistence({}).durable);

  {
    RedisServer plain;  // the fixture's default: --appendonly no --save ""
    RedisConnection conn = RedisConnection::connect(plain.endpoint(), 2s);
    const auto report = hourglass::io::check_persistence(conn);
    INFO(report.why);
    CHECK_FALSE(report.durable);
    CHECK(report.why.find("appendonly no") != std::string::npos);
  }
  {
    RedisServer aof("", {"--appendonly", "yes", "--appendfsync", "always"});
    RedisConnection conn = RedisConnection::connect(aof.endpoint(), 2s);
    const auto report = hourglass::io::check_persistence(conn);
    INFO(report.why);
    CHECK(report.durable);
    CHECK(report.why.find("always") != std::string::npos);
  }
}

namespace {

// What the crash test's child commits for message n: a checkpoint saying n,
// and n % 3 + 1 writes whose idempotency keys name n.
std::vector<EntityWrite> writes_for(int n) {
  std::vector<EntityWrite> ws;
  for (int j = 0; j <= n % 3; ++j) ws.push_back(settlement("s", n, "m" + std::to_string(n) + "-" + std::to_string(j)));
  return ws;
}

using CommitFn = void (*)(CheckpointStore&, RedisConnection&, const std::string&, int);

void atomic_commit(CheckpointStore& store, RedisConnection&, const std::string& cid, int n) {
  store.commit(cid, nlohmann::json{{"messages", n}}.dump(), writes_for(n));
}

// Kills a child that commits messages 1, 2, ... of `cid` at a random point,
// then checks that the checkpoint and the outbox agree. Returns what
// disagrees, empty when consistent.
std::string crash_once(const RedisServer& server, const std::string& cid, CommitFn commit_fn, std::mt19937& rng) {
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipefd[0]);
    try {
      RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
      CheckpointStore store(conn);
      for (int n = 1;; ++n) {
        commit_fn(store, conn, cid, n);
        const char b = 'x';
        if (::write(pipefd[1], &b, 1) != 1) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(pipefd[1]);
  const int wait_for = std::uniform_int_distribution<int>(1, 40)(rng);
  for (int i = 0; i < wait_for; ++i) {
    char b;
    REQUIRE(::read(pipefd[0], &b, 1) == 1);  // the child committed message i + 1
  }
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  ::close(pipefd[0]);
  REQUIRE(WIFSIGNALED(status));  // killed, not failed

  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CheckpointStore store(conn);
  const auto text = store.load(cid);
  if (!text) return "no checkpoint after " + std::to_string(wait_for) + " commits";
  const int n = nlohmann::json::parse(*text).at("messages").get<int>();
  if (n < wait_for) return "checkpoint says " + std::to_string(n) + ", fewer than the commits acknowledged";
  std::map<int, int> per_message;  // message -> outbox entries committed with it
  for (const OutboxEntry& e : store.outbox(cid, 100000)) {
    if (!e.write) return "unreadable outbox entry: " + e.refusal;
    const std::string& key = e.write->idempotency_key;  // "m<n>-<j>"
    per_message[std::stoi(key.substr(1, key.find('-') - 1))]++;
  }
  for (int m = 1; m <= n; ++m) {
    const int want = m % 3 + 1;
    if (per_message[m] != want) {
      return "checkpoint at message " + std::to_string(n) + " but message " + std::to_string(m) + " has " +
             std::to_string(per_message[m]) + " outbox entries, not " + std::to_string(want);
    }
  }
  if (per_message.rbegin()->first > n) {
    return "outbox holds writes of message " + std::to_string(per_message.rbegin()->first) +
           " beyond the checkpoint's " + std::to_string(n);
  }
  return "";
}

}  // namespace

TEST_CASE("checkpoint store: a committer killed at a random point leaves checkpoint and outbox consistent",
          "[service][redis][checkpoint_store][crash]") {
  RedisServer server;
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 15; ++trial) {
    const std::string cid = "crash-" + std::to_string(trial);
    const std::string problem = crash_once(server, cid, atomic_commit, rng);
    INFO("trial " << trial << ": " << problem);
    CHECK(problem.empty());
  }
}
