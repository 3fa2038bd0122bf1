// No input reaches past its campaign (the issue "a message on one campaign's
// channel can act on another campaign"), end to end: `hourglass serve`
// in-process, a real redis-server and the fake campaign API over HTTP.
//   - at intake: an entityModified on campaign.c1 naming an entity the
//     registry knows as c2's is dead-lettered and never enters c1;
//   - at the write: an entity Hourglass never saw (here an effect the API
//     holds for c2) is checked against the API before the gateway writes, and
//     refused when it belongs to another campaign.
// Waits poll a condition with a deadline, never sleep.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <httplib.h>

#include <functional>
#include <thread>

#include "io/redis_connection.hpp"
#include "runtime/serve_app.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::io::StreamEntry;
using hourglass::runtime::ServeApp;
using hourglass::service::testing::FakeCampaignApi;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

// c1 (settlement s1 with a farm, event e1 at 00:30) and c2 (settlement s2),
// both at kT0, each with its main branch.
struct TwoCampaigns {
  hourglass::service::testing::RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  std::unique_ptr<ServeApp> app;
  std::thread runner;
  int status_port = 0;

  TwoCampaigns() {
    spdlog::set_level(spdlog::level::off);
    api.start();
    api.add_campaign("c1", kT0, "main-c1");
    api.add_kingdom("c1", "k1");
    api.add_settlement("k1", {{"id", "s1"}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
    api.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"createdAt", iso(kT0)},
                       {"variables", {{"status", "ACTIVE"}, {"condition", 100}}}});
    api.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + kHour / 2)}, {"isCompleted", false}});
    api.add_campaign("c2", kT0, "main-c2");
    api.add_kingdom("c2", "k2");
    api.add_settlement("k2", {{"id", "s2"}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
    hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
    status_port = c.port;
    app = std::make_unique<ServeApp>(c);
    app->start();
    runner = std::thread([this] { app->wait(); });
    REQUIRE(app->wait_subscribed(1, 10s));
  }
  ~TwoCampaigns() {
    app->request_stop();
    if (runner.joinable()) runner.join();
  }
  void publish(const std::string& channel, const json& payload) {
    RedisConnection::connect(redis.endpoint(), 2000ms).publish(channel, payload.dump());
  }
  void advance(const std::string& campaign, hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
    publish("campaign." + campaign + ".worldTimeAdvanced",
            {{"campaignId", campaign}, {"previousTime", iso(from)}, {"newTime", iso(to)}});
  }
  void create_effect(const std::string& campaign, const std::string& id, hourglass::sim::WorldTime execute_at) {
    publish("campaign." + campaign + ".entityModified",
            {{"campaignId", campaign},
             {"entityType", "Effect"},
             {"entityId", id},
             {"operation", "CREATE"},
             {"entity", {{"id", id}, {"executeAt", iso(execute_at)}}}});
  }
  std::vector<StreamEntry> letters(const char* stream) {
    return RedisConnection::connect(redis.endpoint(), 2000ms).xrange(stream);
  }
  std::string metrics() {
    httplib::Client client("127.0.0.1", status_port);
    auto res = client.Get("/metrics");
    return res ? res->body : std::string();
  }
};

std::string field(const StreamEntry& e, const std::string& name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return v;
  return {};
}

// Polls `done` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);  // a polling interval, not a wait for an actor
  }
  return true;
}

// The first entry of `letters` whose `key` field contains `text`, or none.
const StreamEntry* letter_with(const std::vector<StreamEntry>& letters, const char* key, const std::string& text) {
  for (const StreamEntry& e : letters)
    if (field(e, key).find(text) != std::string::npos) return &e;
  return nullptr;
}

}  // namespace

