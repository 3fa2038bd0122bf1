// The campaign API client against the in-process fake API: every operation's
// round trip, every failure's classification, and the entity mapping.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <fstream>
#include <set>
#include <sstream>

#include "messages/api_entity_codec.hpp"
#include "messages/api_reply_codec.hpp"
#include "messages/entity_codec.hpp"
#include "io/api_operations.hpp"
#include "io/campaign_api.hpp"
#include "io/write_executor.hpp"
#include "sim/rules.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

using namespace hourglass::service;
using namespace hourglass::io;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::messages::event_entity_json;
using hourglass::messages::merged_variables;
using hourglass::messages::parse_api_time;
using hourglass::messages::settlement_entity_json;
using hourglass::messages::structure_entity_json;
using Kind = ApiError::Kind;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

hourglass::sim::WorldTime ms(const char* iso) { return *hourglass::sim::parse_world_time(iso); }

constexpr const char* kNow = "2025-03-01T12:00:00.000Z";

// A fake API with one campaign (main branch "main", the branch configured):
// kingdom k1 holding settlements s1 (with structures st1, st2) and s2; events
// e1 (pending), e2 (completed), e3 (never scheduled); effect fx1.
struct World {
  FakeCampaignApi fake;
  explicit World(FakeCampaignApi::Options options = {}) : fake(std::move(options)) {
    fake.add_campaign("c1", ms(kNow), "main");
    fake.add_kingdom("c1", "k1");
    fake.add_kingdom("c1", "k2");
    fake.add_settlement("k1", {{"id", "s1"},
                               {"name", "Oakridge"},
                               {"level", 2},
                               {"version", 7},
                               {"createdAt", "2025-01-01T00:00:00.000Z"},
                               {"variables",
                                {{"population", 120},
                                 {"resources", {{"food", 10}, {"gold", 5}}},
                                 {"carry", 0.25},
                                 {"populationGrowthRate", 0.02},
                                 {"lore", "founded by river folk"}}}});
    fake.add_settlement("k1", {{"id", "s2"}, {"name", "Fenwick"}, {"createdAt", "2025-02-01T00:00:00Z"}});
    fake.add_structure({{"id", "st1"},
                        {"settlementId", "s1"},
                        {"type", "farm"},
                        {"level", 2},
                        {"version", 3},
                        {"createdAt", "2025-01-02T00:00:00.000Z"},
                        {"variables",
                         {{"status", "ACTIVE"},
                          {"condition", 80},
                          {"activeSince", "2025-01-04T00:00:00.000Z"},
                          {"growthBonus", 0.003},
                          {"color", "red"}}}});
    fake.add_structure({{"id", "st2"}, {"settlementId", "s1"}, {"type", "mine"}, {"createdAt", "2025-01-03T00:00:00Z"}});
    fake.add_event("c1", {{"id", "e1"}, {"scheduledAt", "2025-03-01T11:00:00.000Z"}, {"isCompleted", false}});
    fake.add_event("c1", {{"id", "e2"}, {"scheduledAt", "2025-02-01T00:00:00.000Z"}, {"isCompleted", true}});
    fake.add_event("c1", {{"id", "e3"}, {"scheduledAt", nullptr}});
    fake.add_effect("c1", {{"id", "fx1"}, {"entityId", "e1"}, {"entityType", "event"}});
    fake.start();
  }
  CampaignApiConfig config(std::chrono::milliseconds timeout = 5s) const {
    CampaignApiConfig c;
    c.endpoint = fake.url();
    c.token = fake.token();
    c.timeout = timeout;
    return c;
  }
};

SettlementUpdate settlement_update(std::int64_t version, json variables) {
  SettlementUpdate u;
  u.branch_id = "main";
  u.level = 3;
  u.variables = std::move(variables);
  u.expected_version = version;
  u.world_time = ms(kNow);
  return u;
}

}  // namespace

TEST_CASE("api: getCurrentWorldTime (an ISO DateTime), and null", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto r = api.get_current_world_time("c1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  REQUIRE(r.value->has_value());
  CHECK(**r.value == ms(kNow));
  w.fake.set_world_time("c1", std::nullopt);
  auto none = api.get_current_world_time("c1");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value->has_value());

  auto unknown = api.get_current_world_time("nope");
  CHECK(unknown.error.kind == Kind::GraphQL);
  CHECK_FALSE(unknown.error.retryable());
  CHECK_THAT(unknown.error.message, Catch::Contains("Campaign with ID nope not found"));
  // The operation was named on the wire.
  CHECK(w.fake.operations_seen().back() == "GetCurrentWorldTime");
}

