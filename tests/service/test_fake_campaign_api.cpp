// The fake campaign API itself: that it answers as the real API does where
// the real one is stricter than a kind fake would be (schema validation,
// production error format, no idempotency, non-null mutations, world time,
// effect executions, branches, auth). Raw HTTP, no Hourglass client.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <cstdlib>

#include "io/campaign_api.hpp"
#include "messages/api_reply_codec.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

using hourglass::service::testing::FakeCampaignApi;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

hourglass::sim::WorldTime ms(const char* iso) { return *hourglass::sim::parse_world_time(iso); }

struct Reply {
  int status = 0;
  json body;
};

struct World {
  FakeCampaignApi fake;
  explicit World(FakeCampaignApi::Options options = {}) : fake(std::move(options)) {
    fake.add_campaign("c1", ms("2025-03-01T12:00:00Z"), "main");
    fake.add_kingdom("c1", "k1");
    fake.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"version", 7}});
    fake.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}});
    fake.add_event("c1", {{"id", "e1"}, {"scheduledAt", "2025-03-01T11:00:00Z"}});
    fake.add_effect("c1", {{"id", "fx1"}, {"entityId", "e1"}, {"entityType", "event"}});
    fake.start();
  }
  Reply post(const std::string& path, const std::string& body, const std::string& token) {
    httplib::Client client("127.0.0.1", fake.port());
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto r = client.Post(path.c_str(), headers, body, "application/json");
    REQUIRE(r);
    return Reply{r->status, json::parse(r->body, nullptr, false)};
  }
  Reply gql(const std::string& query, json variables = json::object(), std::string token = "-") {
    return post("/graphql", json{{"query", query}, {"variables", std::move(variables)}}.dump(),
                token == "-" ? fake.token() : token);
  }
};

const char* kUpdate = R"(mutation M($in1: UpdateSettlementInput!, $in2: UpdateSettlementInput!, $in3: UpdateStructureInput!) {
  a: updateSettlement(id: "s1", input: $in1) { id version }
  b: updateSettlement(id: "s1", input: $in2) { id version }
  c: updateStructure(id: "st1", input: $in3) { id version }
})";

}  // namespace

TEST_CASE("fake api: an invalid document is HTTP 400 with graphql-js's message, in production without extensions",
          "[service][fake]") {
  World w;
  const Reply r = w.gql("query { deferredEffectsByCampaign(campaignId: \"c1\") { id } }");
  CHECK(r.status == 400);
  REQUIRE(r.body["errors"].size() == 1);
  CHECK(r.body["errors"][0].size() == 1);  // {message} only
  CHECK_THAT(r.body["errors"][0]["message"].get<std::string>(),
             Catch::StartsWith("Cannot query field \"deferredEffectsByCampaign\" on type \"Query\"."));
  CHECK_FALSE(r.body.contains("data"));

  // A missing variable, a bad argument: refused before anything runs.
  CHECK(w.gql("query Q($c: ID!) { getCurrentWorldTime(campaignId: $c) }").status == 400);
  CHECK(w.gql("mutation { expireEvent(id: \"e1\") { id } }").status == 400);
  CHECK(w.fake.event("e1")["isCompleted"] == false);

  // Batching is disabled.
  const Reply batch = w.post("/graphql", R"([{"query":"{ __typename }"}])", w.fake.token());
  CHECK(batch.status == 400);
  CHECK(batch.body["errors"][0]["message"] == "Operation batching disabled.");
}

TEST_CASE("fake api: the development format keeps extensions.code", "[service][fake]") {
  FakeCampaignApi::Options dev;
  dev.production = false;
  World w(dev);
  const Reply r = w.gql("query { nope }");
  CHECK(r.status == 400);
  CHECK(r.body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED");
}

TEST_CASE("fake api: replies carry exactly the selected fields, under their aliases", "[service][fake]") {
  World w;
  const Reply r = w.gql(R"({ one: structure(id: "st1") { id type } two: structure(id: "st9") { id }
                             campaign(id: "c1") { currentWorldTime } eventsByCampaign(campaignId: "c1") { scheduledAt }
                             getCurrentWorldTime(campaignId: "c1") })");
  INFO(r.body.dump());
  CHECK(r.status == 200);
  CHECK(r.body["data"]["one"] == json{{"id", "st1"}, {"type", "farm"}});
  CHECK(r.body["data"]["two"].is_null());  // nullable: an unknown id is null
  // Campaign.currentWorldTime and Event.scheduledAt: epoch-ms strings; getCurrentWorldTime: ISO.
  CHECK(r.body["data"]["campaign"]["currentWorldTime"] == std::to_string(ms("2025-03-01T12:00:00Z")));
  CHECK(r.body["data"]["eventsByCampaign"][0]["scheduledAt"] == std::to_string(ms("2025-03-01T11:00:00Z")));
  CHECK(r.body["data"]["getCurrentWorldTime"] == "2025-03-01T12:00:00.000Z");
  CHECK_FALSE(r.body.contains("errors"));
}

