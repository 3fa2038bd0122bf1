// `hourglass serve` as a real child process while Redis misbehaves under it:
// frozen (SIGSTOP) — /health must say so within its documented bound and
// recover after SIGCONT — and dropping the subscriber for its pub/sub output
// buffer limit (a 50 MB message under Redis' default limits) — the overflow
// is detected, counted, shown in /health, and the reconnection resyncs. A
// real redis-server, the fake API over HTTP, /health and /metrics over HTTP.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <hiredis/hiredis.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "io/redis_connection.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"

#ifndef HOURGLASS_BINARY
#error "HOURGLASS_BINARY must be defined (tests/service/CMakeLists.txt)"
#endif

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using hourglass::io::RedisConnection;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisServer;
using hourglass::service::testing::ServeProcess;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

std::string advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
  return json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump();
}

// Waits (polls, each poll bounded) until `done` or `timeout`; true when done.
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);  // between two polls of a condition, not a wait for an actor
  }
  return done();
}

struct Health {
  int code = 0;  // 0: no answer
  json body;
};

// One campaign c1 (settlement s1, 100 people), `hourglass serve` subscribed to
// the default inputs (channels,campaign-manager).
struct World {
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  int port = RedisServer::free_port();
  std::string log = (fs::temp_directory_path() / ("hourglass-redis-trouble-" + std::to_string(::getpid()) + ".log")).string();
  std::unique_ptr<ServeProcess> serve;

  World() {
    api.start();
    api.add_campaign("c1", kT0, "main");
    api.add_kingdom("c1", "k1");
    api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
    fs::remove(log);
    serve = std::make_unique<ServeProcess>(HOURGLASS_BINARY,
                                           std::map<std::string, std::string>{{"REDIS_URL", redis.url()},
                                                                              {"API_URL", api.url()},
                                                                              {"API_TOKEN", "secret-token"},
                                                                              {"PORT", std::to_string(port)},
                                                                              {"LOG_LEVEL", "info"},
                                                                              {"LOG_FORMAT", "text"}},
                                           log);
    serve->start();
  }
  ~World() { serve->kill_and_wait(); }

  Health health() {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1, 0);
    c.set_read_timeout(3, 0);  // the status server must answer well within this, frozen Redis or not
    auto res = c.Get("/health");
    if (!res) return {};
    Health h{res->status, json::parse(res->body, nullptr, false)};
    return h;
  }
  std::string metrics() {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(3, 0);
    auto res = c.Get("/metrics");
    return res ? res->body : std::string();
  }
  RedisConnection redis_client() { return RedisConnection::connect(redis.endpoint(), 5000ms); }
  // How many patterns the server has subscribers for: 5 while the service is
  // subscribed (the 4 of its two inputs and the intake markers').
  long long patterns() {
    try {
      auto c = redis_client();
      redisReply* r = static_cast<redisReply*>(redisCommand(c.native_handle(), "PUBSUB NUMPAT"));
      const long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
      if (r) freeReplyObject(r);
      return n;
    } catch (const std::exception&) {
      return -1;
    }
  }
  std::int64_t population() { return api.settlement("s1")["variables"].value("population", std::int64_t{-1}); }
  bool population_becomes(std::int64_t want, std::chrono::milliseconds timeout) {
    return poll_until([&] { return population() == want; }, timeout);
  }
};

}  // namespace

TEST_CASE("serve process: a frozen (SIGSTOPped) Redis makes /health 503 naming Redis within 6 s, SIGCONT heals it",
          "[service][integration][health]") {
  World w;
  Health h;
  REQUIRE(poll_until([&] { return (h = w.health()).code == 200; }, 20s));

  // Always thawed, whatever fails below: a stopped redis-server would outlive
  // nothing, but its SIGTERM at the fixture's end would wait for ever.
  struct Thaw {
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
  } thaw{w.redis.pid()};
  REQUIRE(::kill(w.redis.pid(), SIGSTOP) == 0);
  const auto frozen_at = Clock::now();
  REQUIRE(poll_until([&] { return (h = w.health()).code == 503; }, 15s));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - frozen_at);
  INFO("health: " << h.body.dump());
  CHECK(took < 6s + 1500ms);  // the documented bound, plus one poll and a loaded machine's slack
  CHECK(h.body["status"] == "unhealthy");
  CHECK(h.body["components"]["redis"]["status"] == "down");
  CHECK(h.body["components"]["redis"]["ping"]["answered"] == false);
  CHECK_THAT(h.body["components"]["redis"].value("why", ""), Catch::Contains("has not answered a PING"));

  REQUIRE(::kill(w.redis.pid(), SIGCONT) == 0);
  CHECK(poll_until([&] { return (h = w.health()).code == 200; }, 10s));
  CHECK(h.body["components"]["redis"]["ping"]["answered"] == true);
  CHECK(w.serve->running());
}

constexpr long long kSubscribed = 5;  // World::patterns() while the service is subscribed

TEST_CASE("serve process: a 50 MB message past Redis' default pub/sub output limit is detected, counted and resynced",
          "[service][integration][health][overflow]") {
  World w;
  REQUIRE(poll_until([&] { return w.patterns() == kSubscribed; }, 20s));  // subscribed
  w.redis_client().publish("campaign.c1.worldTimeAdvanced", advance(kT0, kT0 + 2 * kHour));
  REQUIRE(w.population_becomes(102, 20s));

  // 50 MB on a channel it listens to: past the 32 MB hard limit (default
  // `client-output-buffer-limit pubsub 32mb 8mb 60`), Redis drops the link.
  const std::string huge(50u << 20, 'x');
  CHECK(w.redis_client().publish("campaign.c1.entityModified", huge) == 1);  // queued for it, then dropped
  REQUIRE(poll_until([&] { return w.patterns() == 0; }, 5s));
  // While the link is down the API's clock moves on: the announcement reaches
  // nobody (pub/sub drops it), only a resync can catch up.
  w.api.set_world_time("c1", kT0 + 4 * kHour);
  const std::size_t heard = w.redis_client().publish("campaign.c1.worldTimeAdvanced", advance(kT0 + 2 * kHour, kT0 + 4 * kHour));
  REQUIRE(heard == 0);

  // It comes back, resyncs to 04:00 (101 → 102 → 103 → 104 people) and says what happened.
  CHECK(poll_until([&] { return w.patterns() == kSubscribed; }, 20s));
  CHECK(w.population_becomes(104, 20s));
  Health h;
  CHECK(poll_until([&] { return (h = w.health()).code == 200; }, 10s));
  INFO("health: " << h.body.dump());
  CHECK(h.body["status"] == "degraded");  // for 10 minutes after an overflow
  CHECK(h.body["components"]["redis"]["status"] == "degraded");
  const json overflows = h.body["components"]["redis"].value("pubsub_overflows", json::object());
  CHECK(overflows.value("count", 0) == 1);
  CHECK_THAT(overflows.value("last", json::object()).value("evidence", ""), Catch::Contains("output buffer"));
  CHECK_THAT(w.metrics(), Catch::Contains("hourglass_pubsub_overflows_total 1"));
  CHECK_THAT(w.serve->log_tail(20000), Catch::Contains("output buffer limit"));
  CHECK(w.serve->running());
  CHECK(w.api.keys_applied_more_than_once().empty());
}
