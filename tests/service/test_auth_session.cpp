// API_AUTH=login: the auth session against the fake API over real HTTP
// (login, refresh before and after expiry, one refresh for many callers,
// login again, the rate limit, 429), the classification of the API's
// refusals and where operators see them, and that no secret is ever logged.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "io/auth_session.hpp"
#include "io/campaign_api.hpp"
#include "io/rate_limiter.hpp"
#include "messages/auth_codec.hpp"
#include "runtime/service/config.hpp"
#include "runtime/service/metrics.hpp"
#include "runtime/service/prometheus_telemetry.hpp"
#include "runtime/service/status_server.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

using namespace hourglass::io;
using hourglass::service::testing::FakeCampaignApi;
using Kind = ApiError::Kind;
using namespace std::chrono_literals;

namespace {

struct World {
  FakeCampaignApi fake;
  explicit World(FakeCampaignApi::Options options = {}) : fake(std::move(options)) {
    fake.add_campaign("c1", *hourglass::sim::parse_world_time("2025-03-01T12:00:00Z"), "main");
    fake.add_kingdom("c1", "k1");
    fake.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"version", 7}});
    fake.start();
  }
  AuthSessionOptions session_options() const {
    AuthSessionOptions o;
    o.base_url = fake.base_url();
    o.email = fake.options().email;
    o.password = fake.options().password;
    o.timeout = 5s;
    o.failure_hold = 0ms;
    return o;
  }
  CampaignApiConfig config(std::shared_ptr<AuthSession> session) const {
    CampaignApiConfig c;
    c.endpoint = fake.url();
    c.token = "";
    c.timeout = 5s;
    c.auth = std::move(session);
    return c;
  }
  std::size_t logins() const { return fake.auth_requests("/auth/login"); }
  std::size_t refreshes() const { return fake.auth_requests("/auth/refresh"); }
};

}  // namespace

// ---- the rate limiter (pure) --------------------------------------------------

TEST_CASE("rate limiter: at most N in any window, sliding", "[service][auth][limiter]") {
  using C = RateLimiter::Clock;
  const C::time_point t0{};
  RateLimiter l(10, 60s);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(l.wait_before(t0 + std::chrono::seconds(i)) == C::duration::zero());
    l.record(t0 + std::chrono::seconds(i));
  }
  // Full at 10 s: the oldest (0 s) leaves the window at 60 s.
  CHECK(l.in_window(t0 + 10s) == 10);
  CHECK(l.wait_before(t0 + 10s) == 50s);
  CHECK(l.wait_before(t0 + 59s) == 1s);
  CHECK(l.wait_before(t0 + 60s) == C::duration::zero());
  l.record(t0 + 60s);
  // Now 1..9 s and 60 s are in the window: the next slot is at 61 s.
  CHECK(l.wait_before(t0 + 60s) == 1s);
  CHECK(l.in_window(t0 + 200s) == 0);
  CHECK(l.wait_before(t0 + 200s) == C::duration::zero());
}

TEST_CASE("rate limiter: a limit of one, and bad arguments", "[service][auth][limiter]") {
  using C = RateLimiter::Clock;
  const C::time_point t0{};
  RateLimiter l(1, 10ms);
  l.record(t0);
  CHECK(l.wait_before(t0 + 3ms) == 7ms);
  CHECK(l.wait_before(t0 + 10ms) == C::duration::zero());
  CHECK_THROWS_AS(RateLimiter(0, 1s), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(1, 0s), std::invalid_argument);
}

// ---- codec and URL ------------------------------------------------------------

TEST_CASE("auth codec: tokens, JWT times, REST error messages", "[service][auth]") {
  using namespace hourglass::messages;
  const AuthTokens t = read_auth_tokens(R"({"accessToken":"a","refreshToken":"r","extra":1})");
  CHECK(t.access_token == "a");
  CHECK(t.refresh_token == "r");
  CHECK_THROWS_AS(read_auth_tokens(R"({"accessToken":"a"})"), InputError);
  CHECK_THROWS_AS(read_auth_tokens("not json"), InputError);
  CHECK_THROWS_AS(read_auth_tokens(R"({"accessToken":"","refreshToken":"r"})"), InputError);
  // {"sub":"u","iat":1700000000,"exp":1700000900} (base64url, no padding)
  const auto times = read_jwt_times("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDA5MDB9.sig");
  REQUIRE(times);
  CHECK(times->issued_at == 1700000000);
  CHECK(times->expires == 1700000900);
  CHECK_FALSE(read_jwt_times("opaque-token"));
  CHECK_FALSE(read_jwt_times("a.!!!.c"));
  CHECK(read_rest_error_message(R"({"statusCode":401,"message":"Invalid refresh token","error":"Unauthorized"})") ==
        "Invalid refresh token");
  CHECK(read_rest_error_message(R"({"message":["a","b"]})") == "a; b");
  CHECK(read_rest_error_message("<html>") == "");
}