TEST_CASE("fake api: a failing aliased mutation nulls data, the ones before it stay applied, the ones after never run",
          "[service][fake]") {
  World w;
  const json vars = {{"in1", {{"branchId", "main"}, {"expectedVersion", 7}, {"level", 2}}},
                     {"in2", {{"branchId", "main"}, {"expectedVersion", 7}}},  // stale once a ran
                     {"in3", {{"branchId", "main"}, {"expectedVersion", 1}, {"level", 3}}}};
  const Reply r = w.gql(kUpdate, vars);
  INFO(r.body.dump());
  CHECK(r.status == 200);
  CHECK(r.body["data"].is_null());
  REQUIRE(r.body["errors"].size() == 1);
  CHECK(r.body["errors"][0]["message"] ==
        "Settlement was modified by another user. Expected version 7, but found 8. Please refresh and try again.");
  CHECK(w.fake.settlement("s1")["version"] == 8);  // a: applied
  CHECK(w.fake.settlement("s1")["level"] == 2);
  CHECK(w.fake.structure("st1")["version"] == 1);  // c: never ran
  CHECK(w.fake.writes_applied() == 1);
}

TEST_CASE("fake api: the Idempotency-Key is ignored, applications are counted", "[service][fake]") {
  World w;
  for (int i = 0; i < 3; ++i) {
    httplib::Client client("127.0.0.1", w.fake.port());
    auto r = client.Post("/graphql", {{"Authorization", "Bearer " + w.fake.token()}, {"Idempotency-Key", "k1"}},
                         json{{"query", "mutation { executeEffect(input: {effectId: \"fx1\"}) { success } }"}}.dump(),
                         "application/json");
    REQUIRE(r);
    CHECK(json::parse(r->body)["data"]["executeEffect"]["success"] == true);
  }
  CHECK(w.fake.applications("k1") == 3);
  CHECK(w.fake.keys_applied_more_than_once() == std::vector<std::string>{"k1"});
  CHECK(w.fake.effect_executions("fx1") == 3);
}

TEST_CASE("fake api: getEffect lists every execution", "[service][fake]") {
  World w;
  const char* exec = "mutation { executeEffect(input: {effectId: \"fx1\"}) { success executionId } }";
  const Reply first = w.gql(exec);
  const Reply second = w.gql(exec);
  REQUIRE(first.body["data"]["executeEffect"]["success"] == true);
  const Reply r = w.gql(R"({ getEffect(id: "fx1") { id executions { id executedAt executedBy } } })");
  INFO(r.body.dump());
  const json& executions = r.body["data"]["getEffect"]["executions"];
  REQUIRE(executions.size() == 2);
  CHECK(executions[0]["id"] == first.body["data"]["executeEffect"]["executionId"]);
  CHECK(executions[1]["id"] == second.body["data"]["executeEffect"]["executionId"]);
  CHECK(hourglass::messages::parse_api_time(executions[0]["executedAt"]).has_value());
  CHECK_FALSE(executions[0]["executedBy"].get<std::string>().empty());
  CHECK(w.fake.effect_execution_log("fx1").size() == 2);
}

