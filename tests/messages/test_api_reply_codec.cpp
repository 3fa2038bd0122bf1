// Unit tests for messages/api_reply_codec: the campaign API's replies read
// into typed values, every refusal an InputError naming its JSON path, and
// the one whole-number rule (json_read's whole_number) they share.
#include <catch2/catch.hpp>

#include <string>

#include "messages/api_reply_codec.hpp"

using namespace hourglass::messages;
using hourglass::sim::WorldTime;

namespace {

WorldTime ms(const char* iso) { return *hourglass::sim::parse_world_time(iso); }

// The InputError of `read`, or fails.
template <class Read>
InputError refusal(Read read) {
  try {
    read();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("accepted");
  throw;  // unreachable
}

json settlement_row(json version) {
  return {{"id", "s1"},           {"name", "Oakridge"}, {"level", 2}, {"variables", {{"population", 120}}},
          {"version", version}, {"createdAt", "2026-03-01T10:00:00Z"}};
}

}  // namespace

TEST_CASE("whole numbers: 5 and 5.0 are whole but 5.5, \"5\", 1e300 are not", "[messages][api_reply]") {
  CHECK(whole_number(json(5)) == 5);
  CHECK(whole_number(json(5.0)) == 5);
  CHECK(whole_number(json(-3)) == -3);
  CHECK(whole_number(json(9'000'000'000'000'000.0)) == 9'000'000'000'000'000LL);
  CHECK_FALSE(whole_number(json(5.5)).has_value());
  CHECK_FALSE(whole_number(json("5")).has_value());
  CHECK_FALSE(whole_number(json(1e300)).has_value());
  CHECK_FALSE(whole_number(json(18'446'744'073'709'551'615ULL)).has_value());
  CHECK_FALSE(whole_number(json(nullptr)).has_value());
  // read_int (every codec) and the API's Float! versions apply the same rule.
  CHECK(read_int(json(5.0), "$.n") == 5);
  CHECK(refusal([] { read_int(json(5.5), "$.n"); }).message() == "expected a whole number, got 5.5");
  CHECK(refusal([] { read_int(json("5"), "$.n"); }).message() == "expected a whole number, got a string");
  CHECK(refusal([] { read_int(json(1e300), "$.n"); }).path() == "$.n");
}

TEST_CASE("api reply: a settlement row, versions whole (Float! in the schema)", "[messages][api_reply]") {
  for (const json& version : {json(7), json(7.0)}) {
    const auto s = read_api_settlements(json::array({settlement_row(version)}), "data.settlementsByKingdom");
    REQUIRE(s.size() == 1);
    CHECK(s[0].id == "s1");
    CHECK(s[0].level == 2);
    CHECK(s[0].variables == json{{"population", 120}});
    CHECK(s[0].version == 7);
  }
  for (const json& version : {json(7.5), json("7"), json(1e300)}) {
    INFO(version.dump());
    const InputError e = refusal([&] {
      read_api_settlements(json::array({settlement_row(1), settlement_row(version)}), "data.settlementsByKingdom");
    });
    CHECK(e.path() == "data.settlementsByKingdom[1].version");
  }
  CHECK(read_api_settlement(json(nullptr), "data.settlement") == std::nullopt);
  json null_vars = settlement_row(1);
  null_vars["kingdomId"] = "k1";
  null_vars["variables"] = nullptr;
  CHECK(read_api_settlement(null_vars, "data.settlement")->variables == json::object());
}

// The links Hourglass follows to tell which campaign an entity belongs to
// (io/entity_ownership): GetSettlement's kingdomId, getEffect's
// entityType/entityId, and {id, <link>} of kingdom, settlement, structure,
// event and encounter by id.
TEST_CASE("api reply: the links to an entity's campaign", "[messages][api_reply][ownership]") {
  json one = settlement_row(3);
  one["kingdomId"] = "k1";
  CHECK(read_api_settlement(one, "data.settlement")->kingdom_id == "k1");
  CHECK(read_api_settlements(json::array({settlement_row(3)}), "data.settlementsByKingdom")[0].kingdom_id.empty());
  CHECK(refusal([] { read_api_settlement(settlement_row(3), "data.settlement"); }).path() ==
        "data.settlement.kingdomId");

  const auto effect = read_api_effect(
      json::parse(R"({"id":"fx1","entityType":"EVENT","entityId":"e1","executions":[{"id":"x1"},{"id":"x2"}]})"),
      "data.getEffect");
  REQUIRE(effect);
  CHECK(effect->id == "fx1");
  CHECK(effect->entity_type == "EVENT");
  CHECK(effect->entity_id == "e1");
  CHECK(effect->executions == 2);
  CHECK(read_api_effect(json::parse(R"({"id":"fx1","entityType":"event","entityId":"e1","executions":null})"),
                        "data.getEffect")
            ->executions == 0);
  CHECK(read_api_effect(json(nullptr), "data.getEffect") == std::nullopt);
  CHECK(refusal([] { read_api_effect(json::parse(R"({"id":"fx1","entityId":"e1","executions":[]})"), "data.getEffect"); })
            .path() == "data.getEffect.entityType");
  CHECK(refusal([] {
          read_api_effect(json::parse(R"({"id":"fx1","entityType":"event","entityId":"","executions":[]})"),
                          "data.getEffect");
        }).path() == "data.getEffect.entityId");
  CHECK(refusal([] {
          read_api_effect(json::parse(R"({"id":"fx1","entityType":"","entityId":"e1","executions":[]})"),
                          "data.getEffect");
        }).path() == "data.getEffect.entityType");

  CHECK(read_owner_link(json::parse(R"({"id":"k1","campaignId":"c1"})"), "data.kingdom", "campaignId") ==
        std::optional<std::string>("c1"));
  CHECK(read_owner_link(json::parse(R"({"id":"s1","kingdomId":7})"), "data.settlement", "kingdomId") ==
        std::optional<std::string>("7"));  // IDs may come as integers
  CHECK(read_owner_link(json(nullptr), "data.event", "campaignId") == std::nullopt);
  CHECK(refusal([] { read_owner_link(json::parse(R"({"id":"e1"})"), "data.event", "campaignId"); }).path() ==
        "data.event.campaignId");
  CHECK(refusal([] { read_owner_link(json::parse(R"({"id":"e1","campaignId":null})"), "data.event", "campaignId"); })
            .path() == "data.event.campaignId");
  CHECK(refusal([] { read_owner_link(json("e1"), "data.event", "campaignId"); }).path() == "data.event");
}

TEST_CASE("api reply: refusals name the field", "[messages][api_reply]") {
  const std::string at = "data.settlementsByKingdom";
  // createdAt (wall-clock time, not world time) is not read: not asked for.
  json row = settlement_row(1);
  row.erase("createdAt");
  CHECK(read_api_settlements(json::array({row}), at).size() == 1);
  row["version"] = nullptr;
  CHECK(refusal([&] { read_api_settlements(json::array({row}), at); }).path() == at + "[0].version");
  row = settlement_row(1);
  row["variables"] = json::array();
  CHECK(refusal([&] { read_api_settlements(json::array({row}), at); }).path() == at + "[0].variables");
  row = settlement_row(1);
  row["id"] = "";
  CHECK(refusal([&] { read_api_settlements(json::array({row}), at); }).path() == at + "[0].id");
  CHECK(refusal([&] { read_api_settlements(json::object(), at); }).what() ==
        std::string("data.settlementsByKingdom: expected an array, got an object"));
  CHECK(refusal([&] { read_api_settlements(json::array({5}), at); }).path() == at + "[0]");
  // A nullable field must still be there: GraphQL sends every field asked for.
  CHECK(refusal([] { read_api_events(json::parse(R"([{"id":"e1","isCompleted":false}])"), "data.e"); }).path() ==
        "data.e[0].scheduledAt");
}

TEST_CASE("api reply: structures, events, effects, kingdoms", "[messages][api_reply]") {
  const auto st = read_api_structure(json::parse(R"({"id":"st1","settlementId":4,"type":"farm","level":1,
      "variables":{},"version":3.0,"createdAt":"1735689600000"})"),
                                     "data.structure");
  REQUIRE(st);
  CHECK(st->settlement_id == "4");  // integer IDs are accepted
  CHECK(st->version == 3);
  CHECK(read_api_structure(json(nullptr), "data.structure") == std::nullopt);

  // An event never scheduled never expires: left out.
  const auto events = read_api_events(json::parse(R"([{"id":"e1","scheduledAt":"2025-01-01T00:00:00Z","isCompleted":true},
      {"id":"e2","scheduledAt":null,"isCompleted":false}])"),
                                      "data.eventsByCampaign");
  REQUIRE(events.size() == 1);
  CHECK(events[0].id == "e1");
  CHECK(events[0].is_completed);
  CHECK(refusal([] {
          read_api_events(json::parse(R"([{"id":"e1","scheduledAt":"2025-01-01T00:00:00Z","isCompleted":"no"}])"),
                          "data.eventsByCampaign");
        }).path() == "data.eventsByCampaign[0].isCompleted");


  CHECK(read_kingdom_ids(json::parse(R"([{"id":"k1"},{"id":2}])"), "data.k") == std::vector<std::string>{"k1", "2"});
  CHECK(refusal([] { read_kingdom_ids(json::parse(R"([{"id":"k1"},{}])"), "data.k"); }).path() == "data.k[1].id");
}

TEST_CASE("api reply: write acknowledgements, expired events, effect executions, world time",
          "[messages][api_reply]") {
  const WriteAck ack = read_write_ack(json::parse(R"({"id":"s1","version":8.0})"), "data.updateSettlement");
  CHECK(ack.id == "s1");
  CHECK(ack.version == 8);
  CHECK(refusal([] { read_write_ack(json::parse(R"({"id":"s1"})"), "data.updateSettlement"); }).path() ==
        "data.updateSettlement.version");
  CHECK(refusal([] { read_write_ack(json::parse(R"({"id":"s1","version":8.5})"), "data.updateSettlement"); }).path() ==
        "data.updateSettlement.version");
  CHECK(refusal([] { read_write_ack(json(nullptr), "data.updateSettlement"); }).what() ==
        std::string("data.updateSettlement: expected an object, got null"));

  const ExpiredEvent e = read_expired_event(json::parse(R"({"id":"e1","isCompleted":true,"occurredAt":null})"), "data.x");
  CHECK(e.is_completed);
  CHECK_FALSE(e.occurred_at);
  CHECK(read_expired_event(json::parse(R"({"id":"e1","isCompleted":true,"occurredAt":"2025-01-01T00:00:00Z"})"),
                           "data.x")
            .occurred_at == ms("2025-01-01T00:00:00Z"));

  const EffectExecution ok = read_effect_execution(json::parse(R"({"success":true,"error":null,"executionId":"x1"})"), "data.x");
  CHECK(ok.success);
  CHECK(ok.error.empty());
  CHECK(ok.execution_id == "x1");
  const EffectExecution failed =
      read_effect_execution(json::parse(R"({"success":false,"error":"boom","executionId":null})"), "data.x");
  CHECK_FALSE(failed.success);
  CHECK(failed.error == "boom");
  CHECK(failed.execution_id.empty());
  CHECK(refusal([] { read_effect_execution(json::parse(R"({"success":false,"error":3,"executionId":null})"), "data.x"); })
            .path() == "data.x.error");

  CHECK(read_world_time_reply(json(nullptr), "data.t") == std::nullopt);
  CHECK(read_world_time_reply(json("2025-01-01T00:00:00Z"), "data.t") == ms("2025-01-01T00:00:00Z"));
  CHECK(refusal([] { read_world_time_reply(json("soon"), "data.t"); }).path() == "data.t");
}

TEST_CASE("api reply: the envelope", "[messages][api_reply]") {
  const GraphQLReply not_json = read_graphql_reply("<html>oops</html>");
  CHECK_FALSE(not_json.is_json());
  CHECK(refusal([&] { reply_data(not_json, "f"); }).what() == std::string("reply is not JSON"));
  CHECK(refusal([] { reply_data(read_graphql_reply(R"({"data":null})"), "f"); }).what() ==
        std::string("data: missing field"));
  CHECK(refusal([] { reply_data(read_graphql_reply(R"({"data":{}})"), "f"); }).what() ==
        std::string("data.f: missing field"));
  CHECK(reply_data(read_graphql_reply(R"({"data":{"f":null}})"), "f").is_null());
  CHECK(reply_data(read_graphql_reply(R"({"data":{"f":[1]}})"), "f") == json::array({1}));

  const GraphQLReply errors = read_graphql_reply(
      R"({"errors":[{"message":"conflict","extensions":{"code":"CONFLICT"}},{"message":5},"odd"],"data":null})");
  REQUIRE(errors.errors.size() == 3);
  CHECK(errors.errors[0].message == std::string("conflict"));
  CHECK(errors.errors[0].code == std::string("CONFLICT"));
  CHECK_FALSE(errors.errors[1].message);
  CHECK(errors.errors[1].text == R"({"message":5})");
  CHECK_FALSE(errors.errors[2].code);
  CHECK(read_graphql_reply(R"({"errors":[],"data":{}})").errors.empty());
}

TEST_CASE("api reply: a campaign's branches, roots without a parent", "[messages][api_reply]") {
  const auto b = read_api_branches(json::parse(R"([{"id":"cb1","name":"Main","parentId":null},
      {"id":"cb2","name":"what-if","parentId":"cb1"},{"id":7,"name":"","parentId":7}])"),
                                   "data.branches");
  REQUIRE(b.size() == 3);
  CHECK(b[0].id == "cb1");
  CHECK(b[0].name == "Main");
  CHECK_FALSE(b[0].parent_id);
  CHECK(b[1].parent_id == std::string("cb1"));
  CHECK(b[2].id == "7");
  CHECK(b[2].parent_id == std::string("7"));
  CHECK(read_api_branches(json::array(), "data.branches").empty());
  CHECK(refusal([] { read_api_branches(json::parse(R"([{"id":"cb1","name":"Main"}])"), "data.branches"); }).what() ==
        std::string("data.branches[0].parentId: required field is missing"));
  CHECK(refusal([] { read_api_branches(json::parse(R"([{"id":"cb1","name":3,"parentId":null}])"), "data.branches"); })
            .path() == "data.branches[0].name");
  CHECK(refusal([] { read_api_branches(json::parse(R"([{"id":"","name":"x","parentId":null}])"), "data.branches"); })
            .path() == "data.branches[0].id");
  CHECK(refusal([] { read_api_branches(json::parse(R"([{"id":"a","name":"x","parentId":""}])"), "data.branches"); })
            .path() == "data.branches[0].parentId");
  CHECK(refusal([] { read_api_branches(json(nullptr), "data.branches"); }).path() == "data.branches");
}

