// Partitions through the real ServeApp, one instance on a real redis-server:
// the partition count is stored at first start and another one refuses the
// start naming both; one instance holds every partition from the start
// (all else as before), claims its campaigns with their partition's token,
// shows its partitions in the metrics, and gives the leases back at its stop.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "runtime/serve_app.hpp"
#include "tests/service/support/eventually.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::runtime::ServeApp;
using hourglass::service::testing::eventually;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisServer;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }


}  // namespace

TEST_CASE("serve partitions: a count other than the one stored in Redis refuses the start, naming both",
          "[service][partitions][integration]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  RedisConnection::connect(redis.endpoint(), 2s).set("hourglass:partitions", "32");
  hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
  c.partitions = 64;
  ServeApp app(c);
  try {
    app.start();
    FAIL("started");
  } catch (const std::exception& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("configured 64") != std::string::npos);
    CHECK(std::string(e.what()).find("holds '32'") != std::string::npos);
  }
  CHECK(RedisConnection::connect(redis.endpoint(), 2s).get("hourglass:partitions") == std::optional<std::string>("32"));
}

TEST_CASE("serve partitions: one instance holds every partition from its start, claims with the token, releases at stop",
          "[service][partitions][integration]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  api.add_campaign("c1", kT0, "main");
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                            {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
  c.partitions = 8;
  c.lease_ttl = 3000ms;
  auto app = std::make_unique<ServeApp>(c);
  app->start();
  int exit_code = -1;
  std::thread runner([&] { exit_code = app->wait(); });
  REQUIRE(app->wait_subscribed(1, 10s));
  RedisConnection conn = RedisConnection::connect(redis.endpoint(), 2s);

  CHECK(conn.get("hourglass:partitions") == std::optional<std::string>("8"));
  std::set<std::string> owners;
  for (std::uint32_t p = 0; p < 8; ++p) {
    const auto owner = conn.hget(hourglass::io::partition_lease_key(p), "owner");
    REQUIRE(owner);
    owners.insert(*owner);
  }
  CHECK(owners.size() == 1);

  conn.publish("campaign.c1.worldTimeAdvanced",
               json{{"campaignId", "c1"}, {"previousTime", iso(kT0)}, {"newTime", iso(kT0 + 2 * kHour)}}.dump());
  REQUIRE(eventually([&] {
    const auto text = conn.get("hourglass:{c1}:checkpoint");
    return text && json::parse(*text)["campaign"]["currentWorldTime"] == iso(kT0 + 2 * kHour);
  }, 20s, 20ms));
  const auto token = conn.hget(hourglass::io::partition_lease_key(hourglass::io::partition_of("c1", 8)), "token");
  REQUIRE(token);
  CHECK(conn.get("hourglass:{c1}:fence") == token);

  httplib::Client client("127.0.0.1", c.port);
  const auto res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->body.find("hourglass_owned_partitions 8") != std::string::npos);

  app->request_stop();
  runner.join();
  CHECK(exit_code == 0);
  for (std::uint32_t p = 0; p < 8; ++p) CHECK(conn.type(hourglass::io::partition_lease_key(p)) == "none");
}
