// `hourglass serve` end to end, in-process: a real redis-server on a free
// port, the fake campaign API over HTTP, and the real ServeApp between them.
// Waits are hooks (subscription and applied-write condition variables),
// never sleeps.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <mutex>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <sys/resource.h>

#include <httplib.h>

#include "runtime/replay.hpp"
#include "runtime/scenario.hpp"
#include "runtime/serve_app.hpp"
#include "io/campaign_api.hpp"
#include "messages/record_feed.hpp"
#include "io/cluster_slots.hpp"
#include "io/redis_subscriber.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_cluster.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::runtime::ServeApp;
using hourglass::io::RedisConnection;
using hourglass::service::testing::FakeCampaignApi;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

// One campaign: settlement s1 (100 people, default rules) with an ACTIVE farm
// st1, and an event e1 due to expire at 00:35.
void seed(FakeCampaignApi& api) {
  api.add_campaign("c1", kT0, "main");  // its main branch: where Hourglass writes
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                            {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}, {"lore", "kept"}}}});
  api.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"level", 1}, {"createdAt", iso(kT0)},
                     {"variables", {{"status", "ACTIVE"}, {"condition", 100}}}});
  api.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + kHour / 2)}, {"isCompleted", false}});
}

// `Redis`: a RedisServer, or a RedisCluster (the service given its first master).
template <class Redis = hourglass::service::testing::RedisServer>
struct BasicService {
  Redis redis;
  FakeCampaignApi api{"secret-token"};
  std::unique_ptr<ServeApp> app;
  std::thread runner;
  int exit_code = -1;
  int status_port = 0;

  explicit BasicService(std::string fault_inject = "", std::string rules_file = "", std::string record_file = "",
                   std::string publish_records = "on") {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    api.start();
    seed(api);
    hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
    c.drain_timeout = std::chrono::seconds(10);
    c.fault_inject = fault_inject;
    c.rules_file = rules_file;
    c.record_file = record_file;
    c.publish_records = publish_records;
    status_port = c.port;
    app = std::make_unique<ServeApp>(c);
    app->start();
    runner = std::thread([this] { exit_code = app->wait(); });
    REQUIRE(app->wait_subscribed(1, 10s));
  }
  ~BasicService() {
    app->request_stop();
    if (runner.joinable()) runner.join();
  }
  std::string metrics() {
    httplib::Client client("127.0.0.1", status_port);
    auto res = client.Get("/metrics");
    return res ? res->body : std::string();
  }
  void publish(const std::string& channel, const std::string& payload) {
    auto r = RedisConnection::connect(redis.endpoint(), 2000ms);
    r.publish(channel, payload);
  }
  void advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
    publish("campaign.c1.worldTimeAdvanced",
            json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump());
  }
};

using Service = BasicService<>;

// 01:00 food 7 gold 1, 101 people; 02:00 food 14 gold 2, 102 people; the
// farm's maintenance at 02:00 debits 1 gold. Each write applied once.
template <class S>
void check_two_hours_applied(S& s, const char* lore = "kept") {
  json settlement;
  for (int i = 0; i < 100; ++i) {  // the last write may still be on its way: wait on writes, not time
    settlement = s.api.settlement("s1");
    if (settlement["variables"].value("population", 0) == 102 &&
        settlement["variables"]["resources"].value("gold", -1) == 1 && s.api.event("e1")["isCompleted"] == true)
      break;
    s.api.wait_for_writes(s.api.applied_writes().size() + 1, 200ms);
  }
  CHECK(settlement["variables"]["population"] == 102);
  CHECK(settlement["variables"]["resources"]["food"] == 14);
  CHECK(settlement["variables"]["resources"]["gold"] == 1);
  CHECK(settlement["variables"]["lore"] == lore);  // variables are merged, not replaced
  CHECK(s.api.event("e1")["isCompleted"] == true);
  CHECK(s.api.keys_applied_more_than_once().empty());
}

}  // namespace