// The time fields Hourglass reads, as the real schema types them:
// getCurrentWorldTime is a DateTime (ISO; epoch ms accepted too);
// Event.scheduledAt and Event.occurredAt are Strings of epoch milliseconds.
// A world in year 4707 is 86394945600000 ms (14 digits).
TEST_CASE("api time: every time field read accepts epoch-millisecond strings", "[messages][api_reply]") {
  const WorldTime y4707 = ms("4707-10-12T12:00:00Z");
  const std::string digits = std::to_string(y4707);
  CHECK(read_world_time_reply(json(digits), "data.getCurrentWorldTime") == y4707);
  CHECK(read_world_time_reply(json("4707-10-12T12:00:00.000Z"), "data.getCurrentWorldTime") == y4707);
  const auto events = read_api_events(
      json::array({{{"id", "e1"}, {"scheduledAt", digits}, {"isCompleted", false}}}), "data.eventsByCampaign");
  REQUIRE(events.size() == 1);
  CHECK(events[0].scheduled_at == y4707);
  CHECK(read_expired_event(json{{"id", "e1"}, {"isCompleted", true}, {"occurredAt", "1735689600000"}}, "data.x")
            .occurred_at == ms("2025-01-01T00:00:00Z"));
  CHECK(refusal([] {
          read_api_events(json::parse(R"([{"id":"e1","scheduledAt":"12ab","isCompleted":false}])"), "data.e");
        }).path() == "data.e[0].scheduledAt");
  CHECK(refusal([] { read_expired_event(json::parse(R"({"id":"e1","isCompleted":true,"occurredAt":"x"})"), "data.x"); })
            .path() == "data.x.occurredAt");
}

TEST_CASE("api time: ISO 8601 or epoch milliseconds, whole", "[messages][api_reply]") {
  CHECK(parse_api_time(json("2025-01-01T00:00:00.000+00:00")) == ms("2025-01-01T00:00:00Z"));
  CHECK(parse_api_time(json("1735689600000")) == ms("2025-01-01T00:00:00Z"));
  CHECK(parse_api_time(json(1735689600000.0)) == ms("2025-01-01T00:00:00Z"));
  CHECK_FALSE(parse_api_time(json(1735689600000.5)));
  CHECK_FALSE(parse_api_time(json(1e300)));
  CHECK_FALSE(parse_api_time(json(true)));
}
