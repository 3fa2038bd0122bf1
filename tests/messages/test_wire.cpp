// Unit tests for messages/wire: decoding the Redis messages of SPEC §1/§2/§6,
// and refusing every bad input of SPEC §7 (and of the example
// scenarios/examples/06-bad-input.json) with an error that names the field.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "messages/entity_codec.hpp"
#include "messages/wire.hpp"

using namespace hourglass::messages;
namespace sim = hourglass::sim;

namespace {

constexpr const char* kAdvance = "campaign.c1.worldTimeAdvanced";
constexpr const char* kModified = "campaign.c1.entityModified";

// 2025-04-01T00:00:00Z = 20179 days after the epoch.
constexpr sim::WorldTime kApril1 = 20179LL * 86'400'000;
constexpr sim::WorldTime kHour = 3'600'000;

Decoded decode(const char* channel, const char* payload) {
  return decode_message(channel, json::parse(payload), sim::Rules::defaults());
}

// The refusal of a message: it must not decode, and its error starts with
// the field it names.
std::string refusal(const char* channel, const char* payload) {
  const Decoded d = decode(channel, payload);
  CHECK_FALSE(d);
  CHECK_FALSE(d.message.has_value());
  return d.error;
}

const EntityModified& modified(const Decoded& d) {
  REQUIRE(d);
  REQUIRE(std::holds_alternative<EntityModified>(*d.message));
  return std::get<EntityModified>(*d.message);
}

const WorldTimeAdvanced& advanced(const Decoded& d) {
  REQUIRE(d);
  REQUIRE(std::holds_alternative<WorldTimeAdvanced>(*d.message));
  return std::get<WorldTimeAdvanced>(*d.message);
}

}  // namespace

// --- valid messages ----------------------------------------------------------

TEST_CASE("a worldTimeAdvanced message decodes", "[wire]") {
  const Decoded d = decode(kAdvance, R"({"campaignId": "c1",
      "previousTime": "2025-04-01T00:00:00.000Z", "newTime": "2025-04-01T01:00:00Z"})");
  INFO(d.error);
  const WorldTimeAdvanced& m = advanced(d);
  CHECK(m.campaign_id == "c1");
  CHECK(m.previous_time == kApril1);
  CHECK(m.new_time == kApril1 + kHour);
  CHECK(d.error.empty());

  // The +00:00 offset is the same instant.
  const Decoded z = decode(kAdvance, R"({"campaignId": "c1",
      "previousTime": "2025-04-01T00:00:00+00:00", "newTime": "2025-04-01T01:00:00.250+00:00"})");
  CHECK(advanced(z).previous_time == kApril1);
  CHECK(advanced(z).new_time == kApril1 + kHour + 250);
}

TEST_CASE("channel_campaign names the campaign of a known channel", "[wire]") {
  CHECK(channel_campaign("campaign.c1.worldTimeAdvanced") == std::optional<std::string>("c1"));
  CHECK(channel_campaign("campaign.c1.entityModified") == std::optional<std::string>("c1"));
  CHECK(channel_campaign("campaign.a.b.entityModified") == std::optional<std::string>("a.b"));
  CHECK_FALSE(channel_campaign("campaign..worldTimeAdvanced"));
  CHECK_FALSE(channel_campaign("campaign.c1.worldTimeAdvance"));
  CHECK_FALSE(channel_campaign("campaigns.c1.worldTimeAdvanced"));
  CHECK_FALSE(channel_campaign("c1.worldTimeAdvanced"));
  CHECK_FALSE(channel_campaign(""));
}

