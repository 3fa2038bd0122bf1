// Unit tests for messages/record_reader: a SPEC §4 record line read back
// into a typed record, every refusal naming its path; and what
// messages/record_json writes reads back the same.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "messages/record_json.hpp"
#include "messages/record_reader.hpp"

using namespace hourglass::messages;
using namespace hourglass::sim;

namespace {

constexpr WorldTime kJan1 = 20089LL * 86'400'000;  // 2025-01-01T00:00:00Z

std::string line(const char* kind, const char* type, const char* changes, const char* extra = "") {
  return std::string(R"({"campaignId":"c1","worldTime":"2025-01-01T00:00:00Z","kind":")") + kind +
         R"(","entityType":")" + type + R"(","entityId":"x1","changes":)" + changes + extra + "}";
}

InputError refusal(const std::string& text) {
  try {
    read_record_line(text);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("accepted: " << text);
  throw;  // unreachable
}

}  // namespace

TEST_CASE("record reader: what record_json writes reads back", "[messages][record_reader]") {
  const std::vector<Field> changes = {{"resources.", "gold", 3}};
  const std::vector<Field> settlement = {{"resources.", "gold", -5}};
  const std::vector<Field> cost = {{"", "wood", 40}};
  RecordView v;
  v.time = kJan1 + 60'000;
  v.kind = RecordKind::MaintenancePaid;
  v.entity_id = "st1";
  const std::vector<Field> structure = {{"", "condition", 95}, {"", "status", 0, "ACTIVE"}};
  v.changes = {structure.data(), structure.size()};
  v.settlement_id = "s1";
  v.has_settlement_changes = true;
  v.settlement_changes = {settlement.data(), settlement.size()};
  std::string text;
  append_record_json(text, "c1", v);
  text.pop_back();  // the newline

  const OwnedRecord r = read_record_line(text);
  CHECK(r.campaign_id == "c1");
  CHECK(r.time == kJan1 + 60'000);
  CHECK(r.kind == RecordKind::MaintenancePaid);
  CHECK(r.entity_id == "st1");
  REQUIRE(r.changes.size() == 2);
  CHECK(r.changes[0].key == "condition");
  CHECK(std::get<std::int64_t>(r.changes[0].value) == 95);
  CHECK(r.changes[1].key == "status");
  CHECK(std::get<std::string>(r.changes[1].value) == "ACTIVE");
  CHECK(r.settlement_id == "s1");
  REQUIRE(r.has_settlement_changes);
  REQUIRE(r.settlement_changes.size() == 1);
  CHECK(r.settlement_changes[0].key == "resources.gold");
  CHECK(std::get<std::int64_t>(r.settlement_changes[0].value) == -5);
  CHECK_FALSE(r.has_cost);

  const OwnedRecord up = read_record_line(line("UPGRADE_AVAILABLE", "Structure", "{}", R"(,"settlementId":"s1","cost":{"wood":40})"));
  REQUIRE(up.has_cost);
  REQUIRE(up.cost.size() == 1);
  CHECK(up.cost[0].key == "wood");
  CHECK(std::get<std::int64_t>(up.cost[0].value) == 40);

  const OwnedRecord ev = read_record_line(line("EVENT_EXPIRED", "Event", R"({"isCompleted":true})"));
  CHECK(ev.kind == RecordKind::EventExpired);
  CHECK(std::get<bool>(ev.changes.at(0).value));
}

TEST_CASE("record reader: every kind name, once", "[messages][record_reader]") {
  for (std::size_t i = 0; i < kRecordKindCount; ++i) {
    const auto k = static_cast<RecordKind>(i);
    CHECK(record_kind_named(kind_name(k)) == k);
  }
  CHECK_FALSE(record_kind_named("resource_generation"));
}

TEST_CASE("record reader: refusals name the path", "[messages][record_reader]") {
  struct Case {
    std::string text;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"campaignId\":", "$", "not JSON"},
      {"[1]", "$", "expected a record object"},
      {R"({"worldTime":"2025-01-01T00:00:00Z"})", "$.campaignId", "required field is missing"},
      {line("FOO", "Settlement", "{}"), "$.kind", "unknown record kind \"FOO\""},
      {line("LEVEL_UP", "Structure", "{}"), "$.entityType",
       "\"Structure\" does not go with kind LEVEL_UP (expected Settlement)"},
      {line("LEVEL_UP", "Settlement", "[]"), "$.changes", "expected an object, got an array"},
      {line("LEVEL_UP", "Settlement", R"({"level":2.5})"), "$.changes.level", "expected a whole number, got 2.5"},
      {line("LEVEL_UP", "Settlement", R"({"level":"2"})"), "$.changes.level", "expected a whole number, got a string"},
      {line("LEVEL_UP", "Settlement", R"({"status":"ACTIVE"})"), "$.changes.status",
       "unexpected change \"ACTIVE\" for this kind of record"},
      {line("LEVEL_UP", "Settlement", R"({"resources.":1})"), "$.changes.resources.",
       "unexpected change 1 for this kind of record"},
      {line("DEFERRED_EFFECT", "Effect", R"({"x":1})"), "$.changes.x", "unexpected change 1 for this kind of record"},
      {line("EVENT_EXPIRED", "Event", R"({"isCompleted":1})"), "$.changes.isCompleted", "expected true or false, got a number"},
      {line("MAINTENANCE_PAID", "Structure", R"({"condition":5})"), "$.settlementId", "required field is missing"},
      {line("MAINTENANCE_PAID", "Structure", R"({"condition":5})", R"(,"settlementId":"s1","settlementChanges":{"condition":1})"),
       "$.settlementChanges.condition", "unexpected change 1 for this kind of record"},
      {line("UPGRADE_AVAILABLE", "Structure", "{}", R"(,"cost":{"wood":-1})"), "$.cost.wood", "-1 is out of range [0, 2305843009213693951]"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const InputError e = refusal(c.text);
    CHECK(e.path() == c.path);
    CHECK(e.message() == c.message);
  }
  // One whole-number rule: 5.0 is 5.
  const OwnedRecord r = read_record_line(line("LEVEL_UP", "Settlement", R"({"level":5.0})"));
  CHECK(std::get<std::int64_t>(r.changes.at(0).value) == 5);
}
