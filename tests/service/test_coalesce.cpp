#include <catch2/catch.hpp>

#include "io/coalesce.hpp"
#include "messages/record_reader.hpp"

using hourglass::io::coalesce;
using hourglass::io::coalesce_jsonl;
using hourglass::io::CoalesceError;
using hourglass::io::EntityWrite;
using nlohmann::json;
using Kind = EntityWrite::Kind;

namespace {

hourglass::sim::WorldTime ms(const char* iso) { return *hourglass::sim::parse_world_time(iso); }

std::string rec(const char* time, const char* kind, const char* type, const char* id, const char* changes,
                const char* extra = "") {
  return std::string(R"({"campaignId":"c1","worldTime":")") + time + R"(","kind":")" + kind +
         R"(","entityType":")" + type + R"(","entityId":")" + id + R"(","changes":)" + changes + extra + "}";
}

EntityWrite write(Kind kind, const char* id, json changes, std::string key, const char* time) {
  EntityWrite w;
  w.kind = kind;
  w.entity_id = id;
  w.changes = std::move(changes);
  w.idempotency_key = std::move(key);
  w.world_time = ms(time);
  return w;
}

std::string key(const char* type, const char* id, const char* kind, const char* time) {
  return std::string("c1:") + type + ":" + id + ":" + kind + ":" + std::to_string(ms(time));
}

// The records of `lines`, read as coalesce_jsonl reads them.
std::vector<hourglass::sim::OwnedRecord> records(const std::vector<std::string>& lines) {
  std::vector<hourglass::sim::OwnedRecord> out;
  for (const std::string& line : lines) out.push_back(hourglass::messages::read_record_line(line));
  return out;
}

std::string jsonl(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

constexpr const char* T1 = "2025-01-01T01:00:00.000Z";
constexpr const char* T2 = "2025-01-01T02:00:00.000Z";
constexpr const char* T3 = "2025-01-01T03:00:00.000Z";
constexpr const char* T4 = "2025-01-01T04:00:00.000Z";
constexpr const char* T5 = "2025-01-01T04:05:00.000Z";
constexpr const char* T6 = "2025-01-01T06:00:00.000Z";

}  // namespace

