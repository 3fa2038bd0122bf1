// `hourglass serve` listening to the campaign API's own Redis traffic
// (HOURGLASS_INPUT=campaign-manager, the default beside the campaign.*
// channels): a real redis-server, the fake API over HTTP, the real ServeApp.
// The API's announcements are published as the real API publishes them:
// world_time_changed as a Socket.IO Redis-adapter packet (msgpack, laid out
// as @socket.io/redis-adapter 8.3 does: the decoder is proved against a real
// adapter in tests/socketio), entity.modified.{id} as graphql-redis-
// subscriptions' JSON. Waits are on applied writes, never sleeps.
#include <catch2/catch.hpp>

#include <msgpack.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "actors/service/flight_recorder.hpp"
#include "io/redis_connection.hpp"
#include "runtime/serve_app.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::runtime::ServeApp;
using hourglass::service::testing::FakeCampaignApi;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

// io.to("campaign:<id>").emit("world_time_changed", event) on Redis.
std::string world_time_changed_packet(const std::string& campaign, hourglass::sim::WorldTime previous,
                                      hourglass::sim::WorldTime now) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(3);
  pk.pack("uid-of-the-api-instance");
  pk.pack_map(3);
  pk.pack("type"); pk.pack(2);  // EVENT
  pk.pack("data");
  pk.pack_array(2);
  pk.pack("world_time_changed");
  pk.pack_map(3);
  pk.pack("type"); pk.pack("world_time_changed");
  pk.pack("timestamp"); pk.pack("2026-12-01T10:00:00.000Z");
  pk.pack("payload");
  pk.pack_map(3);
  pk.pack("campaignId"); pk.pack(campaign);
  pk.pack("previousTime"); pk.pack(iso(previous));
  pk.pack("newTime"); pk.pack(iso(now));
  pk.pack("nsp"); pk.pack("/");
  pk.pack_map(3);
  pk.pack("rooms"); pk.pack(std::vector<std::string>{"campaign:" + campaign});
  pk.pack("except"); pk.pack_array(0);
  pk.pack("flags"); pk.pack_map(0);
  return std::string(buf.data(), buf.size());
}

std::string entity_modified(const std::string& id, const std::string& type, std::int64_t version) {
  return json{{"entityModified",
               {{"entityId", id}, {"entityType", type}, {"version", version}, {"modifiedBy", "gm-user"},
                {"modifiedAt", "2026-12-01T10:00:00.000Z"}}}}
      .dump();
}

struct Service {
  hourglass::service::testing::RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  std::unique_ptr<ServeApp> app;
  std::thread runner;

  explicit Service(std::string input = "channels,campaign-manager") {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    api.start();
    api.add_campaign("c1", kT0, "main");
    api.add_kingdom("c1", "k1");
    api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
    // As the real API announces an advance: its clock first, then Socket.IO.
    api.on_world_time_advanced([this](const std::string& campaign, std::optional<hourglass::sim::WorldTime> previous,
                                      hourglass::sim::WorldTime now) {
      publish("socket.io#/#campaign:" + campaign + "#", world_time_changed_packet(campaign, *previous, now));
    });
    hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
    c.input = std::move(input);
    app = std::make_unique<ServeApp>(c);
    app->start();
    runner = std::thread([this] { app->wait(); });
    REQUIRE(app->wait_subscribed(1, 10s));
  }
  ~Service() { stop(); }
  // Stops the service: intake first, then the gateway's backlog is written.
  void stop() {
    app->request_stop();
    if (runner.joinable()) runner.join();
  }
  void publish(const std::string& channel, const std::string& payload) {
    auto r = RedisConnection::connect(redis.endpoint(), 2000ms);
    r.publish(channel, payload);
  }
  // s1's variables once its population is `population` (or after 15 s of
  // writes that never bring it there). Waits on applied writes, not time:
  // besides the advances' writes, Hourglass writes each entity's anchor once.
  json variables_when(std::int64_t population) {
    json v;
    for (int i = 0; i < 75; ++i) {
      v = api.settlement("s1")["variables"];
      if (v.value("population", std::int64_t{-1}) == population) break;
      api.wait_for_writes(api.writes_applied() + 1, 200ms);
    }
    return v;
  }
};

}  // namespace