TEST_CASE("api: parse_api_time accepts ISO and epoch milliseconds, nothing else", "[service][api]") {
  CHECK(parse_api_time("2025-03-01T12:00:00Z") == ms(kNow));
  CHECK(parse_api_time("2025-03-01T12:00:00.000+00:00") == ms(kNow));
  CHECK(parse_api_time("1740830400000") == ms(kNow));
  CHECK(parse_api_time(json(1740830400000)) == ms(kNow));
  CHECK(parse_api_time(json(1740830400000.0)) == ms(kNow));
  CHECK(parse_api_time("-1000") == -1000);
  CHECK_FALSE(parse_api_time("2025-03-01 12:00:00").has_value());
  CHECK_FALSE(parse_api_time("12a4").has_value());
  CHECK_FALSE(parse_api_time("").has_value());
  CHECK_FALSE(parse_api_time(json(1.5)).has_value());
  CHECK_FALSE(parse_api_time(json(nullptr)).has_value());
}

TEST_CASE("api: kingdoms, settlements and structures round trip", "[service][api]") {
  World w;
  CampaignApi api(w.config());

  auto kingdoms = api.kingdoms_by_campaign("c1");
  REQUIRE(kingdoms.ok());
  CHECK(*kingdoms.value == std::vector<std::string>{"k1", "k2"});
  CHECK(api.kingdoms_by_campaign("c9").value->empty());

  auto settlements = api.settlements_by_kingdom("k1");
  REQUIRE(settlements.ok());
  REQUIRE(settlements.value->size() == 2);
  const ApiSettlement& s1 = (*settlements.value)[0];
  CHECK(s1.id == "s1");
  CHECK(s1.level == 2);
  CHECK(s1.version == 7);
  CHECK(s1.variables["population"] == 120);
  CHECK(s1.variables["resources"] == json{{"food", 10}, {"gold", 5}});
  CHECK(s1.variables["lore"] == "founded by river folk");
  const ApiSettlement& s2 = (*settlements.value)[1];
  CHECK(s2.id == "s2");
  CHECK(s2.level == 1);
  CHECK(s2.variables == json::object());

  auto structures = api.structures_by_settlement("s1");
  REQUIRE(structures.ok());
  REQUIRE(structures.value->size() == 2);
  const ApiStructure& st1 = (*structures.value)[0];
  CHECK(st1.id == "st1");
  CHECK(st1.settlement_id == "s1");
  CHECK(st1.type == "farm");
  CHECK(st1.level == 2);
  CHECK(st1.version == 3);
  CHECK(st1.variables["condition"] == 80);
  CHECK((*structures.value)[1].type == "mine");
  CHECK(api.structures_by_settlement("s2").value->empty());
}

TEST_CASE("api: one settlement or structure by id - an unknown id is an error", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto s = api.get_settlement("s1");
  INFO(s.error.message);
  REQUIRE(s.ok());
  CHECK(s.value->version == 7);
  CHECK(s.value->variables["resources"]["gold"] == 5);
  auto st = api.get_structure("st1");
  REQUIRE(st.ok());
  CHECK(st.value->settlement_id == "s1");
  CHECK(st.value->version == 3);

  w.fake.bump_version("st1");
  CHECK(api.get_structure("st1").value->version == 4);  // fresh every time

  auto none = api.get_settlement("s9");
  CHECK(none.error.kind == Kind::GraphQL);
  CHECK_FALSE(none.error.retryable());
  CHECK_THAT(none.error.message, Catch::Contains("s9"));
  CHECK(api.get_structure("st9").error.kind == Kind::GraphQL);
}

TEST_CASE("api: events (scheduledAt as the API sends it: epoch-ms strings)", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto events = api.events_by_campaign("c1");
  REQUIRE(events.ok());
  REQUIRE(events.value->size() == 2);  // e3 has no scheduledAt: it never expires
  // Ordered by scheduledAt, completed ones included.
  CHECK((*events.value)[0].id == "e2");
  CHECK((*events.value)[0].scheduled_at == ms("2025-02-01T00:00:00Z"));
  CHECK((*events.value)[0].is_completed);
  CHECK((*events.value)[1].id == "e1");
  CHECK((*events.value)[1].scheduled_at == ms("2025-03-01T11:00:00Z"));
  CHECK_FALSE((*events.value)[1].is_completed);
}