TEST_CASE("coalesce: one write per entity with final values, keyed by its last record", "[service][coalesce]") {
  const std::vector<std::string> lines = {
      rec(T1, "DEFERRED_EFFECT", "Effect", "fx1", "{}"),
      rec(T1, "RESOURCE_GENERATION", "Settlement", "s1", R"({"resources.food":12,"resources.gold":6})"),
      rec(T1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":121})"),
      rec(T2, "CONSTRUCTION_COMPLETE", "Structure", "st1", R"({"status":"ACTIVE","condition":100})"),
      rec(T2, "MAINTENANCE_MISSED", "Structure", "st2", "{}", R"(,"settlementId":"s1")"),
      rec(T2, "UPGRADE_AVAILABLE", "Structure", "st2", "{}", R"(,"settlementId":"s1","cost":{"gold":50})"),
      rec(T3, "MAINTENANCE_PAID", "Structure", "st3", R"({"condition":95})",
          R"(,"settlementId":"s2","settlementChanges":{"resources.gold":3})"),
      rec(T3, "RESOURCE_GENERATION", "Settlement", "s1", R"({"resources.food":19,"resources.gold":7})"),
      rec(T4, "MAINTENANCE_PAID", "Structure", "st4", R"({"condition":60,"status":"ACTIVE"})",
          R"(,"settlementId":"s1","settlementChanges":{"resources.gold":5})"),
      rec(T4, "MAINTENANCE_MISSED", "Structure", "st2", R"({"condition":40,"status":"DAMAGED"})",
          R"(,"settlementId":"s1")"),
      rec(T5, "EVENT_EXPIRED", "Event", "e1", R"({"isCompleted":true})"),
      rec(T6, "LEVEL_UP", "Settlement", "s1", R"({"level":2})"),
  };
  const std::vector<EntityWrite> expected = {
      write(Kind::ExecuteEffect, "fx1", json::object(), key("Effect", "fx1", "DEFERRED_EFFECT", T1), T1),
      // resources.gold: 6, then 7, then 5 from st4's MAINTENANCE_PAID debit.
      write(Kind::Settlement, "s1",
            {{"resources.food", 19}, {"resources.gold", 5}, {"population", 121}, {"level", 2}},
            key("Settlement", "s1", "LEVEL_UP", T6), T6),
      write(Kind::Structure, "st1", {{"status", "ACTIVE"}, {"condition", 100}, {"activeSince", T2}},
            key("Structure", "st1", "CONSTRUCTION_COMPLETE", T2), T2),
      write(Kind::Structure, "st3", {{"condition", 95}}, key("Structure", "st3", "MAINTENANCE_PAID", T3), T3),
      write(Kind::Settlement, "s2", {{"resources.gold", 3}}, key("Settlement", "s2", "MAINTENANCE_PAID", T3), T3),
      write(Kind::Structure, "st4", {{"condition", 60}, {"status", "ACTIVE"}},
            key("Structure", "st4", "MAINTENANCE_PAID", T4), T4),
      // st2's first two records were notices: its write is placed by its first change.
      write(Kind::Structure, "st2", {{"condition", 40}, {"status", "DAMAGED"}},
            key("Structure", "st2", "MAINTENANCE_MISSED", T4), T4),
      write(Kind::ExpireEvent, "e1", {{"isCompleted", true}}, key("Event", "e1", "EVENT_EXPIRED", T5), T5),
  };
  const std::vector<EntityWrite> got = coalesce(records(lines));
  CHECK(coalesce_jsonl(jsonl(lines)) == got);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("write " << i << ": " << hourglass::io::to_string(got[i].kind) << " " << got[i].entity_id << " "
                  << got[i].changes.dump() << " " << got[i].idempotency_key);
    CHECK(got[i] == expected[i]);
  }
  // The SPEC §4 key format, spelled out once.
  CHECK(got[0].idempotency_key == "c1:Effect:fx1:DEFERRED_EFFECT:1735693200000");
}

TEST_CASE("coalesce: a settlement write last touched by MAINTENANCE_PAID gets its own key", "[service][coalesce]") {
  const std::vector<std::string> lines = {
      rec(T1, "RESOURCE_GENERATION", "Settlement", "s1", R"({"resources.gold":9})"),
      rec(T2, "MAINTENANCE_PAID", "Structure", "st1", R"({"condition":100})",
          R"(,"settlementId":"s1","settlementChanges":{"resources.gold":8})"),
  };
  const auto got = coalesce_jsonl(jsonl(lines));
  REQUIRE(got.size() == 2);
  CHECK(got[0].kind == Kind::Settlement);
  CHECK(got[0].changes == json{{"resources.gold", 8}});
  CHECK(got[0].idempotency_key == key("Settlement", "s1", "MAINTENANCE_PAID", T2));
  CHECK(got[0].world_time == ms(T2));
  CHECK(got[1].kind == Kind::Structure);
  CHECK(got[1].idempotency_key == key("Structure", "st1", "MAINTENANCE_PAID", T2));
  CHECK(got[0].idempotency_key != got[1].idempotency_key);
}

TEST_CASE("coalesce: notices alone produce no write - empty input none at all", "[service][coalesce]") {
  CHECK(coalesce({}).empty());
  CHECK(coalesce(records({rec(T1, "MAINTENANCE_MISSED", "Structure", "st1", "{}", R"(,"settlementId":"s1")"),
                          rec(T1, "UPGRADE_AVAILABLE", "Structure", "st1", "{}",
                              R"(,"settlementId":"s1","cost":{"gold":1})")}))
            .empty());
}

TEST_CASE("coalesce: JSON-lines text, blank lines skipped but counted", "[service][coalesce]") {
  const std::string text = rec(T1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":5})") + "\n\n" +
                           rec(T2, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":6})") + "\r\n" +
                           "{\"campaignId\":\"c1\"}\n";
  try {
    coalesce_jsonl(text);
    FAIL("a bad line was accepted");
  } catch (const CoalesceError& e) {
    CHECK(e.line() == 4);
    CHECK(std::string(e.what()).find("$.worldTime") != std::string::npos);
  }
  const auto got = coalesce_jsonl(text.substr(0, text.rfind("{\"campaignId\":\"c1\"}")));
  REQUIRE(got.size() == 1);
  CHECK(got[0].changes == json{{"population", 6}});
}