TEST_CASE("serve: an advance produces the expected API writes, each once", "[service][integration]") {
  Service s;
  s.advance(kT0, kT0 + 2 * kHour);
  // Every write: s1's and st1's anchors (the API held none: Hourglass stores
  // the bootstrap's clock), the settlement (population, resources), the
  // event's expiry (the farm's maintenance leaves its condition at 100).
  REQUIRE(s.api.wait_for_writes(4, 15s));
  check_two_hours_applied(s);
  std::set<std::string> keys;
  for (const auto& w : s.api.applied_writes()) keys.insert(w.idempotency_key);
  CHECK(keys.count("c1:Settlement:s1:ANCHOR:" + std::to_string(kT0)) == 1);
  CHECK(keys.count("c1:Structure:st1:ANCHOR:" + std::to_string(kT0)) == 1);
  CHECK(s.api.settlement("s1")["variables"]["createdAt"] == iso(kT0));
  CHECK(s.api.structure("st1")["variables"]["createdAt"] == iso(kT0));

  // The same advance again is stale: no write at all.
  const std::size_t before = s.api.applied_writes().size();
  CHECK(before == 4);
  s.advance(kT0, kT0 + 2 * kHour);
  s.advance(kT0 + 2 * kHour, kT0 + 2 * kHour + 1);  // a barrier: 1 ms later, nothing due
  CHECK_FALSE(s.api.wait_for_writes(before + 1, 1500ms));
}