// What Hourglass reads to tell which campaign an entity belongs to: the
// links the real types carry (Kingdom.campaignId, Event.campaignId,
// Encounter.campaignId, Settlement.kingdomId, Effect.entityType/entityId),
// null for an unknown id; getEffect null too for an effect whose entity is
// not an encounter or event that exists (EffectService.findById).
TEST_CASE("fake api: the links to a campaign by id, and null for what does not exist", "[service][fake]") {
  World w;
  w.fake.add_campaign("c2", std::nullopt);
  w.fake.add_encounter("c2", "enc2");
  w.fake.add_effect("c2", {{"id", "fx2"}, {"entityId", "enc2"}, {"entityType", "encounter"}});
  w.fake.add_effect("c2", {{"id", "fx3"}});  // on an encounter of its own, in c2
  w.fake.add_effect("c2", {{"id", "fx4"}, {"entityId", "s1"}, {"entityType", "settlement"}});
  const Reply r = w.gql(R"({
    k: kingdom(id: "k1") { id campaignId }
    e: event(id: "e1") { id campaignId }
    n: encounter(id: "enc2") { id campaignId }
    s: settlement(id: "s1") { id kingdomId }
    f1: getEffect(id: "fx1") { id entityType entityId }
    f2: getEffect(id: "fx2") { id entityType entityId }
    f3: getEffect(id: "fx3") { id entityType entityId }
    f4: getEffect(id: "fx4") { id entityType entityId }
    nk: kingdom(id: "nope") { id }
    ne: event(id: "nope") { id }
    nn: encounter(id: "nope") { id }
  })");
  INFO(r.body.dump());
  REQUIRE(r.status == 200);
  const json& d = r.body["data"];
  CHECK(d["k"] == json{{"id", "k1"}, {"campaignId", "c1"}});
  CHECK(d["e"] == json{{"id", "e1"}, {"campaignId", "c1"}});
  CHECK(d["n"] == json{{"id", "enc2"}, {"campaignId", "c2"}});
  CHECK(d["s"] == json{{"id", "s1"}, {"kingdomId", "k1"}});
  CHECK(d["f1"] == json{{"id", "fx1"}, {"entityType", "event"}, {"entityId", "e1"}});
  CHECK(d["f2"] == json{{"id", "fx2"}, {"entityType", "encounter"}, {"entityId", "enc2"}});
  CHECK(d["f3"]["entityType"] == "encounter");
  const Reply own = w.gql("{ encounter(id: " + d["f3"]["entityId"].dump() + ") { campaignId } }");
  CHECK(own.body["data"]["encounter"]["campaignId"] == "c2");
  CHECK(d["f4"].is_null());  // a settlement is no entity an effect may hang on
  CHECK(d["nk"].is_null());
  CHECK(d["ne"].is_null());
  CHECK(d["nn"].is_null());
  CHECK_FALSE(r.body.contains("errors"));
}

TEST_CASE("fake api: advanceWorldTime moves the clock first, then notifies, and refuses to go back",
          "[service][fake]") {
  World w;
  std::optional<hourglass::sim::WorldTime> seen_by_notifier, previous_seen;
  w.fake.on_world_time_advanced([&](const std::string& campaign, std::optional<hourglass::sim::WorldTime> previous,
                                    hourglass::sim::WorldTime) {
    // What a subscriber that reads the API on the notification would see.
    hourglass::io::CampaignApiConfig config;
    config.endpoint = w.fake.url();
    config.token = w.fake.token();
    auto now = hourglass::io::CampaignApi(config).get_current_world_time(campaign);
    if (now.ok()) seen_by_notifier = **now.value;
    previous_seen = previous;
  });
  const Reply r = w.gql(R"(mutation { advanceWorldTime(input: {campaignId: "c1", to: "2025-03-01T13:00:00.000Z"}) {
                             campaignId previousWorldTime currentWorldTime } })");
  INFO(r.body.dump());
  CHECK(r.body["data"]["advanceWorldTime"] == json{{"campaignId", "c1"},
                                                   {"previousWorldTime", "2025-03-01T12:00:00.000Z"},
                                                   {"currentWorldTime", "2025-03-01T13:00:00.000Z"}});
  CHECK(seen_by_notifier == ms("2025-03-01T13:00:00Z"));
  CHECK(previous_seen == ms("2025-03-01T12:00:00Z"));

  const Reply back = w.gql(R"(mutation { advanceWorldTime(input: {campaignId: "c1", to: "2025-03-01T13:00:00.000Z"}) {
                                campaignId } })");
  CHECK(back.body["data"].is_null());
  CHECK(back.body["errors"][0]["message"] ==
        "Cannot advance time to the past. New time must be after current world time");

  w.fake.advance_world_time("c1", ms("2025-03-01T14:00:00Z"));
  CHECK(seen_by_notifier == ms("2025-03-01T14:00:00Z"));
  CHECK_THROWS_AS(w.fake.advance_world_time("c1", ms("2025-03-01T14:00:00Z")), std::invalid_argument);
}

TEST_CASE("fake api: each campaign has its own main branch", "[service][fake]") {
  World w;
  w.fake.add_campaign("c2", std::nullopt);
  const Reply r = w.gql(R"({ a: branches(campaignId: "c1") { id name campaignId } b: branches(campaignId: "c2") { id } })");
  CHECK(r.body["data"]["a"] == json::array({{{"id", "main"}, {"name", "Main"}, {"campaignId", "c1"}}}));
  CHECK(r.body["data"]["b"] == json::array({{{"id", "main-c2"}}}));
  CHECK_THROWS_AS(w.fake.add_campaign("c3", std::nullopt, "main"), std::invalid_argument);  // ids are unique
}