TEST_CASE("api: updateSettlement sends the input, replaces variables whole, bumps the version", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  const json vars = merged_variables(w.fake.settlement("s1")["variables"],
                                     {{"population", 130}, {"resources.food", 14}, {"level", 3}});
  auto r = api.update_settlement("s1", settlement_update(7, vars), "c1:Settlement:s1:LEVEL_UP:1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  CHECK(r.value->id == "s1");
  CHECK(r.value->version == 8);

  const json s = w.fake.settlement("s1");
  CHECK(s["version"] == 8);
  CHECK(s["level"] == 3);
  CHECK(s["name"] == "Oakridge");  // not sent, kept
  CHECK(s["variables"]["population"] == 130);
  CHECK(s["variables"]["resources"] == json{{"food", 14}, {"gold", 5}});
  CHECK(s["variables"]["lore"] == "founded by river folk");  // unrelated key kept
  CHECK_FALSE(s["variables"].contains("level"));
  CHECK(s["lastWorldTime"] == kNow);

  const auto writes = w.fake.applied_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].operation == "UpdateSettlement");
  CHECK(writes[0].field == "updateSettlement");
  CHECK(writes[0].idempotency_key == "c1:Settlement:s1:LEVEL_UP:1");
  CHECK(writes[0].entity_id == "s1");
  const json& input = writes[0].variables["input"];
  CHECK(input["branchId"] == "main");
  CHECK(input["expectedVersion"] == 7);
  CHECK(input["worldTime"] == kNow);
  CHECK_FALSE(input.contains("name"));
}

