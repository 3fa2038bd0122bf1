// Downtime: the service is stopped; while it is down the API's clock moves
// twice (each advance announced to nobody: pub/sub drops it) and the API is
// edited (a settlement's rule override changed, a settlement created); the
// service is started again. It resumes the campaign from its checkpoint,
// reconciles it with the API (the edits at the resume clock) and catches up
// on the world time. The API must end as the replay of that same story.
// In-process `hourglass serve` (pub/sub input), a real redis-server, the fake
// API over HTTP.
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "io/redis_connection.hpp"
#include "runtime/serve_app.hpp"
#include "tests/support/replay_support.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_cluster.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::runtime::ServeApp;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisCluster;
using hourglass::service::testing::RedisServer;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

json advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
  return {{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}};
}

const json kS1 = {{"id", "s1"}, {"name", "Oakridge"}, {"level", 3}, {"population", 1000},
                  {"resources", {{"food", 0}, {"gold", 0}}}, {"createdAt", iso(kT0)}};
const json kS2 = {{"id", "s2"}, {"name", "Newtown"}, {"level", 3}, {"population", 500},
                  {"resources", {{"food", 10}, {"gold", 0}}}, {"createdAt", iso(kT0 + kHour)}};

// One life of the service, on a RedisServer or a RedisCluster.
struct Life {
  template <class Redis>
  static hourglass::service::ServiceConfig config(const Redis& redis, const FakeCampaignApi& api) {
    auto c = hourglass::service::testing::serve_test_config(redis, api);
    if (std::getenv("HG_TEST_LOG")) c.log_level = "debug";
    return c;
  }
  ServeApp app;
  std::thread runner;
  template <class Redis>
  Life(const Redis& redis, const FakeCampaignApi& api) : app(config(redis, api)) {
    app.start();
    runner = std::thread([this] { app.wait(); });
  }
  ~Life() {
    app.request_stop();
    if (runner.joinable()) runner.join();
  }
};

// Waits on writes until settlement `id` has the replay's population and
// resources (or 20 s of none).
json settlement_when(FakeCampaignApi& api, const std::string& id, const json& want) {
  json v;
  for (int i = 0; i < 100; ++i) {
    v = api.settlement(id)["variables"];
    if (v.value("population", json()) == want["population"] && v.value("resources", json()) == want["resources"]) break;
    api.wait_for_writes(api.writes_applied() + 1, 200ms);
  }
  return v;
}

// The story of the first test below, on a RedisServer or a RedisCluster.
template <class Redis>
void caught_up_after_downtime() {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  // The story, as a replay tells it: the edits land at the resume clock (01:00).
  json story = {{"name", "downtime"},
                {"campaigns", json::array({{{"id", "c1"}, {"currentWorldTime", iso(kT0)}, {"settlements", {kS1}}}})},
                {"messages",
                 json::array({
                     {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0, kT0 + kHour)}},
                     {{"channel", "campaign.c1.entityModified"},
                      {"payload", {{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"},
                                   {"operation", "UPDATE"},
                                   {"entity", {{"id", "s1"}, {"variables", {{"populationGrowthRate", 0.05}}}}}}}},
                     {{"channel", "campaign.c1.entityModified"},
                      {"payload", {{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s2"},
                                   {"operation", "CREATE"}, {"entity", kS2}}}},
                     {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0 + kHour, kT0 + 3 * kHour)}},
                 })}};
  const auto replayed = hourglass::testing::replay_json(story, 2);
  std::map<std::string, json> want;
  for (const json& s : replayed.state["campaigns"][0]["settlements"]) want[s["id"].get<std::string>()] = s;
  REQUIRE(want.size() == 2);
  json first_only = story;
  first_only["messages"] = json::array({story["messages"][0]});
  const json after_first = hourglass::testing::replay_json(first_only, 1).state["campaigns"][0]["settlements"][0];

  Redis redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  api.add_campaign("c1", kT0, "main");
  api.add_kingdom("c1", "k1");
  api.apply_entity_change("c1", "Settlement", "CREATE", kS1);
  auto publish = [&](const std::string& channel, const json& payload) {
    RedisConnection::connect(redis.endpoint(), 2000ms).publish(channel, payload.dump());
  };
  {
    Life first(redis, api);
    REQUIRE(first.app.wait_subscribed(1, 10s));
    api.advance_world_time("c1", kT0 + kHour);  // the API moves its clock, then announces
    publish("campaign.c1.worldTimeAdvanced", advance(kT0, kT0 + kHour));
    REQUIRE(settlement_when(api, "s1", after_first)["resources"] == after_first["resources"]);
  }
  // Down: the API goes on without Hourglass.
  api.advance_world_time("c1", kT0 + 2 * kHour);
  publish("campaign.c1.worldTimeAdvanced", advance(kT0 + kHour, kT0 + 2 * kHour));  // nobody listens
  api.advance_world_time("c1", kT0 + 3 * kHour);
  publish("campaign.c1.worldTimeAdvanced", advance(kT0 + 2 * kHour, kT0 + 3 * kHour));
  api.edit_settlement_variables("s1", {{"populationGrowthRate", 0.05}});
  api.apply_entity_change("c1", "Settlement", "CREATE", kS2);

  Life second(redis, api);
  REQUIRE(second.app.wait_subscribed(1, 10s));
  for (const auto& [id, s] : want) {
    INFO("settlement " << id);
    const json got = settlement_when(api, id, s);
    CHECK(got["population"] == s["population"]);
    CHECK(got["resources"] == s["resources"]);
  }
  CHECK(api.keys_applied_more_than_once().empty());
}

}  // namespace

