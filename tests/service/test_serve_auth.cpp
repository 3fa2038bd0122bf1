// `hourglass serve` with API_AUTH=login end to end: a real redis-server, the
// fake API over HTTP, the real ServeApp. The access token expires mid-run
// (expire_token) and the service keeps writing, after one refresh.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <httplib.h>

#include <cstdlib>
#include <thread>

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

struct LoginService {
  hourglass::service::testing::RedisServer redis;
  FakeCampaignApi api;  // no seeded token is given to the service: it logs in
  std::unique_ptr<ServeApp> app;
  std::thread runner;
  int status_port = 0;

  LoginService() {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    api.start();
    api.add_campaign("c1", kT0, "main");
    api.add_kingdom("c1", "k1");
    api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
    hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
    c.api_token.clear();  // logs in instead
    c.api_auth = "login";
    c.api_email = api.options().email;
    c.api_password = api.options().password;
    status_port = c.port;
    app = std::make_unique<ServeApp>(c);
    app->start();
    runner = std::thread([this] { app->wait(); });
    REQUIRE(app->wait_subscribed(1, 10s));
  }
  ~LoginService() {
    app->request_stop();
    if (runner.joinable()) runner.join();
  }
  void advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
    auto r = RedisConnection::connect(redis.endpoint(), 2000ms);
    r.publish("campaign.c1.worldTimeAdvanced",
              json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump());
  }
  // Waits on applied writes (never on time) until s1 has `population`.
  bool population_reaches(int population) {
    for (int i = 0; i < 100; ++i) {
      if (api.settlement("s1")["variables"].value("population", 0) >= population) return true;
      api.wait_for_writes(api.writes_applied() + 1, 200ms);
    }
    return false;
  }
  std::string get(const char* path) {
    httplib::Client client("127.0.0.1", status_port);
    auto res = client.Get(path);
    return res ? res->body : std::string();
  }
};

}  // namespace

TEST_CASE("serve (API_AUTH=login): the access token expires mid-run, the service refreshes and keeps writing",
          "[service][integration][auth]") {
  LoginService s;
  s.advance(kT0, kT0 + kHour);
  REQUIRE(s.population_reaches(101));
  CHECK(s.api.auth_requests("/auth/login") == 1);  // one login for the reader and every gateway worker
  CHECK(s.api.auth_requests("/auth/refresh") == 0);

  for (const std::string& token : s.api.access_tokens()) s.api.expire_token(token);
  s.advance(kT0 + kHour, kT0 + 2 * kHour);
  REQUIRE(s.population_reaches(102));
  CHECK(s.api.settlement("s1")["variables"]["population"] == 102);
  CHECK(s.api.auth_requests("/auth/refresh") == 1);
  CHECK(s.api.auth_requests("/auth/login") == 1);
  CHECK(s.api.keys_applied_more_than_once().empty());

  // The Unauthorized replies were retried, never refusals: nothing degraded.
  const json health = json::parse(s.get("/health"));
  CHECK(health["components"]["api"]["refusals"] == 0);
  CHECK(s.get("/metrics").find("hourglass_api_refusals_total{") == std::string::npos);
}