TEST_CASE("a settlement CREATE decodes every field", "[wire]") {
  const Decoded d = decode(kModified, R"({"campaignId": "c1", "entityType": "Settlement",
      "entityId": "s2", "operation": "CREATE",
      "entity": {"id": "s2", "name": "Brightwater", "level": 2, "population": 800,
                 "resources": {"gold": 7, "food": 3}, "createdAt": "2025-04-01T01:00:00Z",
                 "variables": {"populationGrowthRate": 0.05, "generationRates": {"food": 4},
                               "populationGrowthIntervalMinutes": 30}}})");
  INFO(d.error);
  const EntityModified& m = modified(d);
  CHECK(m.campaign_id == "c1");
  CHECK(m.kind == EntityKind::Settlement);
  CHECK(m.operation == Operation::Create);
  CHECK(m.entity_id == "s2");
  REQUIRE(std::holds_alternative<sim::SettlementPatch>(m.entity));
  const auto& p = std::get<sim::SettlementPatch>(m.entity);
  CHECK(p.id == "s2");
  CHECK(p.name == std::optional<std::string>("Brightwater"));
  CHECK(p.level == std::optional<int>(2));
  CHECK(p.population == std::optional<std::int64_t>(800));
  REQUIRE(p.resources);
  CHECK(*p.resources == sim::Amounts{{"food", 3}, {"gold", 7}});
  CHECK(p.created_at == std::optional<sim::WorldTime>(kApril1 + kHour));
  REQUIRE(p.variables);
  CHECK(p.variables->population_growth_rate == std::optional<double>(0.05));
  CHECK(p.variables->population_growth_interval == std::optional<sim::Duration>(30 * 60'000));
  CHECK(p.variables->generation_rates == std::optional<sim::Amounts>(sim::Amounts{{"food", 4}}));
  CHECK_FALSE(p.variables->resource_generation_interval);
}

TEST_CASE("an UPDATE decodes only the given fields", "[wire]") {
  const Decoded d = decode(kModified, R"({"campaignId": "c1", "entityType": "Structure",
      "entityId": "st1", "operation": "UPDATE", "entity": {"id": "st1", "condition": 40}})");
  INFO(d.error);
  const EntityModified& m = modified(d);
  CHECK(m.kind == EntityKind::Structure);
  CHECK(m.operation == Operation::Update);
  REQUIRE(std::holds_alternative<sim::StructurePatch>(m.entity));
  const auto& p = std::get<sim::StructurePatch>(m.entity);
  CHECK(p.condition == std::optional<std::int64_t>(40));
  CHECK_FALSE(p.status);
  CHECK_FALSE(p.type);
  CHECK_FALSE(p.level);
  CHECK_FALSE(p.settlement_id);
  CHECK_FALSE(p.created_at);
}

TEST_CASE("a structure CREATE decodes - an entity without id takes entityId", "[wire]") {
  const Decoded d = decode(kModified, R"({"campaignId": "c1", "entityType": "Structure",
      "entityId": "st9", "operation": "CREATE",
      "entity": {"settlementId": "s1", "type": "temple", "level": 2,
                 "status": "UNDER_CONSTRUCTION", "condition": 0,
                 "constructionCompletesAt": "2025-04-01T01:00:00.000Z",
                 "variables": {"maintenanceCost": {"gold": 9}}}})");
  INFO(d.error);
  const auto& p = std::get<sim::StructurePatch>(modified(d).entity);
  CHECK(p.id == "st9");
  CHECK(p.settlement_id == std::optional<std::string>("s1"));
  CHECK(p.type == std::optional<std::string>("temple"));
  CHECK(p.level == std::optional<int>(2));
  CHECK(p.status == std::optional<sim::StructureStatus>(sim::StructureStatus::UnderConstruction));
  CHECK(p.condition == std::optional<std::int64_t>(0));
  CHECK(p.construction_completes_at == std::optional<sim::WorldTime>(kApril1 + kHour));
  REQUIRE(p.variables);
  CHECK(p.variables->maintenance_cost == std::optional<sim::Amounts>(sim::Amounts{{"gold", 9}}));
}