// The tester's finding, reproduced: c2's effect fx2 (due 03:00 on c2's clock)
// CREATEd again on c1's channel with an early executeAt (01:00). c1's
// advance past 01:00 must not execute it; c2's own advance runs it once.
TEST_CASE("serve: the cross-campaign effect: c2's effect created on c1's channel never runs at c1's clock",
          "[service][integration][ownership]") {
  TwoCampaigns s;
  s.create_effect("c2", "fx2", kT0 + 3 * kHour);
  s.api.apply_entity_change("c2", "Effect", "CREATE", {{"id", "fx2"}, {"executeAt", iso(kT0 + 3 * kHour)}});
  s.create_effect("c1", "fx2", kT0 + kHour);  // the wrong campaign's channel, hours early
  s.advance("c1", kT0, kT0 + 2 * kHour);

  // c1's own writes (s1's and st1's anchors, s1, e1's expiry) still happen,
  // and c2's bootstrap (by its CREATE) wrote s2's anchor: 5.
  REQUIRE(s.api.wait_for_writes(5, 20s));
  // A barrier on c1: an advance 1 ms on, handled after the CREATE and the
  // first advance and committed with them: had fx2 entered c1, it would have
  // been executed by now.
  const std::size_t before = s.api.writes_applied();
  s.advance("c1", kT0 + 2 * kHour, kT0 + 2 * kHour + 1);
  CHECK_FALSE(s.api.wait_for_writes(before + 1, 1500ms));
  CHECK(s.api.effect_executions("fx2") == 0);
  for (const auto& w : s.api.applied_writes()) CHECK(w.field != "executeEffect");
  // Refused at intake, saying why.
  std::vector<StreamEntry> letters;
  const StreamEntry* letter = nullptr;
  CHECK(eventually([&] {
    letters = s.letters("hourglass:deadletter");
    letter = letter_with(letters, "reason", "effect fx2 belongs to campaign c2, not c1");
    return letter != nullptr;
  }));
  if (letter) CHECK(field(*letter, "channel") == "campaign.c1.entityModified");

  // c2's own advance past 03:00 executes it, once: s2 and fx2's execution
  // (7 writes in all), and no more come.
  s.advance("c2", kT0, kT0 + 4 * kHour);
  REQUIRE(s.api.wait_for_writes(7, 20s));
  CHECK_FALSE(s.api.wait_for_writes(8, 1500ms));
  CHECK(s.api.effect_executions("fx2") == 1);
  CHECK_THAT(s.metrics(), Catch::Contains("hourglass_ownership_refusals_total{at=\"input\"} 1"));
}

// The same effect when the registry never heard of it from c2 (created in
// the API, not announced): the CREATE on c1 is taken, and the gateway,
// asking the API which campaign the effect belongs to, refuses to run it.
TEST_CASE("serve: an effect the API holds for c2, scheduled on c1, is refused at the write and never executed",
          "[service][integration][ownership]") {
  TwoCampaigns s;
  s.api.add_effect("c2", {{"id", "fx9"}});  // on an encounter of c2
  s.create_effect("c1", "fx9", kT0 + kHour);
  s.advance("c1", kT0, kT0 + 2 * kHour);

  REQUIRE(s.api.wait_for_writes(4, 20s));  // c1's own writes go on
  const std::size_t before = s.api.writes_applied();
  s.advance("c1", kT0 + 2 * kHour, kT0 + 2 * kHour + 1);  // barrier: nothing more due on c1
  s.api.wait_for_writes(before + 1, 1500ms);
  CHECK(s.api.effect_executions("fx9") == 0);

  const StreamEntry* refused = nullptr;
  std::vector<StreamEntry> letters;
  REQUIRE(eventually([&] {
    letters = s.letters("hourglass:gateway:deadletter");
    refused = letter_with(letters, "write", "effect fx9 belongs to campaign c2, not c1");
    return refused != nullptr;
  }));
  const json write = json::parse(field(*refused, "write"));
  CHECK(write["kind"] == "ExecuteEffect");
  CHECK(write["entityId"] == "fx9");
  CHECK(write["campaignId"] == "c1");
  CHECK(s.api.effect_executions("fx9") == 0);
  CHECK_THAT(s.metrics(), Catch::Contains("hourglass_ownership_refusals_total{at=\"write\"} 1"));
  CHECK_THAT(s.metrics(), Catch::Contains("hourglass_gateway_calls_total{outcome=\"refused\"} 1"));
}
