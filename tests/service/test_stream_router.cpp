// io::StreamRouter and its pieces against a real redis-server
// (docs/operations.md, The stream input): each entry of the ingress stream
// reaches its campaign's partition stream under its own id, in order; a
// copy repeated after a crash between XADD and XACK is refused by Redis and
// counts as routed; an entry naming no campaign is handed over to be
// dead-lettered; an upgrade in place takes the old consumer group's
// position and pending entries. Waits poll Redis with a deadline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "io/cluster_slots.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "io/stream_id.hpp"
#include "io/stream_router.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using namespace hourglass::io;
using hourglass::service::testing::RedisServer;

namespace {

constexpr const char* kIngress = "test:inbox";
constexpr std::uint32_t kPartitions = 8;

std::string add(RedisConnection& r, const std::string& campaign, const std::string& payload) {
  return r.xadd(kIngress, {{"channel", "campaign." + campaign + ".worldTimeAdvanced"}, {"payload", payload}});
}

std::string partition_stream(const std::string& campaign) {
  return partition_stream_key(kIngress, partition_of(campaign, kPartitions));
}

struct Unroutable {
  std::string id, channel, why;
};

struct Router {
  std::mutex mutex;
  std::vector<Unroutable> unroutable;
  std::vector<std::size_t> backlogs;  // as reported
  std::unique_ptr<StreamRouter> router;

  Router(const RedisServer& server, std::atomic<bool>& active) {
    StreamRouterOptions o;
    o.endpoint = server.endpoint();
    o.ingress = kIngress;
    o.partitions = kPartitions;
    o.block = 100ms;
    o.backoff_initial = 20ms;
    o.backoff_cap = 200ms;
    o.active = [&active] { return active.load(); };
    StreamRouterCallbacks cb;
    cb.on_unroutable = [this](const std::string& id, const std::string& channel, const std::string&,
                              const std::string& why) {
      std::lock_guard<std::mutex> lock(mutex);
      unroutable.push_back({id, channel, why});
    };
    cb.on_backlog = [this](std::size_t entries) {
      std::lock_guard<std::mutex> lock(mutex);
      backlogs.push_back(entries);
    };
    router = std::make_unique<StreamRouter>(o, cb);
    router->start();
  }
};

// Polls until every ingress entry up to `last` was given to the router group
// and acknowledged.
bool routed_through(RedisConnection& r, const std::string& last, std::chrono::milliseconds bound = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const auto at = r.xgroup_last_delivered(kIngress, "hourglass-router");
    if (at && !stream_id_before(*at, last) && r.xpending_count(kIngress, "hourglass-router") == 0) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);  // polling Redis with a deadline
  }
}

std::vector<std::string> ids_of(const std::vector<StreamEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.id);
  return ids;
}

}  // namespace