TEST_CASE("coalesce: malformed lines are rejected with their line number", "[service][coalesce]") {
  const std::string good = rec(T1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":5})");
  struct Case {
    std::string line;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"{\"campaignId\":", "not JSON"},
      {"[1,2]", "record object"},
      {rec("2025-13-01T00:00:00Z", "POPULATION_GROWTH", "Settlement", "s1", "{}"), "$.worldTime"},
      {rec(T1, "FOO", "Settlement", "s1", "{}"), "unknown record kind"},
      {rec(T1, "POPULATION_GROWTH", "Structure", "s1", "{}"), "$.entityType"},
      {rec(T1, "POPULATION_GROWTH", "Settlement", "", "{}"), "$.entityId"},
      {rec(T1, "POPULATION_GROWTH", "Settlement", "s1", "[]"), "$.changes"},
      {rec(T1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":"many"})"), "$.changes.population"},
      {rec(T1, "CONSTRUCTION_COMPLETE", "Structure", "st1", R"({"population":1})"), "$.changes.population"},
      {rec(T1, "MAINTENANCE_PAID", "Structure", "st1", R"({"condition":5})"), "$.settlementId"},
      {rec(T1, "MAINTENANCE_PAID", "Structure", "st1", R"({"condition":5})", R"(,"settlementId":"s1")"),
       "$.settlementChanges"},
      {R"({"campaignId":"c2","worldTime":"2025-01-01T00:00:00Z","kind":"LEVEL_UP","entityType":"Settlement","entityId":"s1","changes":{}})",
       "differs"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    try {
      coalesce_jsonl(jsonl({good, good, c.line}));
      FAIL("accepted");
    } catch (const CoalesceError& e) {
      CHECK(e.line() == 3);
      CHECK_THAT(e.what(), Catch::Contains(c.says));
    }
  }
}

TEST_CASE("coalesce: a record of another campaign is named by its line, blank lines counted", "[service][coalesce]") {
  const std::string good = rec(T1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":5})");
  std::string other = good;
  other.replace(other.find("\"c1\""), 4, "\"c2\"");
  try {
    coalesce_jsonl(good + "\n\n" + other + "\n");
    FAIL("accepted");
  } catch (const CoalesceError& e) {
    CHECK(e.line() == 3);
    CHECK(e.message() == R"($.campaignId: "c2" differs from "c1" (one advance of one campaign))");
    CHECK(std::string(e.what()) == "record line 3: " + e.message());
  }
  try {
    coalesce(records({good, good, other}));
    FAIL("accepted");
  } catch (const CoalesceError& e) {
    CHECK(e.line() == 3);  // the record's position
  }
}

TEST_CASE("coalesce: carries ride on the settlement's write, or get a write of their own", "[service][coalesce]") {
  std::vector<EntityWrite> writes(1);
  writes[0].kind = EntityWrite::Kind::Settlement;
  writes[0].entity_id = "s1";
  writes[0].changes = {{"population", 102}};
  writes[0].idempotency_key = "c1:Settlement:s1:POPULATION_GROWTH:7200000";
  hourglass::io::attach_carries(writes, "c1", {{"s1", 0.412}, {"s2", 0.25}}, 7'200'000);
  REQUIRE(writes.size() == 2);
  CHECK(writes[0].changes == nlohmann::json{{"population", 102}, {"carry", 0.412}});
  CHECK(writes[0].idempotency_key == "c1:Settlement:s1:POPULATION_GROWTH:7200000");  // unchanged
  CHECK(writes[1].kind == EntityWrite::Kind::Settlement);
  CHECK(writes[1].entity_id == "s2");
  CHECK(writes[1].changes == nlohmann::json{{"carry", 0.25}});
  CHECK(writes[1].idempotency_key == "c1:Settlement:s2:CARRY:7200000");
  CHECK(writes[1].world_time == 7'200'000);
}