TEST_CASE("auth: the base URL is the GraphQL URL without /graphql", "[service][auth]") {
  CHECK(auth_base_url("http://localhost:9264/graphql") == std::string("http://localhost:9264"));
  CHECK(auth_base_url("https://api.example/v1/graphql/") == std::string("https://api.example/v1"));
  CHECK(auth_base_url("http://h/graphql?x=1") == std::string("http://h"));
  CHECK_FALSE(auth_base_url("http://h/api"));
  CHECK_FALSE(auth_base_url("http://h"));
}

// ---- the session against the fake ---------------------------------------------

TEST_CASE("auth: login once, then every CampaignApi of the process uses the token", "[service][auth]") {
  World w;
  auto session = std::make_shared<AuthSession>(w.session_options());
  CampaignApi reader(w.config(session)), worker(w.config(session));
  CHECK(w.logins() == 0);  // lazily, on the first call
  auto r = reader.get_current_world_time("c1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  CHECK(worker.get_settlement("s1").ok());
  CHECK(reader.kingdoms_by_campaign("c1").ok());
  CHECK(w.logins() == 1);
  CHECK(w.refreshes() == 0);
  CHECK(session->requests_sent() == 1);
}

TEST_CASE("auth: a token expiring mid-run: N concurrent callers, exactly one refresh", "[service][auth]") {
  World w;
  auto session = std::make_shared<AuthSession>(w.session_options());
  REQUIRE(CampaignApi(w.config(session)).get_current_world_time("c1").ok());
  REQUIRE(w.fake.access_tokens().size() == 1);
  w.fake.expire_token(w.fake.access_tokens().back());

  constexpr int kWorkers = 8;
  std::mutex m;
  std::condition_variable go_cv;
  bool go = false;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i)
    threads.emplace_back([&] {
      CampaignApi api(w.config(session));
      {
        std::unique_lock<std::mutex> lock(m);
        go_cv.wait(lock, [&] { return go; });
      }
      if (api.get_current_world_time("c1").ok()) ++ok;
    });
  {
    std::lock_guard<std::mutex> lock(m);
    go = true;
  }
  go_cv.notify_all();
  for (auto& t : threads) t.join();
  CHECK(ok == kWorkers);
  CHECK(w.refreshes() == 1);
  CHECK(w.logins() == 1);
  CHECK(w.fake.access_tokens().size() == 2);
}

TEST_CASE("auth: the token is refreshed before its exp, without a refused call", "[service][auth]") {
  World w;  // 15 min tokens
  auto options = w.session_options();
  auto offset = std::make_shared<std::atomic<long long>>(0);  // seconds the session's wall clock is ahead
  options.now = [offset] { return std::chrono::system_clock::now() + std::chrono::seconds(offset->load()); };
  auto session = std::make_shared<AuthSession>(options);
  CampaignApi api(w.config(session));
  REQUIRE(api.get_current_world_time("c1").ok());
  const std::size_t requests = w.fake.requests();
  *offset = 13 * 60;  // not due yet (due 60 s before exp)
  REQUIRE(api.get_current_world_time("c1").ok());
  CHECK(w.refreshes() == 0);
  *offset = 14 * 60 + 1;
  REQUIRE(api.get_current_world_time("c1").ok());
  CHECK(w.refreshes() == 1);
  // 2 GraphQL calls and the refresh: no Unauthorized answer came back.
  CHECK(w.fake.requests() == requests + 3);
}

TEST_CASE("auth: a refused refresh token leads to a login", "[service][auth]") {
  World w;
  auto session = std::make_shared<AuthSession>(w.session_options());
  CampaignApi api(w.config(session));
  REQUIRE(api.get_current_world_time("c1").ok());
  w.fake.expire_token(w.fake.access_tokens().back());
  w.fake.revoke_refresh_tokens();
  auto r = api.get_current_world_time("c1");
  INFO(r.error.message);
  CHECK(r.ok());
  CHECK(w.refreshes() == 1);
  CHECK(w.logins() == 2);
}

