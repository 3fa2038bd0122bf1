// Each outbox entry takes effect once however often a crash makes Hourglass
// send it (io/outbox_delivery): a settlement update whose marker is on the
// entity already is not sent again (nor one older than the marker); an effect
// marked in flight runs again only when its executions did not grow since the
// mark; one that cannot be told is in doubt, never run. A real redis-server
// and the fake API over HTTP.
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/checkpoint_store.hpp"
#include "io/outbox_delivery.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::io::CampaignApi;
using hourglass::io::CampaignApiConfig;
using hourglass::io::CampaignBranches;
using hourglass::io::CheckpointStore;
using hourglass::io::EntityWrite;
using hourglass::io::RedisConnection;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisServer;
using nlohmann::json;

struct Rig {
  RedisServer redis;
  FakeCampaignApi fake{"t"};
  RedisConnection conn = RedisConnection::connect(redis.endpoint(), 2000ms);
  CheckpointStore store{conn};
  std::unique_ptr<CampaignApi> api;
  CampaignBranches branches{{}};
  Rig() {
    spdlog::set_level(spdlog::level::off);
    fake.start();
    fake.add_campaign("c1", 0, "main");
    fake.add_kingdom("c1", "k1");
    fake.add_settlement("k1", {{"id", "s1"}, {"variables", {{"population", 100}}}});
    fake.add_effect("c1", {{"id", "fx1"}});
    api = std::make_unique<CampaignApi>(CampaignApiConfig{fake.url(), "t", 2000ms});
  }
  hourglass::io::WriteOutcome deliver(const std::string& entry, const EntityWrite& w, bool with_store = true) {
    return hourglass::io::deliver_outbox_entry(*api, branches, with_store ? &store : nullptr, "c1", entry, w);
  }
};

EntityWrite settlement(std::uint64_t seq, int population) {
  EntityWrite w;
  w.kind = EntityWrite::Kind::Settlement;
  w.entity_id = "s1";
  w.changes = {{"population", population}};
  w.idempotency_key = "c1:Settlement:s1:POPULATION_GROWTH:" + std::to_string(seq);
  w.world_time = static_cast<hourglass::sim::WorldTime>(seq) * 1000;
  w.seq = seq;
  return w;
}

EntityWrite effect() {
  EntityWrite w;
  w.kind = EntityWrite::Kind::ExecuteEffect;
  w.entity_id = "fx1";
  w.idempotency_key = "c1:Effect:fx1:DEFERRED_EFFECT:5000";
  w.world_time = 5000;
  w.seq = 9;
  return w;
}

}  // namespace

TEST_CASE("outbox delivery: a settlement update is written once; again, or older than the marker, it is not sent",
          "[service][outbox]") {
  Rig r;
  REQUIRE(r.deliver("1-0", settlement(3, 101)).done);
  CHECK(r.fake.settlement("s1")["variables"]["hourglass"]["seq"] == 3);
  CHECK(r.fake.settlement("s1")["variables"]["population"] == 101);
  const auto again = r.deliver("1-0", settlement(3, 101));  // its `done` lost in a crash: sent again
  CHECK(again.done);
  CHECK(again.kind == hourglass::io::ApiError::Kind::AlreadyApplied);
  CHECK(r.deliver("2-0", settlement(5, 103)).done);
  const auto older = r.deliver("1-0", settlement(3, 101));  // an old entry after a newer one landed
  CHECK(older.kind == hourglass::io::ApiError::Kind::AlreadyApplied);
  CHECK(r.fake.settlement("s1")["variables"]["population"] == 103);  // not put back
  CHECK(r.fake.writes_applied() == 2);
}

TEST_CASE("outbox delivery: an effect runs once; marked in flight, it runs again only if it provably did not run",
          "[service][outbox]") {
  Rig r;
  // Sent, and the process died before its `done`: marked, executed once.
  REQUIRE(r.deliver("7-0", effect()).done);
  CHECK(r.fake.effect_executions("fx1") == 1);
  CHECK(r.store.in_flight_mark("c1", "7-0") == std::optional<std::string>("0"));
  // Sent again after the restart: the executions grew since the mark, so it ran.
  const auto again = r.deliver("7-0", effect());
  CHECK(again.done);
  CHECK(again.kind == hourglass::io::ApiError::Kind::AlreadyApplied);
  CHECK(r.fake.effect_executions("fx1") == 1);

  // Marked, but the process died before the call: the count did not move, so it runs.
  r.store.mark_in_flight("c1", "8-0", "1");
  CHECK(r.deliver("8-0", effect()).done);
  CHECK(r.fake.effect_executions("fx1") == 2);

  // A mark that is not a count: in doubt, not run.
  r.store.mark_in_flight("c1", "9-0", "unknown");
  const auto doubt = r.deliver("9-0", effect());
  CHECK_FALSE(doubt.done);
  CHECK(doubt.in_doubt);
  CHECK(r.fake.effect_executions("fx1") == 2);

  // No Redis to mark it in: not called at all, tried again later.
  const auto no_store = r.deliver("10-0", effect(), false);
  CHECK_FALSE(no_store.done);
  CHECK(no_store.retryable);
  CHECK(r.fake.effect_executions("fx1") == 2);
}