// c2 (added by the caller) gets kingdom k2 with settlement s2 (100 people,
// default rules, no farm); then c1 and c2 both advance two hours.
template <class S>
void advance_c1_and_c2(S& s) {
  s.api.add_kingdom("c2", "k2");
  s.api.add_settlement("k2", {{"id", "s2"}, {"name", "Fenwick"}, {"level", 1},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  s.advance(kT0, kT0 + 2 * kHour);
  s.publish("campaign.c2.worldTimeAdvanced",
            json{{"campaignId", "c2"}, {"previousTime", iso(kT0)}, {"newTime", iso(kT0 + 2 * kHour)}}.dump());
}

// Two campaigns, each on its own branch (the fake refuses a branch of another
// campaign, as the real API does). Hourglass finds
// each campaign's main branch and sends it with that campaign's writes.
TEST_CASE("serve: two campaigns on their own branches both advance and write", "[service][integration]") {
  Service s;
  s.api.add_campaign("c2", kT0, "cb-c2-main");
  s.api.add_branch("c2", "cb-c2-side", "what-if");
  advance_c1_and_c2(s);
  // c1: 2 anchors, s1, e1's expiry; c2: s2's anchor, s2.
  REQUIRE(s.api.wait_for_writes(6, 15s));
  check_two_hours_applied(s);
  const json s2 = s.api.settlement("s2");
  CHECK(s2["variables"]["population"] == 102);
  CHECK(s2["variables"]["resources"]["food"] == 4);  // base generation only: no farm
  CHECK(s2["variables"]["createdAt"] == iso(kT0));
  std::map<std::string, std::set<std::string>> branches;  // entity -> branchIds its updates carried
  for (const auto& w : s.api.applied_writes())
    if (w.field == "updateSettlement" || w.field == "updateStructure")
      branches[w.entity_id].insert(w.variables["input"]["branchId"].get<std::string>());
  CHECK(branches["s1"] == std::set<std::string>{"main"});
  CHECK(branches["st1"] == std::set<std::string>{"main"});
  CHECK(branches["s2"] == std::set<std::string>{"cb-c2-main"});
  CHECK(s.api.applied_writes().size() == 6);

  // The fake does check: c1's branch is refused for c2's settlement.
  hourglass::io::CampaignApi api(hourglass::io::CampaignApiConfig{s.api.url(), "secret-token", 2000ms});
  hourglass::io::SettlementUpdate wrong;
  wrong.branch_id = "main";
  wrong.expected_version = s2["version"].get<std::int64_t>();
  const auto refused = api.update_settlement("s2", wrong, "c2:test:wrong-branch");
  CHECK_FALSE(refused.ok());
  CHECK_THAT(refused.error.message, Catch::Contains("does not belong to this entity's campaign"));
}

// First contact as the real API makes it: the API updates the campaign first
// and notifies after, so when the first worldTimeAdvanced bootstraps the
// campaign, getCurrentWorldTime already answers the NEW time. The campaign
// starts at the message's previousTime (the API's clock before the advance),
// so the advance that triggered the bootstrap is simulated, not dropped as
// stale (it was, before: nothing was written).
TEST_CASE("serve: an advance notified after the API's clock moved (as the real API notifies) writes the same",
          "[service][integration]") {
  Service s;
  s.api.on_world_time_advanced([&s](const std::string& campaign, std::optional<hourglass::sim::WorldTime> previous,
                                    hourglass::sim::WorldTime now) {
    s.publish("campaign." + campaign + ".worldTimeAdvanced",
              json{{"campaignId", campaign}, {"previousTime", iso(*previous)}, {"newTime", iso(now)}}.dump());
  });
  s.api.advance_world_time("c1", kT0 + 2 * kHour);
  REQUIRE(s.api.wait_for_writes(2, 8s));
  check_two_hours_applied(s);
}

TEST_CASE("serve: a user's edit between the gateway's read and its write (a lock conflict in the production "
          "format) is merged and the write retried",
          "[service][integration]") {
  Service s;
  s.api.edit_settlement_after_next_read("s1", {{"lore", "rewritten by the GM"}});
  s.advance(kT0, kT0 + 2 * kHour);
  check_two_hours_applied(s, "rewritten by the GM");  // Hourglass's values and the user's edit, both
  // One update of s1 was refused ("was modified by another user"), re-read,
  // merged and sent again: one more UpdateSettlement seen than applied.
  std::size_t seen = 0, applied = 0;
  for (const auto& op : s.api.operations_seen()) seen += op == "UpdateSettlement";
  for (const auto& w : s.api.applied_writes()) applied += w.operation == "UpdateSettlement";
  CHECK(seen == applied + 1);
}

TEST_CASE("serve: malformed messages are dead-lettered and the engine goes on", "[service][integration]") {
  Service s;
  s.publish("campaign.c1.worldTimeAdvanced", "{not json");
  s.publish("campaign.c1.worldTimeAdvanced",
            json{{"campaignId", "c2"}, {"previousTime", iso(kT0)}, {"newTime", iso(kT0 + kHour)}}.dump());
  s.publish("campaign.c1.entityModified",
            json{{"campaignId", "c1"}, {"entityType", "Dragon"}, {"entityId", "d1"}, {"operation", "CREATE"}}.dump());
  s.advance(kT0, kT0 + kHour);  // after the bad ones, in order
  REQUIRE(s.api.wait_for_writes(1, 15s));
  auto r = RedisConnection::connect(s.redis.endpoint(), 2000ms);
  const auto letters = r.xrange("hourglass:deadletter");
  REQUIRE(letters.size() == 3);
  auto field = [](const hourglass::io::StreamEntry& e, const std::string& name) {
    for (const auto& [k, v] : e.fields)
      if (k == name) return v;
    return std::string();
  };
  CHECK(field(letters[0], "reason").find("not valid JSON") != std::string::npos);
  CHECK(field(letters[0], "payload") == "{not json");
  CHECK(field(letters[1], "reason").find("payload.campaignId") != std::string::npos);
  CHECK(field(letters[2], "reason").find("Dragon") != std::string::npos);
  CHECK(field(letters[2], "channel") == "campaign.c1.entityModified");
}

TEST_CASE("serve: Redis restarted mid-run: reconnect, resync to the API's time, nothing lost",
          "[service][integration]") {
  Service s;
  s.advance(kT0, kT0 + 2 * kHour);
  REQUIRE(s.api.wait_for_writes(2, 15s));
  s.redis.stop();
  // While Redis is down the game master advances to 04:00: the message is lost
  // with the connection; the API knows the new time.
  s.api.set_world_time("c1", kT0 + 4 * kHour);
  s.redis.restart();
  REQUIRE(s.app->wait_subscribed(2, 70s));
  // gold: +1 an hour, -1 at each 2-hourly maintenance: 1, 1, 2, 2 at 04:00;
  // food +7 an hour: 28; population 103 at 03:00, 104 at 04:00.
  json settlement;
  for (int i = 0; i < 100; ++i) {
    settlement = s.api.settlement("s1");
    if (settlement["variables"].value("population", 0) == 104) break;
    s.api.wait_for_writes(s.api.applied_writes().size() + 1, 300ms);
  }
  CHECK(settlement["variables"]["population"] == 104);
  CHECK(settlement["variables"]["resources"]["food"] == 28);
  CHECK(settlement["variables"]["resources"]["gold"] == 2);
  CHECK(s.api.keys_applied_more_than_once().empty());
}

TEST_CASE("serve: API down: writes wait for it, then arrive once", "[service][integration]") {
  Service s;
  s.advance(kT0, kT0 + kHour);  // bootstrap + the first writes while the API is up:
  REQUIRE(s.api.wait_for_writes(4, 15s));  // s1's and st1's anchors, s1 at 01:00 and e1's expiry
  const std::size_t before = s.api.applied_writes().size();
  CHECK(before == 4);
  s.api.set_down(true);
  s.advance(kT0 + kHour, kT0 + 2 * kHour);
  // Every call fails while it is down; the breaker opens after 5 in a row and
  // the writes wait instead of using up their retries.
  CHECK_FALSE(s.api.wait_for_writes(before + 1, 3s));
  s.api.set_down(false);
  // The breaker lets a trial through after 30 s; then the backlog goes out.
  REQUIRE(s.api.wait_for_writes(before + 1, 45s));
  json settlement;
  for (int i = 0; i < 100; ++i) {
    settlement = s.api.settlement("s1");
    if (settlement["variables"].value("population", 0) == 102) break;
    s.api.wait_for_writes(s.api.applied_writes().size() + 1, 300ms);
  }
  CHECK(settlement["variables"]["population"] == 102);
  CHECK(settlement["variables"]["resources"]["gold"] == 1);
  CHECK(s.api.keys_applied_more_than_once().empty());
  auto r = RedisConnection::connect(s.redis.endpoint(), 2000ms);
  for (const auto& e : r.xrange("hourglass:gateway:deadletter"))
    for (const auto& [k, v] : e.fields) UNSCOPED_INFO("gateway dead letter " << k << ": " << v);
  CHECK(r.xlen("hourglass:gateway:deadletter") == 0);
}

TEST_CASE("serve: stopping drains and exits 0", "[service][integration]") {
  auto s = std::make_unique<Service>();
  s->advance(kT0, kT0 + 2 * kHour);
  REQUIRE(s->api.wait_for_writes(1, 15s));
  s->app->request_stop();
  s->runner.join();
  CHECK(s->exit_code == 0);
}

TEST_CASE("serve: a settlement actor that crashes mid-advance is restarted, the writes are the same",
          "[service][integration][supervision]") {
  // s1's household fires hourly (resources, growth, the farm's upkeep): its
  // 3rd firing is inside the 2-hour advance.
  Service s("settlement:s1:3");
  s.advance(kT0, kT0 + 2 * kHour);
  REQUIRE(s.api.wait_for_writes(2, 15s));
  check_two_hours_applied(s);
  const std::string metrics = s.metrics();
  CHECK(metrics.find("hourglass_restarts_total{actor=\"settlement\"} 1") != std::string::npos);
  CHECK(metrics.find("hourglass_restarts_total{actor=\"campaign\"}") == std::string::npos);
}

namespace {

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Waits (on writes, not time) until settlement s1's food is `food`.
bool food_reaches(Service& s, int food) {
  for (int i = 0; i < 100; ++i) {
    if (s.api.settlement("s1")["variables"]["resources"].value("food", -1) == food) return true;
    s.api.wait_for_writes(s.api.applied_writes().size() + 1, 200ms);
  }
  return false;
}

}  // namespace

TEST_CASE("serve: rules reloaded (SIGHUP) apply from the next message, refused ones change nothing",
          "[service][integration][rules]") {
  char dir_template[] = "/tmp/hourglass-rules-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string rules = std::string(dir_template) + "/rules.json";
  write_file(rules, "{}");  // the defaults: base food 2 + the farm's 5 per hour
  Service s("", rules);
  s.advance(kT0, kT0 + kHour);
  REQUIRE(food_reaches(s, 7));

  // The farm now yields 50 food an hour; everything else as before.
  write_file(rules, R"({"structures": {"farm": {"constructionMinutes": 2880, "maintenanceIntervalMinutes": 120,
      "upgradeIntervalMinutes": 360, "maintenanceCost": {"gold": 1}, "upgradeCost": {"gold": 50},
      "produces": {"food": 50}, "growthBonus": 0.002, "maxLevel": 3}}})");
  REQUIRE(s.app->reload_rules() == "");
  s.advance(kT0 + kHour, kT0 + 2 * kHour);
  CHECK(food_reaches(s, 7 + 52));

  // A bad file is refused naming the field; the rules in use stay.
  write_file(rules, R"({"settlement": {"populationGrowthRate": "fast"}})");
  const std::string refused = s.app->reload_rules();
  CHECK(refused.find("populationGrowthRate") != std::string::npos);
  s.advance(kT0 + 2 * kHour, kT0 + 3 * kHour);
  CHECK(food_reaches(s, 7 + 52 + 52));
  const std::string metrics = s.metrics();
  CHECK(metrics.find("hourglass_rules_reloads_total{outcome=\"applied\"} 1") != std::string::npos);
  CHECK(metrics.find("hourglass_rules_reloads_total{outcome=\"refused\"} 1") != std::string::npos);
  CHECK(s.api.keys_applied_more_than_once().empty());
  std::filesystem::remove_all(dir_template);
}