TEST_CASE("event and effect CREATEs decode", "[wire]") {
  const Decoded e = decode(kModified, R"({"campaignId": "c1", "entityType": "Event",
      "entityId": "e1", "operation": "CREATE",
      "entity": {"id": "e1", "scheduledAt": "2025-04-01T01:00:00Z", "isCompleted": true}})");
  INFO(e.error);
  const auto& ep = std::get<sim::EventPatch>(modified(e).entity);
  CHECK(ep.scheduled_at == std::optional<sim::WorldTime>(kApril1 + kHour));
  CHECK(ep.completed == std::optional<bool>(true));

  const Decoded f = decode(kModified, R"({"campaignId": "c1", "entityType": "Effect",
      "entityId": "fx1", "operation": "CREATE",
      "entity": {"id": "fx1", "executeAt": "2025-04-01T00:00:00Z"}})");
  INFO(f.error);
  CHECK(modified(f).kind == EntityKind::Effect);
  CHECK(std::get<sim::EffectPatch>(modified(f).entity).execute_at ==
        std::optional<sim::WorldTime>(kApril1));
}

TEST_CASE("an Encounter is accepted with any entity", "[wire]") {
  for (const char* entity : {R"("entity": {"id": "x1", "hp": [1, 2], "type": "castle"})",
                             R"("entity": 42)", R"("entity": {"id": "other"})",
                             R"("noEntity": true)"}) {
    INFO(entity);
    const std::string payload = std::string(R"({"campaignId": "c1", "entityType": "Encounter",
        "entityId": "x1", "operation": "CREATE", )") + entity + "}";
    const Decoded d = decode_message(kModified, json::parse(payload), sim::Rules::defaults());
    INFO(d.error);
    const EntityModified& m = modified(d);
    CHECK(m.kind == EntityKind::Encounter);
    CHECK(std::holds_alternative<std::monostate>(m.entity));
  }
}

TEST_CASE("a DELETE needs no entity", "[wire]") {
  for (const char* type : {"Settlement", "Structure", "Event", "Effect"}) {
    INFO(type);
    const std::string payload = std::string(R"({"campaignId": "c1", "entityType": ")") + type +
                                R"(", "entityId": "z1", "operation": "DELETE"})";
    const Decoded d = decode_message(kModified, json::parse(payload), sim::Rules::defaults());
    INFO(d.error);
    const EntityModified& m = modified(d);
    CHECK(m.operation == Operation::Delete);
    CHECK(m.entity_id == "z1");
    CHECK(std::holds_alternative<std::monostate>(m.entity));
  }
}

TEST_CASE("a CREATE without its entity: refused in a replay, fetched in service mode", "[wire]") {
  const char* payload = R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1",
      "operation": "CREATE"})";
  CHECK_THAT(refusal(kModified, payload), Catch::StartsWith("payload.entity:"));
  DecodeOptions service;
  service.require_inline_entity = false;
  const Decoded d =
      decode_message(kModified, json::parse(payload), sim::Rules::defaults(), service);
  INFO(d.error);
  CHECK(std::holds_alternative<std::monostate>(modified(d).entity));
}

TEST_CASE("campaign existence and settlement existence are not the decoder's business",
          "[wire]") {
  // 06-bad-input: an unknown campaign c9 and a structure of settlement s404
  // are refused by the campaign's owner, which knows the state.
  CHECK(decode("campaign.c9.worldTimeAdvanced", R"({"campaignId": "c9",
      "previousTime": "2025-04-01T01:00:00.000Z", "newTime": "2025-04-01T02:00:00.000Z"})"));
  CHECK(decode(kModified, R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st3",
      "operation": "CREATE", "entity": {"id": "st3", "settlementId": "s404", "type": "farm",
      "level": 1, "status": "ACTIVE", "condition": 100}})"));
}

// --- bad input (SPEC §7, 06-bad-input.json) ---------------------------------