TEST_CASE("fake api: Unauthorized is HTTP 200 with errors, the field null", "[service][fake]") {
  World w;
  const Reply none = w.gql(R"({ getCurrentWorldTime(campaignId: "c1") })", json::object(), "");
  CHECK(none.status == 200);
  CHECK(none.body == json{{"errors", {{{"message", "Unauthorized"}}}}, {"data", {{"getCurrentWorldTime", nullptr}}}});
  const Reply write = w.gql(R"(mutation { expireEvent(eventId: "e1") { id } })", json::object(), "forged");
  CHECK(write.body["data"].is_null());
  CHECK(w.fake.event("e1")["isCompleted"] == false);
}

TEST_CASE("fake api: login, refresh, expiry and the auth routes' rate limit", "[service][fake]") {
  FakeCampaignApi::Options o;
  World w(o);
  const std::string credentials = json{{"email", o.email}, {"password", o.password}}.dump();
  CHECK(w.post("/auth/login", json{{"email", o.email}, {"password", "wrong"}}.dump(), "").status == 401);
  const Reply login = w.post("/auth/login", credentials, "");
  REQUIRE(login.status == 200);
  const std::string access = login.body["accessToken"], refresh = login.body["refreshToken"];
  const char* q = R"({ getCurrentWorldTime(campaignId: "c1") })";
  CHECK_FALSE(w.gql(q, json::object(), access).body.contains("errors"));
  w.fake.expire_token(access);
  CHECK(w.gql(q, json::object(), access).body["errors"][0]["message"] == "Unauthorized");

  const Reply refreshed = w.post("/auth/refresh", json{{"refreshToken", refresh}}.dump(), "");
  REQUIRE(refreshed.status == 200);
  CHECK_FALSE(w.gql(q, json::object(), refreshed.body["accessToken"]).body.contains("errors"));
  CHECK(w.post("/auth/refresh", json{{"refreshToken", "forged"}}.dump(), "").status == 401);

  // 10 a minute per route: 2 logins so far, 8 more pass, the 11th is refused.
  for (int i = 0; i < 8; ++i) CHECK(w.post("/auth/login", credentials, "").status == 200);
  const Reply throttled = w.post("/auth/login", credentials, "");
  CHECK(throttled.status == 429);
  CHECK(throttled.body["message"] == "ThrottlerException: Too Many Requests");
  CHECK(w.post("/auth/refresh", json{{"refreshToken", refresh}}.dump(), "").status == 200);  // its own count
}

TEST_CASE("fake api: an access token expires after its lifetime", "[service][fake]") {
  FakeCampaignApi::Options o;
  o.access_token_lifetime = 0ms;  // expired as soon as issued
  World w(o);
  const Reply login = w.post("/auth/login", json{{"email", o.email}, {"password", o.password}}.dump(), "");
  REQUIRE(login.status == 200);
  const Reply r = w.gql(R"({ getCurrentWorldTime(campaignId: "c1") })", json::object(), login.body["accessToken"]);
  CHECK(r.body["errors"][0]["message"] == "Unauthorized");
}

TEST_CASE("fake api: start() refuses to run without the schema validator", "[service][fake]") {
  ::setenv("HOURGLASS_NODE", "/nonexistent/node", 1);
  FakeCampaignApi fake;
  CHECK_THROWS_WITH(fake.start(), Catch::Contains("cannot run /nonexistent/node"));
  ::unsetenv("HOURGLASS_NODE");
}

TEST_CASE("fake api: selecting Settlement.name or Structure.name fails as on the real API (typed DateTime!)",
          "[service][fake]") {
  World w;
  const Reply list = w.gql(R"({ settlementsByKingdom(kingdomId: "k1") { id name } })");
  CHECK(list.status == 200);
  CHECK(list.body["data"].is_null());  // a non-null list loses the whole data
  CHECK(list.body["errors"][0]["message"] == "DateTimeScalar can only serialize Date objects");
  CHECK(w.gql(R"({ structure(id: "st1") { id name } })").body["errors"][0]["message"] ==
        "DateTimeScalar can only serialize Date objects");
  const Reply without = w.gql(R"({ settlementsByKingdom(kingdomId: "k1") { id level } })");
  CHECK_FALSE(without.body.contains("errors"));
  CHECK(without.body["data"]["settlementsByKingdom"][0]["id"] == "s1");
}