TEST_CASE("serve: time and edits while the service was down are caught up on restart, as the replay of the story",
          "[service][integration][downtime]") {
  caught_up_after_downtime<RedisServer>();
}

TEST_CASE("serve on a redis cluster: time and edits while the service was down are caught up on restart",
          "[service][integration][downtime][cluster]") {
  caught_up_after_downtime<RedisCluster>();
}

TEST_CASE("serve: more campaigns than resync at once all catch up on restart (the queue never stalls)",
          "[service][integration][downtime]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  constexpr int kCampaigns = 20;  // resyncs run 8 at a time
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  auto id_of = [](int i) { return "c" + std::to_string(i); };
  for (int i = 0; i < kCampaigns; ++i) {
    api.add_campaign(id_of(i), kT0, "main-" + id_of(i));
    api.add_kingdom(id_of(i), "k" + std::to_string(i));
    json s = kS1;
    s["id"] = "s" + std::to_string(i);
    api.apply_entity_change(id_of(i), "Settlement", "CREATE", s);
  }
  auto publish_advance = [&](int i, hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
    json m = advance(from, to);
    m["campaignId"] = id_of(i);
    RedisConnection::connect(redis.endpoint(), 2000ms).publish("campaign." + id_of(i) + ".worldTimeAdvanced", m.dump());
  };
  auto all_at = [&](const json& want) {
    for (int i = 0; i < kCampaigns; ++i) {
      INFO("campaign " << id_of(i));
      CHECK(settlement_when(api, "s" + std::to_string(i), want)["resources"] == want["resources"]);
    }
  };
  json story = {{"campaigns", json::array({{{"id", "c1"}, {"currentWorldTime", iso(kT0)}, {"settlements", {kS1}}}})},
                {"messages", json::array({{{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0, kT0 + kHour)}}})}};
  const json after_one = hourglass::testing::replay_json(story, 1).state["campaigns"][0]["settlements"][0];
  story["messages"].push_back({{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0 + kHour, kT0 + 5 * kHour)}});
  const json after_five = hourglass::testing::replay_json(story, 1).state["campaigns"][0]["settlements"][0];
  {
    Life first(redis, api);
    REQUIRE(first.app.wait_subscribed(1, 10s));
    for (int i = 0; i < kCampaigns; ++i) {
      api.advance_world_time(id_of(i), kT0 + kHour);
      publish_advance(i, kT0, kT0 + kHour);
    }
    all_at(after_one);
  }
  for (int i = 0; i < kCampaigns; ++i) api.advance_world_time(id_of(i), kT0 + 5 * kHour);  // while down
  Life second(redis, api);
  REQUIRE(second.app.wait_subscribed(1, 10s));
  all_at(after_five);
  CHECK(api.keys_applied_more_than_once().empty());
}