TEST_CASE("auth: a refused login is Unauthorized, not retryable, reported, and held (not repeated)",
          "[service][auth]") {
  World w;
  auto options = w.session_options();
  options.password = "wrong-password";
  options.failure_hold = 10min;
  auto session = std::make_shared<AuthSession>(options);
  auto config = w.config(session);
  std::vector<ApiError> refusals;
  config.on_refusal = [&](const ApiError& e) { refusals.push_back(e); };
  CampaignApi api(config);
  auto r = api.update_settlement("s1", SettlementUpdate{}, "key-1");
  CHECK(r.error.kind == Kind::Unauthorized);
  CHECK_FALSE(r.error.retryable());
  CHECK_THAT(r.error.message, Catch::Contains("Invalid email or password"));
  CHECK(api.get_current_world_time("c1").error.kind == Kind::Unauthorized);
  CHECK(w.logins() == 1);  // the second call got the failure from memory
  REQUIRE(refusals.size() == 2);
  CHECK(std::string(to_string(refusals[0].kind)) == "unauthorized");
  CHECK(w.fake.applied_writes().empty());
}

TEST_CASE("auth: Unauthorized again after the renewed token is not retried further", "[service][auth]") {
  World w;
  auto session = std::make_shared<AuthSession>(w.session_options());
  CampaignApi api(w.config(session));
  REQUIRE(api.get_current_world_time("c1").ok());
  w.fake.graphql_error_next(2, "Unauthorized");
  auto r = api.get_current_world_time("c1");
  CHECK(r.error.kind == Kind::Unauthorized);
  CHECK_FALSE(r.error.retryable());
  CHECK(w.refreshes() == 1);
  CHECK(api.get_current_world_time("c1").ok());  // the next call: the renewed token works
}

TEST_CASE("auth: never more than the limit of auth requests in the window", "[service][auth][limiter]") {
  World w;
  auto options = w.session_options();
  options.max_requests = 3;
  options.window = 60s;
  options.max_wait = 50ms;  // the next slot (in ~60 s) is beyond it: fail at once
  auto session = std::make_shared<AuthSession>(options);
  CampaignApi api(w.config(session));
  REQUIRE(api.get_current_world_time("c1").ok());  // 1: login
  for (int i = 0; i < 2; ++i) {                      // 2, 3: refreshes
    w.fake.expire_token(w.fake.access_tokens().back());
    REQUIRE(api.get_current_world_time("c1").ok());
  }
  w.fake.expire_token(w.fake.access_tokens().back());
  auto r = api.get_current_world_time("c1");
  CHECK(r.error.kind == Kind::Transport);  // may pass later: retryable
  CHECK(r.error.retryable());
  CHECK_THAT(r.error.message, Catch::Contains("3 auth requests in the last 60 s"));
  CHECK(session->requests_sent() == 3);
  CHECK(w.logins() + w.refreshes() == 3);
}

TEST_CASE("auth: HTTP 429 is waited out and tried again, bounded", "[service][auth]") {
  SECTION("one 429, then the login passes") {
    World w;
    auto options = w.session_options();
    options.rate_limited_wait = 1ms;
    auto session = std::make_shared<AuthSession>(options);
    w.fake.fail_next(1, 429);
    CHECK(CampaignApi(w.config(session)).get_current_world_time("c1").ok());
    CHECK(session->requests_sent() == 2);
  }
  SECTION("the API throttles on: the caller gets a retryable failure once the bound is reached") {
    FakeCampaignApi::Options fo;
    fo.auth_requests_per_minute = 0;  // every auth request: 429
    World w(fo);
    auto options = w.session_options();
    options.rate_limited_wait = 1ms;
    options.max_wait = 20ms;
    auto session = std::make_shared<AuthSession>(options);
    auto r = CampaignApi(w.config(session)).get_current_world_time("c1");
    CHECK(r.error.kind == Kind::Transport);
    CHECK(r.error.retryable());
    CHECK_THAT(r.error.message, Catch::Contains("429"));
    CHECK(w.logins() >= 2);
    CHECK(w.logins() == session->requests_sent());
  }
}

// ---- refusals: classified, counted, shown ---------------------------------------