TEST_CASE("bad worldTimeAdvanced messages are refused naming the field", "[wire][bad]") {
  struct Case {
    const char* what;
    const char* channel;
    const char* payload;
    const char* field;
  };
  const Case cases[] = {
      {"campaign differs from the channel's", kAdvance,
       R"({"campaignId": "c2", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": "2025-04-01T02:00:00.000Z"})",
       "payload.campaignId"},
      {"campaignId missing", kAdvance,
       R"({"previousTime": "2025-04-01T01:00:00.000Z", "newTime": "2025-04-01T02:00:00.000Z"})",
       "payload.campaignId"},
      {"+01:00 offset", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": "2025-04-01T02:00:00+01:00"})",
       "payload.newTime"},
      {"April 31", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": "2025-04-31T02:00:00Z"})",
       "payload.newTime"},
      {"a number as time", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": 1743472800000})",
       "payload.newTime"},
      {"one fraction digit", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": "2025-04-01T02:00:00.5Z"})",
       "payload.newTime"},
      {"a bad previousTime", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-4-1T01:00:00Z",
           "newTime": "2025-04-01T02:00:00.000Z"})",
       "payload.previousTime"},
      {"no newTime", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z"})", "payload.newTime"},
      {"newTime null", kAdvance,
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z", "newTime": null})",
       "payload.newTime"},
      {"an unknown channel", "campaign.c1.worldTimeAdvance",
       R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00.000Z",
           "newTime": "2025-04-01T02:00:00.000Z"})",
       "channel"},
      {"a payload that is not an object", kAdvance, "[1, 2]", "payload"},
      {"a string payload", kAdvance, R"("hello")", "payload"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string error = refusal(c.channel, c.payload);
    CHECK_THAT(error, Catch::StartsWith(std::string(c.field) + ":"));
  }
}

TEST_CASE("bad entityModified messages are refused naming the field", "[wire][bad]") {
  struct Case {
    const char* what;
    const char* payload;
    const char* field;
  };
  const Case cases[] = {
      {"unknown structure type castle",
       R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st2", "operation": "CREATE",
           "entity": {"id": "st2", "settlementId": "s1", "type": "castle", "level": 1,
                      "status": "ACTIVE", "condition": 100}})",
       "payload.entity.type"},
      {"type castle together with a level change",
       R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st1", "operation": "UPDATE",
           "entity": {"id": "st1", "type": "castle", "level": 2}})",
       "payload.entity.type"},
      {"population as a string",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": {"id": "s1", "population": "500"}})",
       "payload.entity.population"},
      {"a valid population with an out-of-range level",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": {"id": "s1", "population": 400, "level": 9}})",
       "payload.entity.level"},
      {"level 0",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": {"id": "s1", "level": 0}})",
       "payload.entity.level"},
      {"a negative population",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": {"id": "s1", "population": -1}})",
       "payload.entity.population"},
      {"a settlement CREATE lacking fields",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s9", "operation": "CREATE",
           "entity": {"id": "s9", "name": "Nowhere"}})",
       "payload.entity.level"},
      {"a structure CREATE lacking its type",
       R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st5", "operation": "CREATE",
           "entity": {"id": "st5", "settlementId": "s1", "level": 1, "status": "ACTIVE",
                      "condition": 100}})",
       "payload.entity.type"},
      {"entityType Dragon",
       R"({"campaignId": "c1", "entityType": "Dragon", "entityId": "d1", "operation": "CREATE",
           "entity": {"id": "d1"}})",
       "payload.entityType"},
      {"operation EXPLODE",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "EXPLODE",
           "entity": {"id": "s1"}})",
       "payload.operation"},
      {"an event with a bad scheduledAt",
       R"({"campaignId": "c1", "entityType": "Event", "entityId": "e1", "operation": "CREATE",
           "entity": {"id": "e1", "scheduledAt": "tomorrow"}})",
       "payload.entity.scheduledAt"},
      {"an event CREATE without scheduledAt",
       R"({"campaignId": "c1", "entityType": "Event", "entityId": "e1", "operation": "CREATE",
           "entity": {"id": "e1"}})",
       "payload.entity.scheduledAt"},
      {"an effect with a bad executeAt",
       R"({"campaignId": "c1", "entityType": "Effect", "entityId": "fx1", "operation": "CREATE",
           "entity": {"id": "fx1", "executeAt": "2025-02-30T00:00:00Z"}})",
       "payload.entity.executeAt"},
      {"entity.id differing from entityId",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": {"id": "s2", "population": 1}})",
       "payload.entity.id"},
      {"an unknown status",
       R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st1", "operation": "UPDATE",
           "entity": {"id": "st1", "status": "RUINED"}})",
       "payload.entity.status"},
      {"condition 150",
       R"({"campaignId": "c1", "entityType": "Structure", "entityId": "st1", "operation": "UPDATE",
           "entity": {"id": "st1", "condition": 150}})",
       "payload.entity.condition"},
      {"an entity that is not an object",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1", "operation": "UPDATE",
           "entity": [1]})",
       "payload.entity"},
      {"entityType missing",
       R"({"campaignId": "c1", "entityId": "s1", "operation": "DELETE"})", "payload.entityType"},
      {"operation missing",
       R"({"campaignId": "c1", "entityType": "Settlement", "entityId": "s1"})",
       "payload.operation"},
      {"entityId missing",
       R"({"campaignId": "c1", "entityType": "Settlement", "operation": "DELETE"})",
       "payload.entityId"},
      {"campaign differs from the channel's",
       R"({"campaignId": "c2", "entityType": "Settlement", "entityId": "s1", "operation": "DELETE"})",
       "payload.campaignId"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string error = refusal(kModified, c.payload);
    CHECK_THAT(error, Catch::StartsWith(std::string(c.field) + ":"));
  }
}