namespace {

// The nice values of this process's threads named `name`.
std::vector<int> nice_of_threads_named(const std::string& name) {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    std::getline(comm, thread_name);
    if (thread_name != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the ")" closing the name: state is the 3rd field, nice the 19th.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
    }
    out.push_back(std::stoi(field));
  }
  return out;
}

// Collects the records the service publishes on campaign.c1.simulation, a
// line each (a message carries several: messages/record_feed).
struct SimulationFeed {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> lines;
  bool subscribed = false;
  std::unique_ptr<hourglass::io::RedisSubscriber> sub;

  explicit SimulationFeed(const hourglass::io::RedisEndpoint& endpoint) {
    hourglass::io::RedisSubscriberOptions o;
    o.endpoint = endpoint;
    o.patterns = {"campaign.c1.simulation"};
    hourglass::io::RedisSubscriberCallbacks cb;
    cb.on_message = [this](std::string, std::string payload) {
      std::lock_guard<std::mutex> lock(mutex);
      for (std::string_view record : hourglass::messages::feed_records(payload)) lines.emplace_back(record);
      cv.notify_all();
    };
    cb.on_connected = [this](bool) {
      std::lock_guard<std::mutex> lock(mutex);
      subscribed = true;
      cv.notify_all();
    };
    cb.on_disconnected = [](std::string) {};
    cb.on_connect_failed = [](std::string, std::chrono::milliseconds) {};
    sub = std::make_unique<hourglass::io::RedisSubscriber>(o, cb);
    sub->start();
  }
  ~SimulationFeed() { sub->stop(); }
  bool wait(std::function<bool()> pred) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, 15s, pred);
  }
};

}  // namespace

