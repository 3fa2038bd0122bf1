// `hourglass serve` with HOURGLASS_INPUT=stream, in-process: a real
// redis-server, the fake campaign API over HTTP, the real ServeApp. Messages
// are XADDed to hourglass:inbox as a producer would. Waits are on applied
// writes, and on the service's stop, which drains: once wait() returns every
// message handled has been acknowledged (the registry's acknowledgements
// reach the bridge before its drain answer, the bridge XACKs synchronously).
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "io/redis_connection.hpp"
#include "io/stream_router.hpp"
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
constexpr const char* kInbox = "hourglass:inbox";

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

std::string advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
  return json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump();
}

struct Service {
  hourglass::service::testing::RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  std::unique_ptr<ServeApp> app;
  std::thread runner;
  int exit_code = -1;

  Service() {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    api.start();
    api.add_campaign("c1", kT0, "main");
    api.add_kingdom("c1", "k1");
    api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  }
  ~Service() { stop(); }
  void start() {
    hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
    c.input = "stream";
    app = std::make_unique<ServeApp>(c);
    app->start();
    runner = std::thread([this] { exit_code = app->wait(); });
    REQUIRE(app->wait_subscribed(1, 10s));  // the group exists
  }
  // Intake first, then what is in flight is handled, written and acknowledged.
  void stop() {
    if (!app) return;
    app->request_stop();
    if (runner.joinable()) runner.join();
  }
  RedisConnection redis_client() { return RedisConnection::connect(redis.endpoint(), 2000ms); }
  std::string add(const std::string& channel, const std::string& payload) {
    return redis_client().xadd(kInbox, {{"channel", channel}, {"payload", payload}});
  }
  // s1's variables once its population is `population` (or after 15 s of
  // writes that never bring it there).
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

std::string field(const hourglass::io::StreamEntry& e, const std::string& name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return v;
  return std::string();
}

}  // namespace

TEST_CASE("serve --input stream: an advance XADDed before the service started is applied and acknowledged",
          "[service][integration][stream]") {
  Service s;
  s.add("campaign.c1.worldTimeAdvanced", advance(kT0, kT0 + kHour));  // no group yet: read from id 0
  s.start();
  const json v = s.variables_when(101);
  CHECK(v["population"] == 101);  // 100 + 1% after one hour
  CHECK(v["resources"]["food"] == 2);
  // Another, while it runs.
  s.add("campaign.c1.worldTimeAdvanced", advance(kT0 + kHour, kT0 + 2 * kHour));
  CHECK(s.variables_when(102)["population"] == 102);
  s.stop();
  CHECK(s.exit_code == 0);
  auto r = s.redis_client();
  CHECK(hourglass::io::stream_input_done_through(r, kInbox, "hourglass", 64));  // routed, applied, acknowledged
  CHECK(r.xlen(kInbox) == 2);  // acknowledged, not deleted: the stream's retention is the producer's
  CHECK(r.xlen("hourglass:deadletter") == 0);
  CHECK(s.api.keys_applied_more_than_once().empty());
}

TEST_CASE("serve --input stream: refused entries are dead-lettered and acknowledged, the engine goes on",
          "[service][integration][stream]") {
  Service s;
  s.start();
  s.add("campaign.c1.worldTimeAdvanced", "{not json");
  s.add("entity.modified.s1", "{}");  // the API's own traffic belongs on pub/sub
  s.redis_client().xadd(kInbox, {{"channel", "campaign.c1.worldTimeAdvanced"}});  // no payload
  s.add("campaign.c1.worldTimeAdvanced", advance(kT0, kT0 + kHour));  // after the bad ones, in order
  CHECK(s.variables_when(101)["population"] == 101);
  s.stop();
  auto r = s.redis_client();
  CHECK(hourglass::io::stream_input_done_through(r, kInbox, "hourglass", 64));  // routed, applied, acknowledged
  // The router dead-letters what names no campaign as it routes; the bad
  // JSON is refused later, where its partition stream is read: by reason.
  auto letters = r.xrange("hourglass:deadletter");
  REQUIRE(letters.size() == 3);
  std::sort(letters.begin(), letters.end(), [](const auto& a, const auto& b) {
    return field(a, "reason").find("not valid JSON") != std::string::npos &&
           field(b, "reason").find("not valid JSON") == std::string::npos;
  });
  CHECK_THAT(field(letters[0], "reason"), Catch::Contains("not valid JSON"));
  CHECK(field(letters[0], "payload") == "{not json");
  const bool other_first = field(letters[1], "channel") == "entity.modified.s1";
  const auto& other = letters[other_first ? 1 : 2];
  const auto& bare = letters[other_first ? 2 : 1];
  CHECK_THAT(field(other, "reason"), Catch::Contains("campaign.{id}.* channels only"));
  CHECK(field(other, "channel") == "entity.modified.s1");
  CHECK_THAT(field(bare, "reason"), Catch::Contains("stream entry") && Catch::Contains("no field \"payload\""));
}

TEST_CASE("serve --input stream: an entry the registry refuses (unknown campaign) is acknowledged too",
          "[service][integration][stream]") {
  Service s;
  s.start();
  // Valid on the wire, but the API has no campaign c9: its bootstrap fails
  // and the registry dead-letters it.
  s.add("campaign.c9.worldTimeAdvanced",
        json{{"campaignId", "c9"}, {"previousTime", iso(kT0)}, {"newTime", iso(kT0 + kHour)}}.dump());
  s.add("campaign.c1.worldTimeAdvanced", advance(kT0, kT0 + kHour));
  CHECK(s.variables_when(101)["population"] == 101);
  s.stop();
  auto r = s.redis_client();
  CHECK(hourglass::io::stream_input_done_through(r, kInbox, "hourglass", 64));  // routed, applied, acknowledged
  const auto letters = r.xrange("hourglass:deadletter");
  REQUIRE(letters.size() == 1);
  CHECK_THAT(field(letters[0], "reason"), Catch::Contains("c9"));
}
