// httplib.h's option macros (Debian builds cpp-httplib with OpenSSL, zlib
// and brotli; every includer must agree) come from CMake: PkgConfig::HTTPLIB.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <atomic>

#include "runtime/service/status_server.hpp"

using namespace hourglass::service;
using Clock = HealthState::Clock;
using Breaker = hourglass::io::CircuitBreaker::State;
using std::chrono::seconds;

TEST_CASE("health status follows the documented rules", "[service][status]") {
  const auto t0 = Clock::now();
  HealthState h(seconds(30), t0);
  // Never connected: unhealthy only once the grace has passed.
  CHECK(h.status(t0 + seconds(5)) == HealthStatus::healthy);
  CHECK(h.status(t0 + seconds(31)) == HealthStatus::unhealthy);

  h.set_redis_connected(true, t0 + seconds(1));
  h.set_campaigns(5, 0);
  h.set_gateway(12, 0);  // a backlog alone is fine
  CHECK(h.status(t0 + seconds(100)) == HealthStatus::healthy);

  h.set_campaigns(5, 1);
  CHECK(h.status(t0 + seconds(100)) == HealthStatus::degraded);
  h.set_campaigns(5, 0);
  h.set_gateway(0, 3);
  CHECK(h.status(t0 + seconds(100)) == HealthStatus::degraded);
  h.set_gateway(0, 0);

  h.set_api_breaker(Breaker::HalfOpen);
  CHECK(h.status(t0 + seconds(100)) == HealthStatus::healthy);
  h.set_api_breaker(Breaker::Open);
  CHECK(h.status(t0 + seconds(100)) == HealthStatus::unhealthy);
  h.set_api_breaker(Breaker::Closed);

  // Redis drops at t0+200: the outage is counted from then, not from t0.
  h.set_redis_connected(false, t0 + seconds(200));
  h.set_redis_connected(false, t0 + seconds(210));  // repeated "down" does not restart the clock
  CHECK(h.status(t0 + seconds(229)) == HealthStatus::healthy);
  CHECK(h.status(t0 + seconds(231)) == HealthStatus::unhealthy);
  h.set_campaigns(5, 2);
  CHECK(h.status(t0 + seconds(231)) == HealthStatus::unhealthy);  // unhealthy wins over degraded

  const auto j = h.to_json(t0 + seconds(231));
  CHECK(j["status"] == "unhealthy");
  CHECK(j["components"]["redis"]["connected"] == false);
  CHECK(j["components"]["redis"]["status"] == "down");
  CHECK(j["components"]["api"]["breaker"] == "closed");
  CHECK(j["components"]["campaigns"]["quarantined"] == 2);
  CHECK(j["components"]["campaigns"]["status"] == "degraded");
  CHECK(j["components"]["gateway"]["backlog"] == 0);
}

TEST_CASE("status server serves /health, /metrics and 404", "[service][status]") {
  Registry metrics;
  metrics.counter("hourglass_messages_total", {{"channel", "worldTimeAdvanced"}, {"outcome", "applied"}}).inc(7);
  std::atomic<int> mode{0};
  StatusServer server("127.0.0.1", 0, [&] {
    const char* s = mode == 0 ? "healthy" : mode == 1 ? "degraded" : "unhealthy";
    return nlohmann::json{{"status", s}, {"components", {{"redis", {{"connected", mode != 2}}}}}};
  }, metrics);
  server.start();
  const int port = server.port();
  REQUIRE(port > 0);

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);

  auto res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  CHECK(nlohmann::json::parse(res->body)["status"] == "healthy");

  mode = 1;
  res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(nlohmann::json::parse(res->body)["status"] == "degraded");

  mode = 2;
  res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(nlohmann::json::parse(res->body)["components"]["redis"]["connected"] == false);

  res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "text/plain; version=0.0.4");
  CHECK_THAT(res->body,
             Catch::Contains("hourglass_messages_total{channel=\"worldTimeAdvanced\",outcome=\"applied\"} 7\n"));

  res = client.Get("/nope");
  REQUIRE(res);
  CHECK(res->status == 404);
  res = client.Post("/health", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 404);

  server.stop();
  server.stop();  // idempotent
  CHECK(server.port() == 0);
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1);
  CHECK_FALSE(after.Get("/health"));
}

TEST_CASE("status server with HealthState as provider - a throwing provider is unhealthy", "[service][status]") {
  Registry metrics;
  HealthState state(seconds(30));
  state.set_redis_connected(true);
  state.set_campaigns(3, 1);
  StatusServer server("127.0.0.1", 0, [&] { return state.to_json(); }, metrics);
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  const auto body = nlohmann::json::parse(res->body);
  CHECK(body["status"] == "degraded");
  for (const char* c : {"redis", "api", "gateway", "campaigns"}) CHECK(body["components"].contains(c));
  state.set_api_breaker(Breaker::Open);
  res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  server.stop();

  StatusServer broken("127.0.0.1", 0, []() -> nlohmann::json { throw std::runtime_error("boom"); }, metrics);
  broken.start();
  httplib::Client c2("127.0.0.1", broken.port());
  res = c2.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK_THAT(nlohmann::json::parse(res->body)["error"].get<std::string>(), Catch::Contains("boom"));
}