TEST_CASE("serve --publish-records off: the same API writes, and nothing published",
          "[service][integration][publish]") {
  for (const char* publish : {"on", "off"}) {
    INFO("HOURGLASS_PUBLISH_RECORDS=" << publish);
    Service s("", "", "", publish);
    SimulationFeed feed(s.redis.endpoint());
    REQUIRE(feed.wait([&] { return feed.subscribed; }));
    s.advance(kT0, kT0 + 2 * kHour);
    check_two_hours_applied(s);
    // The feed publishes from a thread of its own, at a lower priority than
    // the simulation's (actors/service/record_feed_actor.hpp); none when off.
    const std::vector<int> feed_nice = nice_of_threads_named("hg.record-feed");
    if (std::string(publish) == "on")
      CHECK(feed_nice == std::vector<int>{std::min(19, getpriority(PRIO_PROCESS, 0) + 10)});
    else
      CHECK(feed_nice.empty());
    s.app->request_stop();
    s.runner.join();  // the bridge has sent everything it was given
    // Redis delivers in the order it ran the PUBLISHes: once this one
    // arrives, anything the service published has arrived before it.
    s.publish("campaign.c1.simulation", "sentinel");
    REQUIRE(feed.wait([&] { return !feed.lines.empty() && feed.lines.back() == "sentinel"; }));
    std::lock_guard<std::mutex> lock(feed.mutex);
    if (std::string(publish) == "on")
      CHECK(feed.lines.size() > 5);  // the records, then the sentinel
    else
      CHECK(feed.lines.size() == 1);  // the sentinel alone
  }
}