// Redis Cluster takes a multi-key XREADGROUP only within one slot: every
// partition stream (and the upgrade's marker) is in the ingress stream's.
TEST_CASE("stream router: the partition streams share the ingress stream's hash slot", "[service][stream]") {
  CHECK(partition_stream_key("hourglass:inbox", 7) == "{hourglass:inbox}:p7");
  CHECK(partition_stream_key("{tenant-7}inbox", 3) == "{tenant-7}inbox:p3");  // its own tag kept
  for (const std::string ingress : {"hourglass:inbox", "{tenant-7}inbox", "odd{key"}) {
    for (std::uint32_t p = 0; p < 64; ++p)
      CHECK(cluster_key_slot(partition_stream_key(ingress, p)) == cluster_key_slot(ingress));
    CHECK(cluster_key_slot(router_legacy_key(ingress)) == cluster_key_slot(ingress));
  }
  // No tag can stand for these whole keys: refused (the config says so).
  CHECK_THROWS_AS(partition_stream_key("in{}box", 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_stream_key("odd}key", 1), std::invalid_argument);
}

TEST_CASE("stream router: each campaign's entries reach its partition stream under their own ids, in order",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  std::map<std::string, std::vector<std::string>> sent;  // campaign -> ids, in order
  std::string last;
  for (int i = 0; i < 10; ++i)
    for (const std::string c : {"c1", "c2", "c3", "c4", "c5"}) sent[c].push_back(last = add(r, c, std::to_string(i)));
  const std::string other = r.xadd(kIngress, {{"channel", "entity.modified.s1"}, {"payload", "{}"}});
  const std::string bare = r.xadd(kIngress, {{"channel", "campaign.c1.worldTimeAdvanced"}});
  const std::string after = last = add(r, "c1", "after the bad ones");
  sent["c1"].push_back(after);

  std::atomic<bool> active{true};
  Router router(server, active);
  REQUIRE(routed_through(r, last));
  for (const auto& [campaign, ids] : sent) {
    std::vector<std::string> want;
    // A partition stream holds its campaigns' entries, interleaved in ingress order.
    for (const auto& [c, i] : sent)
      if (partition_of(c, kPartitions) == partition_of(campaign, kPartitions)) want.insert(want.end(), i.begin(), i.end());
    std::sort(want.begin(), want.end(), [](const std::string& a, const std::string& b) { return stream_id_before(a, b); });
    CHECK(ids_of(r.xrange(partition_stream(campaign))) == want);
  }
  const auto copy = r.xrange(partition_stream("c1"), after, after);
  REQUIRE(copy.size() == 1);
  CHECK(copy[0].fields == std::vector<std::pair<std::string, std::string>>{
                              {"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "after the bad ones"}});
  std::lock_guard<std::mutex> lock(router.mutex);
  REQUIRE(router.unroutable.size() == 2);
  CHECK(router.unroutable[0].id == other);
  CHECK(router.unroutable[0].channel == "entity.modified.s1");
  CHECK_THAT(router.unroutable[0].why, Catch::Contains("campaign.{id}.* channels only"));
  CHECK(router.unroutable[1].id == bare);
  CHECK_THAT(router.unroutable[1].why, Catch::Contains("no field \"payload\""));
}

TEST_CASE("stream router: a copy repeated after a crash between XADD and XACK counts as routed, once",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(add(r, "c1", std::to_string(i)));
  // A router took all four, copied the first two and died before its XACKs.
  REQUIRE(r.xgroup_create(kIngress, "hourglass-router", "0"));
  const auto taken = r.xreadgroup("hourglass-router", "dead-router", kIngress, ">", 10);
  REQUIRE(taken.size() == 4);
  for (int i = 0; i < 2; ++i)
    CHECK(route_entry(r, partition_stream("c1"), ids[i], "campaign.c1.worldTimeAdvanced", std::to_string(i)) ==
          Routed::added);
  CHECK(route_entry(r, partition_stream("c1"), ids[1], "campaign.c1.worldTimeAdvanced", "1") == Routed::already_there);
  // Anything else Redis refuses is no repeat.
  r.set("test:not-a-stream", "x");
  CHECK_THROWS_AS(route_entry(r, "test:not-a-stream", ids[0], "campaign.c1.worldTimeAdvanced", "0"), RedisError);

  // A router that is not the lease holder reads nothing; the new one claims
  // the dead router's entries and routes them again, then the new ones.
  std::atomic<bool> active{false};
  Router router(server, active);
  const std::string later = add(r, "c1", "4");
  ids.push_back(later);
  active = true;
  REQUIRE(routed_through(r, later));
  CHECK(ids_of(r.xrange(partition_stream("c1"))) == ids);  // each once, in order
  std::lock_guard<std::mutex> lock(router.mutex);
  CHECK(router.unroutable.empty());
}

TEST_CASE("stream router: an upgrade in place starts at the old group's position and routes its pending entries once",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  // The previous version read the ingress with the group "hourglass": the
  // first entry applied and acknowledged, the next two delivered and pending.
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(add(r, i == 1 ? "c2" : "c1", std::to_string(i)));
  REQUIRE(r.xgroup_create(kIngress, "hourglass", "0"));
  REQUIRE(r.xreadgroup("hourglass", "hourglass", kIngress, ">", 10).size() == 3);
  r.xack(kIngress, "hourglass", {ids[0]});
  const std::string fresh = add(r, "c1", "3");  // never delivered to the old group

  std::atomic<bool> active{true};
  Router router(server, active);
  REQUIRE(routed_through(r, fresh));
  CHECK(r.xgroup_last_delivered(kIngress, "hourglass-router").value() == fresh);
  CHECK(r.get(router_legacy_key(kIngress)) == ids[2]);  // where the router group started
  // The applied one is not routed again; the pending ones and the new one are.
  CHECK(ids_of(r.xrange(partition_stream("c1"))) == std::vector<std::string>{ids[2], fresh});
  CHECK(ids_of(r.xrange(partition_stream("c2"))) == std::vector<std::string>{ids[1]});
  CHECK(r.xpending_count(kIngress, "hourglass") == 0);

  // A router that starts again (another instance, the lease moved) routes nothing twice.
  router.router->stop();
  std::atomic<bool> again{true};
  Router next(server, again);
  const std::string later = add(r, "c1", "4");
  REQUIRE(routed_through(r, later));
  CHECK(ids_of(r.xrange(partition_stream("c1"))) == std::vector<std::string>{ids[2], fresh, later});
  CHECK(r.xlen(partition_stream("c2")) == 1);
}

TEST_CASE("stream router: its backlog is what the ingress holds not yet routed, reported when it starts and stops "
          "routing",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(router_backlog(r, kIngress, "hourglass") == 0);  // no stream yet
  std::string last;
  for (int i = 0; i < 3; ++i) last = add(r, "c1", std::to_string(i));
  CHECK(router_backlog(r, kIngress, "hourglass") == 3);  // no router group yet
  REQUIRE(r.xgroup_create(kIngress, "hourglass-router", "0"));
  REQUIRE(r.xreadgroup("hourglass-router", "dead-router", kIngress, ">", 1).size() == 1);
  CHECK(router_backlog(r, kIngress, "hourglass") == 3);  // 1 held unacknowledged, 2 after the group's position

  std::atomic<bool> active{true};
  Router router(server, active);
  REQUIRE(routed_through(r, last));
  CHECK(router_backlog(r, kIngress, "hourglass") == 0);
  active = false;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(router.mutex);
      if (router.backlogs.size() >= 2 || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(20ms);  // polling the router's reports with a deadline
  }
  std::lock_guard<std::mutex> lock(router.mutex);
  REQUIRE(router.backlogs.size() >= 2);
  CHECK(router.backlogs.front() == 3);  // when it started routing, before anything was routed
  CHECK(router.backlogs.back() == 0);   // it stopped
}
