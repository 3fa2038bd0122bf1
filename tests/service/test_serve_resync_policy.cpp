// The catch-up with the API's clock follows the inputs chosen
// (runtime/service/resync_policy): with `stream,campaign-manager` the start-up
// resume does not run although a pub/sub subscriber does (campaign-manager's),
// as docs/operations.md says: the stream holds every message and the API's
// clock may be ahead of what it has delivered. In-process `hourglass serve`,
// a real redis-server, the fake API over HTTP.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
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
using hourglass::service::testing::RedisServer;
using nlohmann::json;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

std::string advance(hourglass::sim::WorldTime from, hourglass::sim::WorldTime to) {
  return json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump();
}

// One life of the service with HOURGLASS_INPUT=stream,campaign-manager.
struct Life {
  ServeApp app;
  std::thread runner;
  static hourglass::service::ServiceConfig config(const RedisServer& redis, const FakeCampaignApi& api) {
    auto c = hourglass::service::testing::serve_test_config(redis, api);
    c.input = "stream,campaign-manager";
    if (std::getenv("HG_TEST_LOG")) c.log_level = "debug";
    return c;
  }
  Life(const RedisServer& redis, const FakeCampaignApi& api) : app(config(redis, api)) {
    app.start();
    runner = std::thread([this] { app.wait(); });
  }
  ~Life() { stop(); }
  void stop() {  // drains: what was taken is committed and written
    app.request_stop();
    if (runner.joinable()) runner.join();
  }
};

// s1's population once it is `population` (or after 15 s of writes that never bring it there).
std::int64_t population_when(FakeCampaignApi& api, std::int64_t population) {
  std::int64_t got = -1;
  for (int i = 0; i < 75; ++i) {
    got = api.settlement("s1")["variables"].value("population", std::int64_t{-1});
    if (got == population) break;
    api.wait_for_writes(api.writes_applied() + 1, 200ms);
  }
  return got;
}

std::size_t count_of(const std::vector<std::string>& ops, const std::string& name, std::size_t from) {
  return static_cast<std::size_t>(std::count(ops.begin() + static_cast<std::ptrdiff_t>(std::min(from, ops.size())),
                                             ops.end(), name));
}

}  // namespace

TEST_CASE("serve --input stream,campaign-manager: a restart resumes from the stream, not from the API's clock",
          "[service][integration][stream][resync]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  api.add_campaign("c1", kT0, "main");
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                            {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  auto xadd = [&](const std::string& payload) {
    RedisConnection::connect(redis.endpoint(), 2000ms)
        .xadd("hourglass:inbox", {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", payload}});
  };
  {
    Life first(redis, api);
    REQUIRE(first.app.wait_subscribed(1, 10s));
    xadd(advance(kT0, kT0 + kHour));
    REQUIRE(population_when(api, 101) == 101);  // c1 now has a checkpoint at 01:00
  }
  // While Hourglass is down the API's clock runs two days ahead of what the
  // stream has delivered (its producer has not XADDed those advances yet).
  api.set_world_time("c1", kT0 + 48 * kHour);
  const std::size_t ops_before = api.operations_seen().size();

  Life second(redis, api);
  REQUIRE(second.app.wait_subscribed(1, 10s));  // campaign-manager's pub/sub and the stream
  xadd(advance(kT0 + kHour, kT0 + 2 * kHour));
  // From the checkpoint's 01:00 to the entry's 02:00: not resynced to 2 days
  // (which would make this advance stale and the population far above 102).
  CHECK(population_when(api, 102) == 102);
  second.stop();
  CHECK(api.settlement("s1")["variables"]["population"] == 102);
  // Nothing asked the API for its clock or its entities to reconcile with.
  const auto ops = api.operations_seen();
  CHECK(count_of(ops, "GetCurrentWorldTime", ops_before) == 0);
  CHECK(count_of(ops, "KingdomsByCampaign", ops_before) == 0);
  CHECK(api.keys_applied_more_than_once().empty());
}