TEST_CASE("serve --record: the recording replays from the same initial state to the same records",
          "[service][integration][record]") {
  char dir_template[] = "/tmp/hourglass-record-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  const std::string recording = dir + "/flight.jsonl";
  std::size_t published = 0;
  std::vector<std::string> feed_lines;
  json api_settlement;
  {
    Service s("", "", recording);
    SimulationFeed feed(s.redis.endpoint());
    REQUIRE(feed.wait([&] { return feed.subscribed; }));
    s.advance(kT0, kT0 + 2 * kHour);
    // The campaign is bootstrapped from the API on that first message: st2
    // must not exist there yet.
    REQUIRE(food_reaches(s, 14));
    // No entity inline: both are fetched from the API, and recorded with it.
    s.api.add_structure({{"id", "st2"}, {"settlementId", "s1"}, {"type", "mine"}, {"level", 1},
                         {"createdAt", iso(kT0 + 2 * kHour)}, {"variables", {{"status", "ACTIVE"}, {"condition", 90}}}});
    s.publish("campaign.c1.entityModified",
              json{{"campaignId", "c1"}, {"entityType", "Structure"}, {"entityId", "st2"}, {"operation", "CREATE"}}.dump());
    s.publish("campaign.c1.entityModified",
              json{{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"}, {"operation", "UPDATE"}}.dump());
    s.advance(kT0 + 2 * kHour, kT0 + 9 * kHour);
    s.advance(kT0 + 9 * kHour, kT0 + 9 * kHour + 1);  // the last: its records mark the end
    REQUIRE(feed.wait([&] {
      return !feed.lines.empty() && feed.lines.back().find(iso(kT0 + 9 * kHour)) != std::string::npos;
    }));
    s.app->request_stop();
    s.runner.join();  // the gateway drained: every write is in the API
    api_settlement = s.api.settlement("s1");
    std::lock_guard<std::mutex> lock(feed.mutex);
    feed_lines = feed.lines;
    published = feed_lines.size();
  }
  REQUIRE(published > 10);

  // The initial state the fake API started from (seed()), as a scenario.
  json scenario = {
      {"name", "recorded"},
      {"campaigns",
       {{{"id", "c1"},
         {"currentWorldTime", iso(kT0)},
         {"settlements", {{{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"population", 100},
                           {"resources", {{"food", 0}, {"gold", 0}}}, {"lore", "kept"}, {"createdAt", iso(kT0)}}}},
         {"structures", {{{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"level", 1}, {"status", "ACTIVE"},
                          {"condition", 100}, {"createdAt", iso(kT0)}}}},
         {"events", {{{"id", "e1"}, {"scheduledAt", iso(kT0 + kHour / 2)}, {"isCompleted", false}}}}}}},
      {"messages", "flight.jsonl"}};
  std::ofstream(dir + "/scenario.json") << scenario.dump(1);
  std::ifstream recorded(recording);
  std::size_t recorded_lines = 0;
  for (std::string line; std::getline(recorded, line);) recorded_lines += !line.empty();
  CHECK(recorded_lines == 5);  // the resync-free run: 3 advances and 2 modifications

  auto output = std::make_shared<hourglass::actors::StringOutput>();
  hourglass::runtime::ReplayOptions options;
  options.output = output;
  options.want_state = true;
  const auto result = hourglass::runtime::run_replay(hourglass::runtime::load_scenario(dir + "/scenario.json"), options);
  CHECK(result.stats.refused == 0);
  std::vector<json> replayed, live;
  std::istringstream in(output->text());
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) replayed.push_back(json::parse(line));
  for (const auto& line : feed_lines) live.push_back(json::parse(line));
  REQUIRE(replayed.size() == live.size());
  for (std::size_t i = 0; i < live.size(); ++i) {
    INFO("record " << i);
    CHECK(replayed[i] == live[i]);
  }
  // The hidden carry went to the API too: a campaign bootstrapped again
  // from it continues exactly where the replay's state is.
  REQUIRE(result.state.size() == 1);
  REQUIRE(api_settlement["variables"].contains("carry"));
  CHECK(api_settlement["variables"]["carry"].get<double>() == result.state[0].settlements[0].carry);
  CHECK(result.state[0].settlements[0].carry != 0.0);
  std::filesystem::remove_all(dir);
}

// The same service on a 3-master Redis Cluster, given one master's URL: its
// keys spread over the masters (c1's and c2's over two of them), the commit
// and lease scripts each run on their keys' master, the input (pub/sub) and
// the records' PUBLISH work from the node it was given.
TEST_CASE("serve on a redis cluster: advances of two campaigns produce the expected API writes, each once",
          "[service][integration][cluster]") {
  using hourglass::service::testing::RedisCluster;
  BasicService<RedisCluster> s;
  REQUIRE(s.redis.owner_of_slot(hourglass::io::cluster_key_slot("{c1}")) !=
          s.redis.owner_of_slot(hourglass::io::cluster_key_slot("{c2}")));
  s.api.add_campaign("c2", kT0, "cb-c2-main");
  advance_c1_and_c2(s);
  REQUIRE(s.api.wait_for_writes(6, 15s));
  check_two_hours_applied(s);
  CHECK(s.api.settlement("s2")["variables"]["population"] == 102);
  CHECK(s.api.settlement("s2")["variables"]["resources"]["food"] == 4);

  // Each campaign's checkpoint is on its own master, its outbox emptied.
  for (const std::string c : {"c1", "c2"}) {
    INFO("campaign " << c);
    auto owner = s.redis.admin(s.redis.owner_of_slot(hourglass::io::cluster_key_slot("{" + c + "}")));
    CHECK(owner.get("hourglass:{" + c + "}:checkpoint").has_value());
    // The API has the write before the gateway removes its entry: polled.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (owner.xlen("hourglass:{" + c + "}:outbox") != 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    CHECK(owner.xlen("hourglass:{" + c + "}:outbox") == 0);
  }

  // The same advance again is stale: no write at all.
  const std::size_t before = s.api.applied_writes().size();
  CHECK(before == 6);
  s.advance(kT0, kT0 + 2 * kHour);
  s.advance(kT0 + 2 * kHour, kT0 + 2 * kHour + 1);
  CHECK_FALSE(s.api.wait_for_writes(before + 1, 1500ms));

  // A malformed message is dead-lettered on the cluster too (the advance
  // after it is handled after it, in order).
  s.publish("campaign.c1.worldTimeAdvanced", "{not json");
  s.advance(kT0 + 2 * kHour + 1, kT0 + 3 * kHour);
  REQUIRE(s.api.wait_for_writes(before + 1, 15s));
  RedisConnection conn = RedisConnection::connect(s.redis.endpoint(), 2000ms);
  const auto letters = conn.xrange("hourglass:deadletter");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].fields.size() > 1);

  // Pub/sub from any node: an advance PUBLISHed on a master other than the
  // one the service was given (endpoint 0) reaches it, as the cluster sends
  // a PUBLISH to every node.
  const std::size_t third = s.api.applied_writes().size();
  const json late{{"campaignId", "c1"}, {"previousTime", iso(kT0 + 3 * kHour)}, {"newTime", iso(kT0 + 4 * kHour)}};
  s.redis.admin(2).publish("campaign.c1.worldTimeAdvanced", late.dump());
  CHECK(s.api.wait_for_writes(third + 1, 15s));
}
