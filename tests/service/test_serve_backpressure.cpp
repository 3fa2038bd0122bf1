// Bounded memory under overload: with the API down, committed writes pile up
// in the outboxes; past HOURGLASS_MAX_OUTBOX the service stops reading its
// input (here the stream: entries wait there, not in memory) and /health
// says why; once the API takes the writes, intake resumes and the waiting
// messages are applied. In-process `hourglass serve`, a real redis-server,
// the fake API over HTTP.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "io/redis_connection.hpp"
#include "io/partitions.hpp"
#include "io/stream_id.hpp"
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
constexpr int kSettlements = 6;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

std::string advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
  return json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump();
}

json health(int port) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/health");
  return res ? json::parse(res->body, nullptr, false) : json();
}

}  // namespace

TEST_CASE("serve: past HOURGLASS_MAX_OUTBOX intake pauses (health says why) and resumes once the API takes the writes",
          "[service][integration][backpressure]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  hourglass::service::testing::RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  api.add_campaign("c1", kT0, "main");
  api.add_kingdom("c1", "k1");
  for (int i = 1; i <= kSettlements; ++i)
    api.add_settlement("k1", {{"id", "s" + std::to_string(i)}, {"name", "S"}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
  c.input = "stream";
  c.max_outbox = 3;  // one advance of six settlements writes six
  c.gateway_breaker_open = 200ms;  // the API's return is seen soon
  ServeApp app(c);
  app.start();
  std::thread runner([&] { app.wait(); });
  struct Stop {  // however the test ends
    ServeApp& app;
    std::thread& runner;
    ~Stop() {
      app.request_stop();
      if (runner.joinable()) runner.join();
    }
  } stop{app, runner};
  REQUIRE(app.wait_subscribed(1, 10s));
  auto r = RedisConnection::connect(redis.endpoint(), 2000ms);
  auto population = [&](int want) {
    json v;
    for (int i = 0; i < 1200; ++i) {  // retries wait up to 10 s (the gateway's backoff cap)
      v = api.settlement("s" + std::to_string(kSettlements))["variables"];
      if (v.value("population", 0) == want) break;
      api.wait_for_writes(api.writes_applied() + 1, 50ms);
    }
    return v.value("population", 0);
  };

  // Known to the service (bootstrapped, one advance written) while the API is up.
  r.xadd(kInbox, {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0, kT0 + kHour)}});
  REQUIRE(population(101) == 101);

  api.set_down(true);
  r.xadd(kInbox, {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0 + kHour, kT0 + 2 * kHour)}});
  json h;
  auto paused = [](const json& health) {
    const json* intake = health.is_object() && health.contains("components") ? &health["components"] : nullptr;
    return intake && intake->contains("intake") && (*intake)["intake"].value("paused", false);
  };
  for (int i = 0; i < 500 && !paused(h); ++i) {
    api.wait_for_writes(api.writes_applied() + 1, 20ms);  // none comes: the API is down; the service's own progress is what is waited for
    h = health(c.port);
  }
  INFO(h.dump());
  REQUIRE(paused(h));
  CHECK_THAT(h["components"]["intake"]["why"].get<std::string>(), Catch::Contains("HOURGLASS_MAX_OUTBOX 3"));
  CHECK(h["components"]["intake"]["status"] == "degraded");

  // Paused: a second message stays in the stream while the gateway keeps trying the API.
  // A read already blocked in XREADGROUP when intake paused still returns,
  // with what is there when it wakes: this filler (an advance to the clock,
  // ignored). The reader takes nothing after it.
  r.xadd(kInbox, {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0 + 2 * kHour, kT0 + 2 * kHour)}});
  const std::string third = r.xadd(
      kInbox, {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", advance(kT0 + 2 * kHour, kT0 + 3 * kHour)}});
  // The service goes on meanwhile: the gateway tries the API again (paced by
  // its breaker), long after the reader would have taken the entry.
  const std::size_t before = api.requests();
  for (int i = 0; i < 1500 && api.requests() < before + 2; ++i) api.wait_for_writes(api.writes_applied() + 1, 20ms);
  REQUIRE(api.requests() >= before + 2);
  // Routed (the router does not pause: the backlog waits in Redis), not taken from c1's partition stream.
  const std::string c1_stream = hourglass::io::partition_stream_key(kInbox, hourglass::io::partition_of("c1", 64));
  CHECK(hourglass::io::stream_id_before(r.xgroup_last_delivered(c1_stream, "hourglass").value(), third));

  api.set_down(false);
  CHECK(population(103) == 103);  // the third advance taken and applied: 100 -> 101 -> 102 -> 103
  // Each advance writes six again: intake pauses and resumes around them
  // until the last is done.
  json after;
  for (int i = 0; i < 500 && (after = health(c.port), paused(after)); ++i)
    api.wait_for_writes(api.writes_applied() + 1, 20ms);
  CHECK_FALSE(paused(after));
  CHECK(api.keys_applied_more_than_once().empty());
}
