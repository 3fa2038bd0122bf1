// Each outbox entry takes effect once however often a crash makes Hourglass
// send it (io/outbox_delivery): a settlement update whose marker is on the
// entity already is not sent again (nor one older than the marker); an effect
// marked in flight runs again only when its executions did not grow since the
// mark; one that cannot be told is in doubt, never run. A real redis-server
// and the fake API over HTTP.
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

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
    // Another campaign, whose entities c1's writes must never touch.
    fake.add_campaign("c2", 0, "main-c2");
    fake.add_kingdom("c2", "k2");
    fake.add_settlement("k2", {{"id", "s2"}, {"variables", {{"population", 50}}}});
    fake.add_structure({{"id", "st2"}, {"settlementId", "s2"}, {"type", "farm"}});
    fake.add_event("c2", {{"id", "e2"}, {"scheduledAt", "2025-01-01T00:00:00Z"}});
    fake.add_effect("c2", {{"id", "fx2"}});                                        // on an encounter of c2
    fake.add_effect("c2", {{"id", "fx3"}, {"entityId", "e2"}, {"entityType", "EVENT"}});  // on c2's event
    api = std::make_unique<CampaignApi>(CampaignApiConfig{fake.url(), "t", 2000ms});
  }
  hourglass::io::RedisScript add_entry{
      "if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then redis.call('XADD', KEYS[1], ARGV[1], 'write', "
      "'{}') end return 1"};
  // The entry in the campaign's outbox, as the gateway only sends what is
  // there (an effect's call is claimed only while its entry is).
  void in_outbox(const std::string& campaign, const std::string& entry) {
    const std::string key = hourglass::io::outbox_key(campaign);
    conn.eval_script(add_entry, {key}, {entry});
  }
  hourglass::io::WriteOutcome deliver(const std::string& entry, const EntityWrite& w, bool with_store = true,
                                      const std::string& campaign = "c1",
                                      const hourglass::io::EffectCallTiming& timing = {}) {
    if (with_store && w.kind == EntityWrite::Kind::ExecuteEffect) in_outbox(campaign, entry);
    return hourglass::io::deliver_outbox_entry(*api, branches, with_store ? &store : nullptr, campaign, entry, w,
                                               timing);
  }
};

EntityWrite settlement(std::uint64_t seq, int population, const std::string& id = "s1") {
  EntityWrite w;
  w.kind = EntityWrite::Kind::Settlement;
  w.entity_id = id;
  w.changes = {{"population", population}};
  w.idempotency_key = "c1:Settlement:s1:POPULATION_GROWTH:" + std::to_string(seq);
  w.world_time = static_cast<hourglass::sim::WorldTime>(seq) * 1000;
  w.seq = seq;
  return w;
}

EntityWrite effect(const std::string& id = "fx1") {
  EntityWrite w;
  w.kind = EntityWrite::Kind::ExecuteEffect;
  w.entity_id = id;
  w.idempotency_key = "c1:Effect:" + id + ":DEFERRED_EFFECT:5000";
  w.world_time = 5000;
  w.seq = 9;
  return w;
}

}  // namespace