TEST_CASE("refusals: Forbidden, Bad Request, Unauthorized are not retryable, and are counted and shown",
          "[service][auth]") {
  World w;
  hourglass::service::Registry metrics;
  hourglass::service::PrometheusTelemetry telemetry(metrics);
  hourglass::service::HealthState health;
  health.set_redis_connected(true);
  CampaignApiConfig config = w.config(nullptr);
  config.token = w.fake.token();
  config.on_refusal = [&](const ApiError& e) {
    telemetry.api_refusal(to_string(e.kind));
    health.set_api_refusal(to_string(e.kind), e.message);
  };
  CampaignApi api(config);
  CHECK(health.status() == hourglass::service::HealthStatus::healthy);

  w.fake.graphql_error_next(1, "Forbidden resource");  // the RolesGuard defect
  auto forbidden = api.update_settlement("s1", SettlementUpdate{}, "k1");
  CHECK(forbidden.error.kind == Kind::Forbidden);
  CHECK_FALSE(forbidden.error.retryable());
  w.fake.graphql_error_next(1, "branchId must be a UUID");
  auto bad = api.update_settlement("s1", SettlementUpdate{}, "k2");
  CHECK(bad.error.kind == Kind::BadRequest);
  CHECK_FALSE(bad.error.retryable());
  config.token = "not-a-token";
  auto unauthorized = CampaignApi(config).get_current_world_time("c1");
  CHECK(unauthorized.error.kind == Kind::Unauthorized);
  CHECK_FALSE(unauthorized.error.retryable());
  // Not a refusal: not counted.
  w.fake.graphql_error_next(1, "something else");
  CHECK(api.get_current_world_time("c1").error.kind == Kind::GraphQL);

  const std::string text = metrics.render();
  CHECK_THAT(text, Catch::Contains(R"(hourglass_api_refusals_total{kind="forbidden"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(hourglass_api_refusals_total{kind="bad_request"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(hourglass_api_refusals_total{kind="unauthorized"} 1)"));

  CHECK(health.status() == hourglass::service::HealthStatus::degraded);
  const auto j = health.to_json();
  CHECK(j["components"]["api"]["status"] == "degraded");
  CHECK(j["components"]["api"]["refusals"] == 3);
  CHECK(j["components"]["api"]["last_refusal"]["kind"] == "unauthorized");
  CHECK_THAT(j["components"]["api"]["last_refusal"]["message"].get<std::string>(), Catch::Contains("Unauthorized"));
  CHECK(j["components"]["api"]["last_refusal"]["at"].is_string());
}

TEST_CASE("refusals: /health degrades for the refusal window, then shows the last one only", "[service][auth]") {
  using Clock = hourglass::service::HealthState::Clock;
  const Clock::time_point t0 = Clock::now();
  hourglass::service::HealthState health(30s, t0, 600s);
  health.set_redis_connected(true, t0);
  health.set_api_refusal("forbidden", "UpdateSettlement: Forbidden resource", t0);
  CHECK(health.status(t0 + 599s) == hourglass::service::HealthStatus::degraded);
  CHECK(health.status(t0 + 601s) == hourglass::service::HealthStatus::healthy);
  const auto j = health.to_json(t0 + 601s);
  CHECK(j["components"]["api"]["status"] == "ok");
  CHECK(j["components"]["api"]["last_refusal"]["message"] == "UpdateSettlement: Forbidden resource");
  CHECK(j["components"]["api"]["last_refusal"]["age_s"] == 601.0);
}

// ---- secrets --------------------------------------------------------------------

TEST_CASE("auth: a login run logs what it does and no secret", "[service][auth][logging]") {
  World w;
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("auth-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  hourglass::service::ServiceConfig cfg;
  cfg.api_url = w.fake.url();
  cfg.api_auth = "login";
  cfg.api_email = w.fake.options().email;
  cfg.api_password = w.fake.options().password;
  std::vector<std::string> refresh_tokens;
  {
    auto session = hourglass::service::make_auth_session(cfg);
    REQUIRE(session);
    CampaignApi api(w.config(session));
    REQUIRE(api.get_current_world_time("c1").ok());         // login
    w.fake.expire_token(w.fake.access_tokens().back());
    REQUIRE(api.get_current_world_time("c1").ok());         // refresh
    w.fake.expire_token(w.fake.access_tokens().back());
    w.fake.revoke_refresh_tokens();
    REQUIRE(api.get_current_world_time("c1").ok());         // refused refresh, login
    cfg.api_password = "another-secret-password";
    CampaignApi refused(w.config(hourglass::service::make_auth_session(cfg)));
    CHECK(refused.get_current_world_time("c1").error.kind == Kind::Unauthorized);
  }
  spdlog::set_default_logger(previous);
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("logged in as " + w.fake.options().email));
  CHECK_THAT(text, Catch::Contains("access token refreshed"));
  CHECK_THAT(text, Catch::Contains("refresh token refused"));
  CHECK(text.find(w.fake.options().password) == std::string::npos);
  CHECK(text.find("another-secret-password") == std::string::npos);
  CHECK(text.find("fake-refresh-token") == std::string::npos);
  for (const std::string& token : w.fake.access_tokens()) {
    CHECK(text.find(token) == std::string::npos);
    CHECK(text.find(token.substr(token.find('.') + 1, 20)) == std::string::npos);  // not even its payload
  }
  CHECK(hourglass::service::describe(cfg).find("another-secret-password") == std::string::npos);
}