TEST_CASE("status server refuses a taken port and frees it on stop", "[service][status]") {
  Registry metrics;
  auto ok = [] { return nlohmann::json{{"status", "healthy"}}; };
  StatusServer first("127.0.0.1", 0, ok, metrics);
  first.start();
  const int port = first.port();

  StatusServer second("127.0.0.1", port, ok, metrics);
  REQUIRE_THROWS_WITH(second.start(), Catch::Contains("127.0.0.1:" + std::to_string(port)));

  first.stop();
  StatusServer third("127.0.0.1", port, ok, metrics);
  REQUIRE_NOTHROW(third.start());
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("health: a Redis that stops answering PINGs is unhealthy past the limit, though its link looks connected",
          "[service][status]") {
  const auto t0 = Clock::now();
  HealthState h(seconds(30), t0);
  h.set_redis_connected(true, t0);
  h.set_redis_ping(true, "", std::chrono::milliseconds(1), t0 + seconds(1));
  CHECK(h.status(t0 + seconds(2)) == HealthStatus::healthy);
  CHECK(h.to_json(t0 + seconds(2))["components"]["redis"]["ping"]["answered"] == true);

  // Frozen from t0+1: every later probe times out; the link stays "connected".
  h.set_redis_ping(false, "no PONG within 1000 ms", std::chrono::milliseconds(1000), t0 + seconds(3));
  CHECK(h.status(t0 + seconds(3)) == HealthStatus::healthy);  // a slow moment, not yet an outage
  CHECK(h.to_json(t0 + seconds(3))["components"]["redis"]["status"] == "degraded");
  h.set_redis_ping(false, "no PONG within 1000 ms", std::chrono::milliseconds(1000), t0 + seconds(5));
  CHECK(h.status(t0 + seconds(6)) == HealthStatus::healthy);  // 5 s since the last PONG: at the limit
  CHECK(h.status(t0 + seconds(7)) == HealthStatus::unhealthy);  // counted from the last PONG at t0+1
  const auto j = h.to_json(t0 + seconds(7));
  CHECK(j["status"] == "unhealthy");
  CHECK(j["components"]["redis"]["status"] == "down");
  CHECK(j["components"]["redis"]["connected"] == true);
  CHECK(j["components"]["redis"]["ping"]["answered"] == false);
  CHECK(j["components"]["redis"]["ping"]["unanswered_for_s"] == 6.0);
  CHECK_THAT(j["components"]["redis"]["why"].get<std::string>(),
             Catch::Contains("has not answered a PING for 6 s") && Catch::Contains("no PONG within 1000 ms"));

  // One PONG heals it.
  h.set_redis_ping(true, "", std::chrono::milliseconds(2), t0 + seconds(8));
  CHECK(h.status(t0 + seconds(8)) == HealthStatus::healthy);
  CHECK_FALSE(h.to_json(t0 + seconds(8))["components"]["redis"].contains("why"));
}

TEST_CASE("health: a Redis that never answered counts from the first probe, not from construction",
          "[service][status]") {
  const auto t0 = Clock::now();
  HealthState h(seconds(30), t0);
  h.set_redis_connected(true, t0);
  h.set_redis_ping(false, "Connection refused", std::chrono::milliseconds(0), t0 + seconds(20));
  CHECK(h.status(t0 + seconds(25)) == HealthStatus::healthy);
  CHECK(h.status(t0 + seconds(26)) == HealthStatus::unhealthy);
}

TEST_CASE("health: a pub/sub overflow degrades for 10 minutes and stays shown with its evidence", "[service][status]") {
  const auto t0 = Clock::now();
  HealthState h(seconds(30), t0);
  h.set_redis_connected(true, t0);
  h.set_persistence(true, "appendonly yes");
  CHECK(h.to_json(t0)["components"]["redis"]["pubsub_overflows"]["count"] == 0);
  h.set_pubsub_overflow("Redis closed the connection (inferred)", t0 + seconds(10));
  CHECK(h.status(t0 + seconds(11)) == HealthStatus::degraded);
  auto j = h.to_json(t0 + seconds(11));
  CHECK(j["components"]["redis"]["status"] == "degraded");
  CHECK(j["components"]["redis"]["pubsub_overflows"]["count"] == 1);
  CHECK(j["components"]["redis"]["pubsub_overflows"]["last"]["evidence"] == "Redis closed the connection (inferred)");
  CHECK(j["components"]["redis"]["pubsub_overflows"]["last"]["degrades_for_s"] == 600);
  CHECK(h.status(t0 + seconds(10) + std::chrono::minutes(10) + seconds(1)) == HealthStatus::healthy);
  j = h.to_json(t0 + seconds(10) + std::chrono::minutes(10) + seconds(1));
  CHECK(j["components"]["redis"]["status"] == "ok");
  CHECK(j["components"]["redis"]["pubsub_overflows"]["count"] == 1);  // still shown
}

TEST_CASE("status server: /ready is 200 when ready, 503 when not or when its provider throws, 404 without one",
          "[service][status][readiness]") {
  Registry metrics;
  std::atomic<int> mode{0};
  StatusServer server("127.0.0.1", 0, [] { return nlohmann::json{{"status", "healthy"}}; }, metrics);
  server.set_readiness([&]() -> nlohmann::json {
    if (mode == 2) throw std::runtime_error("boom");
    return mode == 0 ? nlohmann::json{{"ready", true}} : nlohmann::json{{"ready", false}, {"why", "stopping"}};
  });
  server.start();
  CHECK_THROWS_AS(server.set_readiness([] { return nlohmann::json{}; }), std::logic_error);
  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/ready");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  mode = 1;
  res = client.Get("/ready");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(nlohmann::json::parse(res->body)["why"] == "stopping");
  mode = 2;
  res = client.Get("/ready");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(nlohmann::json::parse(res->body)["why"] == "readiness provider failed: boom");
  CHECK(client.Get("/health")->status == 200);  // liveness is another answer

  StatusServer plain("127.0.0.1", 0, [] { return nlohmann::json{{"status", "healthy"}}; }, metrics);
  plain.start();
  httplib::Client other("127.0.0.1", plain.port());
  res = other.Get("/ready");
  REQUIRE(res);
  CHECK(res->status == 404);
}