TEST_CASE("outbox delivery: a settlement update is written once, and not sent again or when older than the marker",
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

TEST_CASE("outbox delivery: an effect runs once, and if marked in flight runs again only if it provably did not run",
          "[service][outbox]") {
  Rig r;
  // Sent, and the process died before its `done`: marked, executed once.
  REQUIRE(r.deliver("7-0", effect()).done);
  CHECK(r.fake.effect_executions("fx1") == 1);
  CHECK_THAT(r.store.in_flight_mark("c1", "7-0").value_or(""), Catch::StartsWith("0@"));
  // Sent again after the restart: once the mark's hold has passed (a call in
  // its window must have reached the API by then), the executions grew since
  // the mark, so it ran.
  const hourglass::io::EffectCallTiming quick{2000ms, 300ms};
  hourglass::io::WriteOutcome again;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!(again = r.deliver("7-0", effect(), true, "c1", quick)).done && std::chrono::steady_clock::now() < deadline)
    REQUIRE(again.retryable);
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

// Issue 16's drill found it: an owner paused (SIGSTOP) between its mark and
// its call wakes after the new owner ran the same entry, and calls. The API
// takes no fencing token, so the call keeps to a window after the mark and
// everyone else waits out the mark's hold before counting.
TEST_CASE("outbox delivery: an effect marked by a paused owner is not run over until its hold has passed",
          "[service][outbox][fence]") {
  Rig r;
  const hourglass::io::EffectCallTiming quick{2000ms, 600ms};
  const std::size_t before = static_cast<std::size_t>(r.fake.effect_executions("fx1"));
  // The old owner marked it, then paused before its call.
  r.in_outbox("c1", "20-0");
  REQUIRE(r.store.claim_call("c1", "20-0", std::nullopt, before) == CheckpointStore::CallClaim::Go);
  // The new owner does not count (nor call) while that call could still come.
  const auto early = r.deliver("20-0", effect(), true, "c1", quick);
  CHECK_FALSE(early.done);
  CHECK(early.retryable);
  CHECK_THAT(early.message, Catch::Contains("may still be on its way"));
  CHECK(r.fake.effect_executions("fx1") == static_cast<int>(before));
  // Once the hold has passed, the count says it never ran: it runs, once.
  hourglass::io::WriteOutcome later;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!(later = r.deliver("20-0", effect(), true, "c1", quick)).done && std::chrono::steady_clock::now() < deadline)
    REQUIRE(later.retryable);
  REQUIRE(later.done);
  CHECK(later.kind != hourglass::io::ApiError::Kind::AlreadyApplied);
  CHECK(r.fake.effect_executions("fx1") == static_cast<int>(before) + 1);

  // A call made in the old owner's window: after the hold the count shows it,
  // and it is not run again.
  r.in_outbox("c1", "21-0");
  REQUIRE(r.store.claim_call("c1", "21-0", std::nullopt, before + 1) == CheckpointStore::CallClaim::Go);
  REQUIRE(r.api->execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:5000").ok());  // the old owner's call
  const auto deadline2 = std::chrono::steady_clock::now() + 10s;
  while (!(later = r.deliver("21-0", effect(), true, "c1", quick)).done && std::chrono::steady_clock::now() < deadline2)
    REQUIRE(later.retryable);
  REQUIRE(later.done);
  CHECK(later.kind == hourglass::io::ApiError::Kind::AlreadyApplied);
  CHECK(r.fake.effect_executions("fx1") == static_cast<int>(before) + 2);
}

TEST_CASE("outbox delivery: a woken owner neither runs an entry another instance finished nor calls past its window",
          "[service][outbox][fence]") {
  Rig r;
  // Another instance ran the entry and removed it from the outbox while this
  // one was paused: it is done, not run.
  r.in_outbox("c1", "30-0");
  r.store.done("c1", {"30-0"});
  const auto gone = hourglass::io::deliver_outbox_entry(*r.api, r.branches, &r.store, "c1", "30-0", effect());
  CHECK(gone.done);
  CHECK_THAT(gone.message, Catch::Contains("done by another instance"));
  CHECK(r.fake.effect_executions("fx1") == 0);
  // A pause between its mark and its call longer than the window (a window
  // of 0 stands for it): not called, tried again later.
  const auto paused = r.deliver("31-0", effect(), true, "c1", {0ms, 600ms});
  CHECK_FALSE(paused.done);
  CHECK(paused.retryable);
  CHECK_THAT(paused.message, Catch::Contains("between its in-flight mark and its call: not called"));
  CHECK(r.fake.effect_executions("fx1") == 0);
}

// The issue's finding, at the write: a write is carried out for the campaign
// whose clock made it only when the API says its entity belongs to that
// campaign. Anything else is refused with the reason, never sent.
TEST_CASE("outbox delivery: an effect of another campaign is refused and never executed, its own campaign runs it",
          "[service][outbox][ownership]") {
  Rig r;
  const auto foreign = r.deliver("11-0", effect("fx2"));  // c2's effect, at c1's clock
  CHECK_FALSE(foreign.done);
  CHECK(foreign.refused);
  CHECK_FALSE(foreign.retryable);
  CHECK_THAT(foreign.message, Catch::Contains("effect fx2 belongs to campaign c2, not c1"));
  CHECK(r.fake.effect_executions("fx2") == 0);
  CHECK_FALSE(r.store.in_flight_mark("c1", "11-0").has_value());  // never got as far as the call

  const auto own = r.deliver("12-0", effect("fx2"), true, "c2");
  CHECK(own.done);
  CHECK(r.fake.effect_executions("fx2") == 1);

  // On an event (entityType as the API's executeEffectsForEntity writes it, upper case).
  const auto on_event = r.deliver("13-0", effect("fx3"));
  CHECK(on_event.refused);
  CHECK_THAT(on_event.message, Catch::Contains("effect fx3 belongs to campaign c2, not c1"));
  CHECK(r.fake.effect_executions("fx3") == 0);
  CHECK(r.deliver("14-0", effect("fx3"), true, "c2").done);
  CHECK(r.fake.effect_executions("fx3") == 1);
}

TEST_CASE("outbox delivery: an effect whose campaign the API cannot tell is refused, saying so",
          "[service][outbox][ownership]") {
  Rig r;
  // Hung on a settlement: the API's getEffect answers null for it (only
  // encounters and events lead to a campaign), as for an unknown id.
  r.fake.add_effect("c1", {{"id", "fx5"}, {"entityId", "s1"}, {"entityType", "settlement"}});
  const auto unknown = r.deliver("15-0", effect("fx5"));
  CHECK_FALSE(unknown.done);
  CHECK(unknown.refused);
  CHECK_THAT(unknown.message, Catch::Contains("cannot tell which campaign effect fx5 belongs to"));
  CHECK(r.fake.effect_executions("fx5") == 0);
  const auto gone = r.deliver("16-0", effect("fx404"));
  CHECK(gone.refused);
  CHECK_THAT(gone.message, Catch::Contains("cannot tell which campaign effect fx404 belongs to"));
}

TEST_CASE("outbox delivery: a settlement, structure or event of another campaign is refused, left as it was",
          "[service][outbox][ownership]") {
  Rig r;
  const json s2 = r.fake.settlement("s2");
  const auto settlement_write = r.deliver("20-0", settlement(3, 999, "s2"));
  CHECK(settlement_write.refused);
  CHECK_THAT(settlement_write.message, Catch::Contains("settlement s2 belongs to campaign c2, not c1"));
  CHECK(r.fake.settlement("s2") == s2);

  EntityWrite structure;
  structure.kind = EntityWrite::Kind::Structure;
  structure.entity_id = "st2";
  structure.changes = {{"condition", 1}};
  structure.idempotency_key = "c1:Structure:st2:MAINTENANCE:1000";
  structure.world_time = 1000;
  structure.seq = 4;
  const json st2 = r.fake.structure("st2");
  const auto structure_write = r.deliver("21-0", structure);
  CHECK(structure_write.refused);
  CHECK_THAT(structure_write.message, Catch::Contains("structure st2 belongs to campaign c2, not c1"));
  CHECK(r.fake.structure("st2") == st2);

  EntityWrite expire;
  expire.kind = EntityWrite::Kind::ExpireEvent;
  expire.entity_id = "e2";
  expire.idempotency_key = "c1:Event:e2:EVENT_EXPIRED:1000";
  expire.world_time = 1000;
  expire.seq = 5;
  const auto expire_write = r.deliver("22-0", expire);
  CHECK(expire_write.refused);
  CHECK_THAT(expire_write.message, Catch::Contains("event e2 belongs to campaign c2, not c1"));
  CHECK(r.fake.event("e2")["isCompleted"] == false);
  CHECK(r.fake.writes_applied() == 0);

  // Their own campaign writes them.
  CHECK(r.deliver("23-0", settlement(3, 51, "s2"), true, "c2").done);
  CHECK(r.deliver("24-0", structure, true, "c2").done);
  CHECK(r.deliver("25-0", expire, true, "c2").done);
  CHECK(r.fake.writes_applied() == 3);
}

// What ownership costs: the links are read once per worker (its
// EntityOwners), not per write; a settlement's kingdom comes with the read the
// update makes anyway (GetSettlement selects kingdomId).
TEST_CASE("outbox delivery: the links to a campaign are read once per worker, not per write",
          "[service][outbox][ownership]") {
  Rig r;
  hourglass::io::EntityOwners owners;
  auto deliver = [&](const std::string& entry, const EntityWrite& w) {
    if (w.kind == EntityWrite::Kind::ExecuteEffect) r.in_outbox("c1", entry);
    return hourglass::io::deliver_outbox_entry(*r.api, r.branches, owners, &r.store, "c1", entry, w);
  };
  auto seen = [&](const std::string& op) {
    const auto ops = r.fake.operations_seen();
    return std::count(ops.begin(), ops.end(), op);
  };
  r.fake.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}});
  EntityWrite structure;
  structure.kind = EntityWrite::Kind::Structure;
  structure.entity_id = "st1";
  structure.changes = {{"condition", 90}};
  structure.idempotency_key = "c1:Structure:st1:MAINTENANCE:1000";
  structure.world_time = 1000;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    REQUIRE(deliver(std::to_string(seq) + "-0", settlement(seq, 100 + static_cast<int>(seq))).done);
    structure.seq = 10 + seq;
    REQUIRE(deliver(std::to_string(seq) + "-1", structure).done);
    REQUIRE(deliver(std::to_string(seq) + "-2", effect()).done);
  }
  CHECK(seen("GetSettlement") == 3);        // read for its version anyway; kingdomId comes with it
  CHECK(seen("KingdomCampaign") == 1);      // k1, once for every write below it
  CHECK(seen("SettlementKingdom") == 0);    // s1 was known from its own update
  CHECK(seen("GetStructure") == 3);         // read for its version anyway
  CHECK(seen("GetEffectExecutions") == 3);  // counted anyway; entityType/entityId come with it
  CHECK(seen("EncounterCampaign") == 1);    // what fx1 hangs on, once
  CHECK(owners.cached() == 3);              // kingdom k1, settlement s1, encounter
  CHECK(r.fake.effect_executions("fx1") == 3);

  // A fresh worker with a structure first: its settlement's kingdom, then the kingdom.
  hourglass::io::EntityOwners fresh;
  structure.seq = 20;
  REQUIRE(hourglass::io::deliver_outbox_entry(*r.api, r.branches, fresh, &r.store, "c1", "9-1", structure).done);
  CHECK(seen("SettlementKingdom") == 1);
  CHECK(seen("KingdomCampaign") == 2);
}