TEST_CASE("the refusal says why", "[wire][bad]") {
  CHECK_THAT(refusal(kModified, R"({"campaignId": "c1", "entityType": "Structure",
      "entityId": "st2", "operation": "CREATE", "entity": {"id": "st2", "settlementId": "s1",
      "type": "castle", "level": 1, "status": "ACTIVE", "condition": 100}})"),
             Catch::Contains("castle"));
  CHECK_THAT(refusal(kModified, R"({"campaignId": "c1", "entityType": "Dragon",
      "entityId": "d1", "operation": "DELETE"})"),
             Catch::Contains("Dragon"));
  CHECK_THAT(refusal(kAdvance, R"({"campaignId": "c1", "previousTime": "2025-04-01T01:00:00Z",
      "newTime": "2025-04-31T02:00:00Z"})"),
             Catch::Contains("2025-04-31T02:00:00Z"));
}

TEST_CASE("a structure type is checked against the rules given", "[wire]") {
  sim::Rules rules = sim::Rules::defaults();
  rules.structures.erase("temple");
  const json payload = json::parse(R"({"campaignId": "c1", "entityType": "Structure",
      "entityId": "st1", "operation": "UPDATE", "entity": {"id": "st1", "type": "temple"}})");
  CHECK(decode_message(kModified, payload, sim::Rules::defaults()));
  const Decoded d = decode_message(kModified, payload, rules);
  CHECK_FALSE(d);
  CHECK_THAT(d.error, Catch::StartsWith("payload.entity.type:"));
}

// --- raw text ----------------------------------------------------------------