TEST_CASE("serve: the API's world_time_changed (Socket.IO adapter packet) advances the campaign",
          "[service][integration][campaign-manager]") {
  Service s;
  s.api.advance_world_time("c1", kT0 + kHour);
  const json v = s.variables_when(101);
  CHECK(v["population"] == 101);  // 100 + 1% after one hour
  CHECK(v["resources"]["food"] == 2);
  CHECK(v["resources"]["gold"] == 1);
}

TEST_CASE("serve: with the campaign-manager input off, the API's packets are not heard",
          "[service][integration][campaign-manager]") {
  Service s("channels");
  s.api.advance_world_time("c1", kT0 + kHour);
  // A barrier on the generic channel, heard after the packet if both were:
  // once its settlement's anchor is written, the hour before it would have
  // been computed; the stop writes whatever it produced.
  s.api.add_settlement("k1", {{"id", "s9"}, {"name", "Later"}, {"level", 1}, {"variables", json::object()}});
  s.publish("campaign.c1.entityModified",
            json{{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s9"}, {"operation", "CREATE"},
                 {"entity", {{"id", "s9"}, {"name", "Later"}, {"level", 1}, {"population", 0}, {"resources", json::object()}}}}
                .dump());
  for (int i = 0; i < 75 && !s.api.settlement("s9")["variables"].contains("createdAt"); ++i)
    s.api.wait_for_writes(s.api.writes_applied() + 1, 200ms);
  REQUIRE(s.api.settlement("s9")["variables"].contains("createdAt"));
  s.stop();
  CHECK(s.api.settlement("s1")["variables"]["population"] == 100);
}

TEST_CASE("serve: the API's entity.modified takes a user's edit and leaves the engine's fields to the engine",
          "[service][integration][campaign-manager]") {
  Service s;
  s.api.advance_world_time("c1", kT0 + kHour);
  REQUIRE(s.variables_when(101)["population"] == 101);
  // The echo of Hourglass's own write (the version it wrote): nothing changes.
  s.publish("entity.modified.s1", entity_modified("s1", "settlement", s.api.settlement("s1")["version"]));
  // A user edits the settlement in the UI: a growth-rate override (theirs to
  // set) and its population (the engine's: not taken).
  const std::int64_t version =
      s.api.edit_settlement_variables("s1", {{"populationGrowthRate", 0.5}, {"population", 5000}});
  s.publish("entity.modified.s1", entity_modified("s1", "settlement", version));
  // An entity no campaign holds: ignored.
  s.publish("entity.modified.nobody", entity_modified("nobody", "settlement", 3));
  s.api.advance_world_time("c1", kT0 + 2 * kHour);
  // 02:00: 101 * 0.5 = 50.5 -> 151, from the engine's 101 (5000 would hit the cap of 500).
  const json v = s.variables_when(151);
  CHECK(v["population"] == 151);
  CHECK(v["populationGrowthRate"] == 0.5);  // the user's override stays in the API
  CHECK(s.api.keys_applied_more_than_once().empty());
}

TEST_CASE("flight recorder: an UPDATE the API announced is recorded as the SPEC's entityModified it became",
          "[service][recorder][campaign-manager]") {
  hourglass::messages::EntityModified m{"c1", hourglass::messages::EntityKind::Settlement,
                                        hourglass::messages::Operation::Update, "s1", {}};
  const json fetched = {{"id", "s1"}, {"name", ""}, {"variables", {{"populationGrowthRate", 0.5}}}};
  const std::string line = hourglass::actors::recorded_message_line(
      "entity.modified.s1", m, entity_modified("s1", "settlement", 3), fetched);
  const json recorded = json::parse(line);
  CHECK(recorded["channel"] == "campaign.c1.entityModified");
  CHECK(recorded["payload"] == json{{"campaignId", "c1"},
                                    {"entityType", "Settlement"},
                                    {"entityId", "s1"},
                                    {"operation", "UPDATE"},
                                    {"entity", fetched}});
  // And the generic channel's payload is kept as it came.
  const std::string generic = hourglass::actors::recorded_message_line(
      "campaign.c1.entityModified", m,
      json{{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"}, {"operation", "UPDATE"}}.dump(),
      fetched);
  CHECK(json::parse(generic)["payload"]["entity"] == fetched);
}