TEST_CASE("api: updateStructure round trip", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  StructureUpdate u;
  u.branch_id = "main";
  u.variables = merged_variables(w.fake.structure("st2")["variables"],
                                 {{"status", "ACTIVE"}, {"condition", 100}, {"activeSince", kNow}});
  u.expected_version = 1;
  u.world_time = ms(kNow);
  auto r = api.update_structure("st2", u, "c1:Structure:st2:CONSTRUCTION_COMPLETE:1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  CHECK(r.value->version == 2);
  const json st = w.fake.structure("st2");
  CHECK(st["variables"] == json{{"status", "ACTIVE"}, {"condition", 100}, {"activeSince", kNow}});
  CHECK(st["type"] == "mine");
  CHECK(w.fake.applied_writes().at(0).operation == "UpdateStructure");

  // The ack is read back into the next write: version 2 is now expected.
  u.expected_version = r.value->version;
  CHECK(api.update_structure("st2", u, "c1:Structure:st2:MAINTENANCE_PAID:2").ok());
  CHECK(w.fake.structure("st2")["version"] == 3);

  auto missing = api.update_structure("st9", u, "k");
  CHECK(missing.error.kind == Kind::GraphQL);
  CHECK_THAT(missing.error.message, Catch::Contains("st9"));
}

TEST_CASE("api: a stale expectedVersion is an OptimisticLock, not retryable, nothing applied", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  w.fake.bump_version("s1");  // someone else wrote: now 8
  auto r = api.update_settlement("s1", settlement_update(7, json::object()), "key-1");
  CHECK(r.error.kind == Kind::OptimisticLock);
  CHECK_FALSE(r.error.retryable());
  CHECK_FALSE(r.done());
  // The production message, the only thing that tells a lock from another error.
  CHECK_THAT(r.error.message, Catch::Contains("Settlement was modified by another user. Expected version 7, but "
                                              "found 8. Please refresh and try again."));
  CHECK(w.fake.settlement("s1")["version"] == 8);
  CHECK(w.fake.applied_writes().empty());
  // After re-reading the version, the same write (same key) goes through.
  auto again = api.update_settlement("s1", settlement_update(8, json::object()), "key-1");
  REQUIRE(again.ok());
  CHECK(again.value->version == 9);
  CHECK(w.fake.applications("key-1") == 1);
}

TEST_CASE("api: the development error format's optimistic lock (extensions.status 409) is one too", "[service][api]") {
  FakeCampaignApi::Options dev;
  dev.production = false;
  World w(dev);
  CampaignApi api(w.config());
  w.fake.bump_version("st1");
  StructureUpdate u;
  u.branch_id = "main";
  u.expected_version = 3;
  auto r = api.update_structure("st1", u, "key-1");
  CHECK(r.error.kind == Kind::OptimisticLock);
  CHECK_THAT(r.error.message, Catch::Contains("Structure was modified by another user. Expected version 3, but found 4"));
}

TEST_CASE("api: an update on a branch of another campaign is refused with the API's message", "[service][api]") {
  World w;
  w.fake.add_campaign("c2", ms(kNow), "main-of-c2");
  CampaignApi api(w.config());
  SettlementUpdate u = settlement_update(7, json::object());
  u.branch_id = "main-of-c2";
  auto r = api.update_settlement("s1", u, "key-1");
  CHECK(r.error.kind == Kind::GraphQL);
  CHECK_FALSE(r.error.retryable());
  CHECK_THAT(r.error.message,
             Catch::Contains("Branch with ID main-of-c2 not found or does not belong to this entity's campaign"));
  CHECK(w.fake.settlement("s1")["version"] == 7);
  u.branch_id = "nope";
  CHECK(api.update_settlement("s1", u, "k").error.kind == Kind::GraphQL);
  CHECK(w.fake.applied_writes().empty());
}

TEST_CASE("api: expireEvent, then again: AlreadyApplied counts as done", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto r = api.expire_event("e1", "c1:Event:e1:EVENT_EXPIRED:1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  CHECK(r.value->id == "e1");
  CHECK(r.value->is_completed);
  // occurredAt is the API's wall clock (`new Date()`), not the world time.
  REQUIRE(r.value->occurred_at.has_value());
  CHECK(*r.value->occurred_at > ms("2025-06-01T00:00:00Z"));
  CHECK(w.fake.event("e1")["isCompleted"] == true);

  auto again = api.expire_event("e1", "another-key");
  CHECK(again.error.kind == Kind::AlreadyApplied);
  CHECK_THAT(again.error.message, Catch::Contains("Event with ID e1 is already completed"));
  CHECK_FALSE(again.error.retryable());
  CHECK(again.done());
  CHECK_FALSE(again.ok());
  CHECK(api.expire_event("e2", "k2").error.kind == Kind::AlreadyApplied);  // completed from the start

  auto missing = api.expire_event("e9", "k3");
  CHECK(missing.error.kind == Kind::GraphQL);
  CHECK_FALSE(missing.done());
}

TEST_CASE("api: executeEffect, and success:false as an error", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto r = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:1");
  INFO(r.error.message);
  REQUIRE(r.ok());
  CHECK(r.value->success);
  CHECK(r.value->error.empty());
  CHECK(r.value->execution_id == "exec-1");
  CHECK(w.fake.effect_executions("fx1") == 1);
  CHECK(w.fake.applied_writes().at(0).variables == json{{"input", {{"effectId", "fx1"}}}});
  CHECK(w.fake.applied_writes().at(0).arguments == json{{"input", {{"effectId", "fx1"}, {"dryRun", false}}}});

  w.fake.fail_effect("fx1", "patch path /variables/x does not exist");
  auto failed = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:2");
  CHECK(failed.error.kind == Kind::GraphQL);
  CHECK_FALSE(failed.error.retryable());
  REQUIRE(failed.value.has_value());
  CHECK_FALSE(failed.value->success);
  CHECK_THAT(failed.error.message, Catch::Contains("patch path /variables/x does not exist"));
  CHECK(w.fake.effect_executions("fx1") == 1);
}

TEST_CASE("api: a repeated Idempotency-Key is applied again - the API ignores it", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  auto first = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:5");
  auto second = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:5");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second.value->execution_id != first.value->execution_id);  // a second execution
  CHECK(w.fake.effect_executions("fx1") == 2);
  CHECK(w.fake.applications("c1:Effect:fx1:DEFERRED_EFFECT:5") == 2);
  CHECK(w.fake.keys_applied_more_than_once() == std::vector<std::string>{"c1:Effect:fx1:DEFERRED_EFFECT:5"});

  // An update repeated with the same key: the version check, not the key,
  // stops the second one.
  auto u1 = api.update_settlement("s1", settlement_update(7, json::object()), "u-key");
  auto u2 = api.update_settlement("s1", settlement_update(7, json::object()), "u-key");
  REQUIRE(u1.ok());
  CHECK(u2.error.kind == Kind::OptimisticLock);
  CHECK(w.fake.settlement("s1")["version"] == 8);
  CHECK(w.fake.applications("u-key") == 1);
}

TEST_CASE("api: a write needs an idempotency key", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  CHECK_THROWS_AS(api.expire_event("e1", ""), std::invalid_argument);
  CHECK(w.fake.requests() == 0);
}

TEST_CASE("api: a missing or wrong bearer token is the API's 200 Unauthorized, not retryable", "[service][api]") {
  World w;
  auto config = w.config();
  config.token = "";
  CampaignApi no_token(config);
  auto r = no_token.get_current_world_time("c1");
  CHECK(r.error.kind == Kind::Unauthorized);  // JwtAuthGuard: HTTP 200, errors [{message: Unauthorized}]
  CHECK(r.error.http_status == 200);
  CHECK_THAT(r.error.message, Catch::Contains("Unauthorized"));
  CHECK_FALSE(r.error.retryable());

  config.token = "not-the-token";
  CampaignApi wrong(config);
  auto w2 = wrong.expire_event("e1", "k");
  CHECK(w2.error.kind == Kind::Unauthorized);
  CHECK_FALSE(w2.error.retryable());
  CHECK(w.fake.event("e1")["isCompleted"] == false);
  // The token itself never shows in an error.
  CHECK(w2.error.message.find("not-the-token") == std::string::npos);
}

TEST_CASE("api: 5xx and a down API are retryable, 4xx is not", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  w.fake.fail_next(1, 500);
  auto r = api.get_current_world_time("c1");
  CHECK(r.error.kind == Kind::Http);
  CHECK(r.error.http_status == 500);
  CHECK(r.error.retryable());
  CHECK(api.get_current_world_time("c1").ok());  // only one was failed

  w.fake.fail_next(1, 400);
  auto bad = api.get_current_world_time("c1");
  CHECK(bad.error.kind == Kind::Http);
  CHECK(bad.error.http_status == 400);
  CHECK_FALSE(bad.error.retryable());

  w.fake.set_down(true);
  auto down = api.expire_event("e1", "k");
  CHECK(down.error.kind == Kind::Http);
  CHECK(down.error.http_status == 503);
  CHECK(down.error.retryable());
  CHECK(w.fake.event("e1")["isCompleted"] == false);
  w.fake.set_down(false);
  CHECK(api.expire_event("e1", "k").ok());
}

TEST_CASE("api: a reply slower than the timeout is a Timeout - a retry applies the write again", "[service][api]") {
  World w;
  CampaignApi api(w.config(300ms));
  w.fake.delay_next(1, 5s);  // the write lands, its reply is lost
  const auto started = std::chrono::steady_clock::now();
  auto r = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:9");
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(r.error.kind == Kind::Timeout);
  CHECK(r.error.retryable());
  CHECK(took < 4s);  // did not wait for the slow reply

  // The first call landed, only its reply was lost; the API has no
  // idempotency: retrying an effect executes it twice. (Whoever retries an
  // effect after a timeout must know that: see io/write_executor and the DLQ's
  // in-doubt rule.)
  auto retry = api.execute_effect("fx1", "c1:Effect:fx1:DEFERRED_EFFECT:9");
  INFO(retry.error.message);
  REQUIRE(retry.ok());
  CHECK(w.fake.effect_executions("fx1") == 2);
  CHECK(w.fake.applied_writes().size() == 2);
  CHECK(w.fake.applications("c1:Effect:fx1:DEFERRED_EFFECT:9") == 2);
}

TEST_CASE("api: a GraphQL error is a GraphQL failure, not retryable", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  w.fake.graphql_error_next(1, "Cannot query field \"eventsByCampaign\" on type \"Query\".");
  auto r = api.events_by_campaign("c1");
  CHECK(r.error.kind == Kind::GraphQL);
  CHECK_FALSE(r.error.retryable());
  CHECK_THAT(r.error.message, Catch::Contains("eventsByCampaign"));
  CHECK(api.events_by_campaign("c1").ok());
}

TEST_CASE("api: nobody listening is a retryable Transport error", "[service][api]") {
  std::string url;
  {
    FakeCampaignApi gone;
    gone.start();
    url = gone.url();
  }  // stopped: the port is closed
  CampaignApiConfig config;
  config.endpoint = url;
  config.token = "t";
  config.timeout = 2s;
  CampaignApi api(config);
  auto r = api.get_current_world_time("c1");
  CHECK(r.error.kind == Kind::Transport);
  CHECK(r.error.retryable());
  CHECK_FALSE(r.error.message.empty());
}

TEST_CASE("api: replies without the expected shape are BadReply naming the field", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  struct Case {
    std::string body;
    std::string names;
  };
  const std::vector<Case> cases = {
      {R"({"data":null})", "data"},
      {R"({"data":{}})", "data.settlementsByKingdom"},
      {R"({"data":{"settlementsByKingdom":{}}})", "data.settlementsByKingdom: expected an array"},
      {R"({"data":{"settlementsByKingdom":[{"id":"s1","name":"A","level":1,"variables":{},"createdAt":"2025-01-01T00:00:00Z"}]}})",
       "data.settlementsByKingdom[0].version"},
      {R"({"data":{"settlementsByKingdom":[{"id":"s1","name":"A","level":1,"variables":[],"version":1,"createdAt":"2025-01-01T00:00:00Z"}]}})",
       "data.settlementsByKingdom[0].variables"},
      {R"({"data":{"settlementsByKingdom":[{"id":"s1","name":"A","level":"1","variables":{},"version":1}]}})",
       "data.settlementsByKingdom[0].level"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    w.fake.raw_reply_next(1, c.body);
    auto r = api.settlements_by_kingdom("k1");
    CHECK(r.error.kind == Kind::BadReply);
    CHECK_FALSE(r.error.retryable());
    CHECK_THAT(r.error.message, Catch::Contains(c.names));
  }
  w.fake.raw_reply_next(1, R"({"data":{"getCurrentWorldTime":"soon"}})");
  auto t = api.get_current_world_time("c1");
  CHECK(t.error.kind == Kind::BadReply);
  CHECK_THAT(t.error.message, Catch::Contains("data.getCurrentWorldTime"));
  w.fake.raw_reply_next(1, R"({"data":{"updateSettlement":{"id":"s1"}}})");
  auto u = api.update_settlement("s1", settlement_update(7, json::object()), "k");
  CHECK(u.error.kind == Kind::BadReply);
  CHECK_THAT(u.error.message, Catch::Contains("data.updateSettlement.version"));
}

// A 2xx whose body is not JSON was cut short (a proxy, an API restart
// mid-reply): a transient fault, not a verdict on the request, so the write
// or read waits and tries again instead of being dead-lettered at once.
TEST_CASE("api: a reply cut short is Truncated, retryable, and the write waits for the API", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  for (const std::string body : {"<html>oops</html>", R"({"data":{"settlementsByKingdom":[{"id":"s1","na)", ""}) {
    INFO(body);
    w.fake.raw_reply_next(1, body);
    auto r = api.settlements_by_kingdom("k1");
    CHECK(r.error.kind == Kind::Truncated);
    CHECK(r.error.retryable());
    CHECK_THAT(r.error.message, Catch::Contains("not JSON"));
  }
  w.fake.raw_reply_next(1, R"({"data":{"getSettlement":{"id":"s1","lev)");
  const hourglass::io::WriteOutcome o = hourglass::io::failed_write(api.get_settlement("s1").error);
  CHECK(o.retryable);
  CHECK(o.unavailable);
}

TEST_CASE("api: calls reuse one kept-alive connection", "[service][api]") {
  World w;
  CampaignApi api(w.config());
  for (int i = 0; i < 5; ++i) REQUIRE(api.get_current_world_time("c1").ok());
  REQUIRE(api.kingdoms_by_campaign("c1").ok());
  CHECK(w.fake.requests() == 6);
  CHECK(w.fake.connections() == 1);
}

TEST_CASE("api: error classification rules on raw replies", "[service][api]") {
  namespace ops = api_ops;
  auto classify = [](const ops::Operation& op, long status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    return classify_reply(op, r).error;
  };
  // The optimistic lock in production (extensions stripped): its message.
  const std::string lock =
      R"({"errors":[{"message":"Settlement was modified by another user. Expected version 7, but found 8. Please refresh and try again."}],"data":null})";
  CHECK(classify(ops::kUpdateSettlement, 200, lock).kind == Kind::OptimisticLock);
  CHECK(classify(ops::kUpdateStructure, 200, lock).kind == Kind::OptimisticLock);
  CHECK(classify(ops::kExpireEvent, 200, lock).kind == Kind::GraphQL);  // no version check there
  // In development: INTERNAL_SERVER_ERROR with status 409 (never CONFLICT).
  CHECK(classify(ops::kUpdateStructure, 200,
                 R"({"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR","status":409}}]})")
            .kind == Kind::OptimisticLock);
  CHECK(classify(ops::kUpdateSettlement, 200,
                 R"({"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR","originalError":{"statusCode":409}}}]})")
            .kind == Kind::OptimisticLock);
  CHECK(classify(ops::kUpdateSettlement, 200,
                 R"({"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR","stacktrace":["OptimisticLockException: x"]}}]})")
            .kind == Kind::OptimisticLock);
  CHECK(classify(ops::kUpdateSettlement, 200,
                 R"({"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR","status":500}}]})")
            .kind == Kind::GraphQL);
  // expireEvent on a completed event: done.
  const ApiError completed =
      classify(ops::kExpireEvent, 200, R"({"errors":[{"message":"Event with ID e1 is already completed"}],"data":null})");
  CHECK(completed.kind == Kind::AlreadyApplied);
  CHECK_FALSE(completed.retryable());
  // The guards' and pipes' refusals: failures of their own kind, never retried.
  const std::pair<const char*, Kind> refusals[] = {{"Forbidden resource", Kind::Forbidden},
                                                   {"Unauthorized", Kind::Unauthorized},
                                                   {"Bad Request", Kind::BadRequest},
                                                   {"branchId must be a UUID", Kind::BadRequest}};
  for (const auto& [m, kind] : refusals) {
    INFO(m);
    const ApiError e = classify(ops::kUpdateSettlement, 200,
                                R"({"errors":[{"message":")" + std::string(m) + R"("}],"data":null})");
    CHECK(e.kind == kind);
    CHECK(e.refusal());
    CHECK_FALSE(e.retryable());
    CHECK_FALSE(classify(ops::kExpireEvent, 200, R"({"errors":[{"message":")" + std::string(m) + R"("}],"data":null})")
                    .retryable());
  }
  // Any non-empty errors[] fails, even beside data.
  CHECK(classify(ops::kKingdomsByCampaign, 200, R"({"errors":[{"message":"partial"}],"data":{"kingdomsByCampaign":[]}})")
            .kind == Kind::GraphQL);
  // An empty errors[] is no failure.
  CHECK(classify(ops::kKingdomsByCampaign, 200, R"({"errors":[],"data":{"kingdomsByCampaign":[]}})").kind == Kind::None);
  // Validation errors come with 400: Http, not retryable.
  const ApiError v = classify(ops::kGetCurrentWorldTime, 400, R"({"errors":[{"message":"Unknown argument"}]})");
  CHECK(v.kind == Kind::Http);
  CHECK_FALSE(v.retryable());
  CHECK_THAT(v.message, Catch::Contains("Unknown argument"));
  CHECK(classify(ops::kGetCurrentWorldTime, 502, "").retryable());
  HttpResponse timeout;
  timeout.timed_out = true;
  timeout.transport_error = "Timeout was reached";
  CHECK(classify_reply(ops::kGetCurrentWorldTime, timeout).error.kind == Kind::Timeout);
}

TEST_CASE("api: entity JSON maps API entities to what the engine loads", "[service][api]") {
  const auto& rules = hourglass::sim::Rules::defaults();
  ApiSettlement s;
  s.id = "s1";
  s.level = 2;
  s.variables = {{"population", 120},
                 {"createdAt", "2025-01-01T00:00:00.000Z"},
                 {"resources", {{"food", 10}, {"gold", 5}}},
                 {"carry", 0.25},
                 {"populationGrowthRate", 0.02},
                 {"lore", "x"}};
  const json se = settlement_entity_json(s);
  CHECK(se == json{{"id", "s1"},
                   {"name", ""},
                   {"level", 2},
                   {"population", 120},
                   {"resources", {{"food", 10}, {"gold", 5}}},
                   {"createdAt", "2025-01-01T00:00:00.000Z"},
                   {"carry", 0.25},
                   {"variables", {{"populationGrowthRate", 0.02}, {"lore", "x"}}}});
  const auto sp = hourglass::messages::read_settlement(se, "$", rules, /*complete=*/true);
  CHECK(sp.population == 120);
  CHECK(sp.resources->get("food") == 10);
  REQUIRE(sp.variables.has_value());
  CHECK(sp.variables->population_growth_rate == 0.02);

  ApiSettlement bare;
  bare.id = "s2";
  const json be = settlement_entity_json(bare);
  CHECK(be["population"] == 0);
  CHECK(be["resources"] == json::object());
  CHECK_FALSE(be.contains("carry"));
  CHECK_NOTHROW(hourglass::messages::read_settlement(be, "$", rules, true));

  ApiStructure st;
  st.id = "st1";
  st.settlement_id = "s1";
  st.type = "farm";
  st.level = 2;
  st.variables = {{"status", "DAMAGED"},
                  {"createdAt", "2025-01-02T00:00:00.000Z"},
                  {"condition", 40},
                  {"constructionCompletesAt", "2025-01-04T00:00:00.000Z"},
                  {"activeSince", "2025-01-04T00:00:00.000Z"},
                  {"growthBonus", 0.003},
                  {"color", "red"}};
  const json ste = structure_entity_json(st);
  CHECK(ste == json{{"id", "st1"},
                    {"settlementId", "s1"},
                    {"type", "farm"},
                    {"level", 2},
                    {"status", "DAMAGED"},
                    {"condition", 40},
                    {"createdAt", "2025-01-02T00:00:00.000Z"},
                    {"constructionCompletesAt", "2025-01-04T00:00:00.000Z"},
                    {"activeSince", "2025-01-04T00:00:00.000Z"},
                    {"variables", {{"growthBonus", 0.003}, {"color", "red"}}}});
  const auto stp = hourglass::messages::read_structure(ste, "$", rules, true);
  CHECK(stp.condition == 40);
  CHECK(stp.active_since == ms("2025-01-04T00:00:00Z"));

  ApiStructure fresh;  // never written by Hourglass
  fresh.id = "st2";
  fresh.settlement_id = "s1";
  fresh.type = "mine";
  const json fe = structure_entity_json(fresh);
  CHECK(fe["status"] == "UNDER_CONSTRUCTION");
  CHECK(fe["condition"] == 0);
  CHECK_FALSE(fe.contains("activeSince"));
  CHECK_NOTHROW(hourglass::messages::read_structure(fe, "$", rules, true));

  const json ee = event_entity_json(ApiEvent{"e1", ms("2025-03-01T11:00:00Z"), false});
  CHECK(ee == json{{"id", "e1"}, {"scheduledAt", "2025-03-01T11:00:00.000Z"}, {"isCompleted", false}});
  CHECK(hourglass::messages::read_event(ee, "$", true).scheduled_at == ms("2025-03-01T11:00:00Z"));
}

TEST_CASE("api: merged_variables writes engine values and keeps the rest", "[service][api]") {
  const json api = {{"lore", "x"}, {"population", 1}, {"resources", {{"food", 1}, {"wood", 4}}}, {"carry", 0.5}};
  const json merged = merged_variables(api, {{"population", 130},
                                             {"resources.food", 14},
                                             {"resources.gold", 2},
                                             {"level", 3},
                                             {"carry", 0.75}});
  CHECK(merged == json{{"lore", "x"},
                       {"population", 130},
                       {"resources", {{"food", 14}, {"wood", 4}, {"gold", 2}}},
                       {"carry", 0.75}});
  CHECK(api["population"] == 1);  // a copy
  CHECK(merged_variables(nullptr, {{"status", "ACTIVE"}}) == json{{"status", "ACTIVE"}});
  CHECK(merged_variables({{"resources", "broken"}}, {{"resources.food", 1}}) == json{{"resources", {{"food", 1}}}});
  CHECK(merged_variables(api, {{"resources", {{"food", 9}}}})["resources"] == json{{"food", 9}, {"wood", 4}});
}

TEST_CASE("api: the operations are named, and docs/api-contract.md holds each text verbatim", "[service][api]") {
  std::ifstream in(std::string(HOURGLASS_SOURCE_DIR) + "/docs/api-contract.md");
  REQUIRE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  std::set<std::string_view> names;
  for (const api_ops::Operation* op : api_ops::kAll) {
    INFO(op->name);
    CHECK(names.insert(op->name).second);
    const std::string head = std::string(op->write ? "mutation " : "query ") + std::string(op->name) + "(";
    CHECK(op->text.substr(0, head.size()) == head);
    CHECK(op->text.find(std::string(op->field) + "(") != std::string_view::npos);
    CHECK(doc.str().find(std::string(op->text)) != std::string::npos);
  }
}