TEST_CASE("decode_message_text: size cap and JSON parse", "[wire][bad]") {
  const std::string valid = R"({"campaignId": "c1", "previousTime": "2025-04-01T00:00:00Z",
      "newTime": "2025-04-01T01:00:00Z"})";
  SECTION("valid text decodes") {
    const Decoded d = decode_message_text(kAdvance, valid, sim::Rules::defaults());
    INFO(d.error);
    CHECK(advanced(d).new_time == kApril1 + kHour);
  }
  SECTION("exactly 1 MiB is accepted, one byte more is refused") {
    std::string padded = valid;
    padded.append(kMaxPayloadBytes - padded.size(), ' ');
    REQUIRE(padded.size() == 1024u * 1024u);
    const Decoded ok = decode_message_text(kAdvance, padded, sim::Rules::defaults());
    INFO(ok.error);
    CHECK(ok);
    padded += ' ';
    const Decoded big = decode_message_text(kAdvance, padded, sim::Rules::defaults());
    CHECK_FALSE(big);
    CHECK_THAT(big.error, Catch::StartsWith("payload:") && Catch::Contains("1 MiB"));
  }
  SECTION("a payload of several MiB is refused") {
    const std::string huge = "{\"campaignId\": \"" + std::string(3 << 20, 'x') + "\"}";
    const Decoded d = decode_message_text(kAdvance, huge, sim::Rules::defaults());
    CHECK_FALSE(d);
    CHECK_THAT(d.error, Catch::Contains("1 MiB"));
  }
  SECTION("text that is not JSON") {
    for (const char* text : {"not json", "{\"campaignId\": ", "", "{} trailing"}) {
      INFO(text);
      const Decoded d = decode_message_text(kAdvance, text, sim::Rules::defaults());
      CHECK_FALSE(d);
      CHECK_THAT(d.error, Catch::StartsWith("payload:") && Catch::Contains("JSON"));
    }
  }
}

TEST_CASE("wire: dropping the engine-owned fields of an entity's JSON leaves what sim::drop_engine_owned leaves",
          "[messages][wire]") {
  const auto& rules = hourglass::sim::Rules::defaults();
  const nlohmann::json settlement = {{"id", "s1"}, {"name", "Oakridge"}, {"level", 2}, {"population", 120},
                                     {"resources", {{"food", 3}}}, {"carry", 0.5},
                                     {"variables", {{"populationGrowthRate", 0.02}}}};
  auto from_patch = hourglass::messages::read_settlement(settlement, "$", rules, false);
  hourglass::sim::drop_engine_owned(from_patch);
  nlohmann::json dropped = settlement;
  hourglass::messages::drop_engine_owned_fields(hourglass::messages::EntityKind::Settlement, dropped);
  const auto from_json = hourglass::messages::read_settlement(dropped, "$", rules, false);
  CHECK(from_json.population == from_patch.population);
  CHECK(from_json.resources == from_patch.resources);
  CHECK(from_json.level == from_patch.level);
  CHECK(from_json.carry == from_patch.carry);
  CHECK(from_json.name == from_patch.name);
  CHECK(from_json.variables == from_patch.variables);

  const nlohmann::json structure = {{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"level", 2},
                                    {"status", "ACTIVE"}, {"condition", 80}, {"activeSince", "2025-01-01T00:00:00Z"}};
  auto sp = hourglass::messages::read_structure(structure, "$", rules, false);
  hourglass::sim::drop_engine_owned(sp);
  nlohmann::json sd = structure;
  hourglass::messages::drop_engine_owned_fields(hourglass::messages::EntityKind::Structure, sd);
  const auto sj = hourglass::messages::read_structure(sd, "$", rules, false);
  CHECK(sj.status == sp.status);
  CHECK(sj.condition == sp.condition);
  CHECK(sj.active_since == sp.active_since);
  CHECK(sj.level == sp.level);
  CHECK(sj.type == sp.type);

  const nlohmann::json event = {{"id", "e1"}, {"scheduledAt", "2025-01-01T00:00:00Z"}, {"isCompleted", true}};
  auto ep = hourglass::messages::read_event(event, "$", false);
  hourglass::sim::drop_engine_owned(ep);
  nlohmann::json ed = event;
  hourglass::messages::drop_engine_owned_fields(hourglass::messages::EntityKind::Event, ed);
  const auto ej = hourglass::messages::read_event(ed, "$", false);
  CHECK(ej.completed == ep.completed);
  CHECK(ej.scheduled_at == ep.scheduled_at);
}
