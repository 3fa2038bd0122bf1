// Unit tests for messages/record_json: the JSON line of each record kind
// (SPEC §4), string escaping, the idempotency key, and BatchWriter's groups.
// The expected lines are written out from the SPEC's table and example.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "messages/record_json.hpp"
#include "messages/record_reader.hpp"

using namespace hourglass::messages;
using namespace hourglass::sim;

namespace {

// 2025-01-01T00:00:00Z = 20089 days after the epoch.
constexpr WorldTime kJan1 = 20089LL * 86'400'000;
constexpr WorldTime kHour = 3'600'000;

FieldList list(const std::vector<Field>& v) { return {v.data(), v.size()}; }

std::string line(std::string_view campaign, const RecordView& r) {
  std::string out;
  append_record_json(out, campaign, r);
  return out;
}

RecordView view(WorldTime t, RecordKind kind, std::string_view id) {
  RecordView r;
  r.time = t;
  r.kind = kind;
  r.entity_id = id;
  return r;
}

}  // namespace

TEST_CASE("the SPEC §4 example line", "[record_json]") {
  const std::vector<Field> changes{{"", "population", 1212}};
  RecordView r = view(kJan1 + 2 * kHour, RecordKind::PopulationGrowth, "s1");
  r.changes = list(changes);
  CHECK(line("c1", r) ==
        R"({"campaignId":"c1","worldTime":"2025-01-01T02:00:00.000Z","kind":"POPULATION_GROWTH","entityType":"Settlement","entityId":"s1","changes":{"population":1212}})"
        "\n");
}

TEST_CASE("the JSON line of each record kind", "[record_json]") {
  const WorldTime t = kJan1 + kHour + 1;  // 01:00:00.001
  const std::string head = R"({"campaignId":"c1","worldTime":"2025-01-01T01:00:00.001Z",)";

  SECTION("RESOURCE_GENERATION") {
    const std::vector<Field> changes{{"resources.", "food", 22}, {"resources.", "gold", 0}};
    RecordView r = view(t, RecordKind::ResourceGeneration, "s1");
    r.changes = list(changes);
    CHECK(line("c1", r) == head +
                               R"("kind":"RESOURCE_GENERATION","entityType":"Settlement","entityId":"s1","changes":{"resources.food":22,"resources.gold":0}})"
                               "\n");
  }
  SECTION("LEVEL_UP") {
    const std::vector<Field> changes{{"", "level", 3}};
    RecordView r = view(t, RecordKind::LevelUp, "s1");
    r.changes = list(changes);
    CHECK(line("c1", r) == head +
                               R"("kind":"LEVEL_UP","entityType":"Settlement","entityId":"s1","changes":{"level":3}})"
                               "\n");
  }
  SECTION("CONSTRUCTION_COMPLETE") {
    const std::vector<Field> changes{{"", "status", 0, "ACTIVE"}, {"", "condition", 100}};
    RecordView r = view(t, RecordKind::ConstructionComplete, "st1");
    r.changes = list(changes);
    CHECK(line("c1", r) == head +
                               R"("kind":"CONSTRUCTION_COMPLETE","entityType":"Structure","entityId":"st1","changes":{"status":"ACTIVE","condition":100}})"
                               "\n");
  }
  SECTION("MAINTENANCE_PAID") {
    const std::vector<Field> changes{{"", "condition", 50}, {"", "status", 0, "ACTIVE"}};
    const std::vector<Field> debit{{"resources.", "food", 0}, {"resources.", "gold", 3}};
    RecordView r = view(t, RecordKind::MaintenancePaid, "st1");
    r.changes = list(changes);
    r.settlement_id = "s1";
    r.has_settlement_changes = true;
    r.settlement_changes = list(debit);
    CHECK(line("c1", r) == head +
                               R"("kind":"MAINTENANCE_PAID","entityType":"Structure","entityId":"st1","changes":{"condition":50,"status":"ACTIVE"},"settlementId":"s1","settlementChanges":{"resources.food":0,"resources.gold":3}})"
                               "\n");
  }
  SECTION("MAINTENANCE_PAID with a debit only") {
    const std::vector<Field> debit{{"resources.", "gold", 4}};
    RecordView r = view(t, RecordKind::MaintenancePaid, "st1");
    r.settlement_id = "s1";
    r.has_settlement_changes = true;
    r.settlement_changes = list(debit);
    CHECK(line("c1", r) == head +
                               R"("kind":"MAINTENANCE_PAID","entityType":"Structure","entityId":"st1","changes":{},"settlementId":"s1","settlementChanges":{"resources.gold":4}})"
                               "\n");
  }
  SECTION("MAINTENANCE_MISSED with no changes") {
    RecordView r = view(t, RecordKind::MaintenanceMissed, "st1");
    r.settlement_id = "s1";
    CHECK(line("c1", r) == head +
                               R"("kind":"MAINTENANCE_MISSED","entityType":"Structure","entityId":"st1","changes":{},"settlementId":"s1"})"
                               "\n");
  }
  SECTION("MAINTENANCE_MISSED with changes") {
    const std::vector<Field> changes{{"", "condition", 45}, {"", "status", 0, "DAMAGED"}};
    RecordView r = view(t, RecordKind::MaintenanceMissed, "st1");
    r.changes = list(changes);
    r.settlement_id = "s1";
    CHECK(line("c1", r) == head +
                               R"("kind":"MAINTENANCE_MISSED","entityType":"Structure","entityId":"st1","changes":{"condition":45,"status":"DAMAGED"},"settlementId":"s1"})"
                               "\n");
  }
  SECTION("UPGRADE_AVAILABLE") {
    const std::vector<Field> cost{{"", "gold", 100}, {"", "stone", 20}};
    RecordView r = view(t, RecordKind::UpgradeAvailable, "st1");
    r.settlement_id = "s1";
    r.has_cost = true;
    r.cost = list(cost);
    CHECK(line("c1", r) == head +
                               R"("kind":"UPGRADE_AVAILABLE","entityType":"Structure","entityId":"st1","changes":{},"settlementId":"s1","cost":{"gold":100,"stone":20}})"
                               "\n");
  }
  SECTION("EVENT_EXPIRED") {
    const std::vector<Field> changes{{"", "isCompleted", 0, "true", true}};
    RecordView r = view(t, RecordKind::EventExpired, "e1");
    r.changes = list(changes);
    CHECK(line("c1", r) == head +
                               R"("kind":"EVENT_EXPIRED","entityType":"Event","entityId":"e1","changes":{"isCompleted":true}})"
                               "\n");
  }
  SECTION("DEFERRED_EFFECT") {
    RecordView r = view(t, RecordKind::DeferredEffect, "fx1");
    CHECK(line("c1", r) == head +
                               R"("kind":"DEFERRED_EFFECT","entityType":"Effect","entityId":"fx1","changes":{}})"
                               "\n");
  }
}

TEST_CASE("numbers: negative and large integers", "[record_json]") {
  const std::vector<Field> changes{{"resources.", "debt", -42},
                                   {"resources.", "hoard", 9'007'199'254'740'993}};
  RecordView r = view(0, RecordKind::ResourceGeneration, "s1");
  r.changes = list(changes);
  const std::string out = line("c1", r);
  CHECK_THAT(out, Catch::Contains(R"("changes":{"resources.debt":-42,"resources.hoard":9007199254740993})"));
  CHECK_THAT(out, Catch::Contains(R"("worldTime":"1970-01-01T00:00:00.000Z")"));
  const auto doc = nlohmann::json::parse(out);
  CHECK(doc["changes"]["resources.hoard"].get<std::int64_t>() == 9'007'199'254'740'993);
}

TEST_CASE("append_json_string escapes what JSON requires", "[record_json]") {
  auto str = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  CHECK(str("plain") == R"("plain")");
  CHECK(str("") == R"("")");
  CHECK(str(R"(a"b)") == R"("a\"b")");
  CHECK(str(R"(a\b)") == R"("a\\b")");
  CHECK(str("line\nbreak") == R"("line\nbreak")");
  CHECK(str("cr\rtab\t") == R"("cr\rtab\t")");
  CHECK(str(std::string_view("nul\0x", 5)) == R"("nul\u0000x")");
  CHECK(str("\x01\x1f") == R"("\u0001\u001f")");
  CHECK(str("\b\f") == R"("\u0008\u000c")");
  // Not control characters: passed through.
  CHECK(str("/ \x7f") == "\"/ \x7f\"");
  // UTF-8 passes through byte for byte.
  CHECK(str("Dûnmere \xE2\x9C\x93 \xF0\x9F\x8F\xB0") == "\"Dûnmere \xE2\x9C\x93 \xF0\x9F\x8F\xB0\"");
  // Appends, does not replace.
  std::string out = "x";
  append_json_string(out, "y");
  CHECK(out == R"(x"y")");
}

TEST_CASE("append_json_string finds a character to escape at any place of any length", "[record_json]") {
  // The scan reads words of 8 bytes (the last one overlapping): each
  // character JSON escapes, and the bytes around them that it must not
  // (0x20, 0x7f, 0x80, 0xff), at every place of strings of 0..24 bytes.
  const std::string specials = std::string("\"\\\n\x01\x1f", 5) + std::string(1, '\0');
  const std::string harmless = std::string("\x20\x7f\x80\xff!#[]", 8);
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (char c : specials + harmless) {
        std::string s(length, 'x');
        s[at] = c;
        std::string out;
        append_json_string(out, s);
        const bool escaped = out.size() != s.size() + 2;
        const bool ascii = static_cast<unsigned char>(c) < 0x80;  // a lone 0x80 is not UTF-8 to parse
        const bool round_trips = ascii ? nlohmann::json::parse(out) == s : out == "\"" + s + "\"";
        if (escaped != (specials.find(c) != std::string::npos) || !round_trips)
          FAIL("length " << length << ", byte " << int(static_cast<unsigned char>(c)) << " at " << at << ": " << out);
      }
    }
  }
}

TEST_CASE("append_json_string reads nothing of a string's neighbours, even at the end of a page",
          "[record_json]") {
  // Short strings are checked 16 bytes at a time (what follows them in
  // memory is read, never used), except when those 16 would cross into the
  // next page. Here the next page is unmapped: a read past the string's page
  // would crash the test.
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* mem = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mem != MAP_FAILED);
  REQUIRE(::mprotect(static_cast<char*>(mem) + page, page, PROT_NONE) == 0);
  char* end = static_cast<char*>(mem) + page;
  std::memset(mem, '"', page);  // neighbours that would need escaping
  for (std::size_t length = 1; length <= 16; ++length) {
    for (std::size_t gap : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}}) {
      char* s = end - gap - length;
      std::memset(s, 'a', length);
      std::string out;
      append_json_string(out, std::string_view(s, length));
      CHECK(out == "\"" + std::string(length, 'a') + "\"");
      s[length - 1] = '\\';
      out.clear();
      append_json_string(out, std::string_view(s, length));
      CHECK(out == "\"" + std::string(length - 1, 'a') + "\\\\\"");
      std::memset(s, '"', length);
    }
  }
  ::munmap(mem, 2 * page);
}

TEST_CASE("escaped lines parse back to the original strings", "[record_json]") {
  const std::string campaign = std::string("c\"1\\ \n\t\x01 ") + "caf\xC3\xA9";
  const std::string entity = "s\"\x1f\xE2\x9C\x93";
  const std::string resource = "fo\"od\\";
  const std::vector<Field> changes{{"resources.", resource, 7}};
  const std::vector<Field> cost{{"", resource, 3}};
  RecordView r = view(kJan1, RecordKind::UpgradeAvailable, entity);
  r.changes = list(changes);
  r.settlement_id = "s\\1";
  r.has_cost = true;
  r.cost = list(cost);
  const std::string out = line(campaign, r);
  REQUIRE(out.back() == '\n');
  CHECK(out.find('\n') == out.size() - 1);  // one line: control characters escaped
  const auto doc = nlohmann::json::parse(out);
  CHECK(doc["campaignId"] == campaign);
  CHECK(doc["entityId"] == entity);
  CHECK(doc["settlementId"] == "s\\1");
  CHECK(doc["changes"]["resources." + resource] == 7);
  CHECK(doc["cost"][resource] == 3);
  CHECK(doc["worldTime"] == "2025-01-01T00:00:00.000Z");
  CHECK(doc["kind"] == "UPGRADE_AVAILABLE");
  CHECK(doc["entityType"] == "Structure");
}

TEST_CASE("every record line parses with nlohmann::json, keys in SPEC order", "[record_json]") {
  const std::vector<Field> changes{{"", "condition", 50}, {"", "status", 0, "ACTIVE"}};
  const std::vector<Field> debit{{"resources.", "gold", 3}};
  RecordView r = view(kJan1, RecordKind::MaintenancePaid, "st1");
  r.changes = list(changes);
  r.settlement_id = "s1";
  r.has_settlement_changes = true;
  r.settlement_changes = list(debit);
  const auto doc = nlohmann::ordered_json::parse(line("c1", r));
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"campaignId", "worldTime", "kind", "entityType",
                                         "entityId", "changes", "settlementId",
                                         "settlementChanges"});
  CHECK(doc["changes"]["condition"] == 50);
  CHECK(doc["changes"]["status"] == "ACTIVE");
  CHECK(doc["settlementChanges"]["resources.gold"] == 3);
}

TEST_CASE("idempotency key: campaignId:entityType:entityId:kind:worldTime in ms",
          "[record_json]") {
  const RecordView pg = view(kJan1 + 2 * kHour, RecordKind::PopulationGrowth, "s1");
  // 20089 days * 86400000 + 2 h = 1735696800000
  CHECK(idempotency_key("c1", pg) == "c1:Settlement:s1:POPULATION_GROWTH:1735696800000");
  CHECK(idempotency_key("c1", view(kJan1 + 5, RecordKind::MaintenanceMissed, "st1")) ==
        "c1:Structure:st1:MAINTENANCE_MISSED:1735689600005");
  CHECK(idempotency_key("camp", view(0, RecordKind::EventExpired, "e1")) ==
        "camp:Event:e1:EVENT_EXPIRED:0");
  CHECK(idempotency_key("camp", view(-1, RecordKind::DeferredEffect, "fx1")) ==
        "camp:Effect:fx1:DEFERRED_EFFECT:-1");
  // Two records that differ only in time, kind or entity get different keys.
  CHECK(idempotency_key("c1", view(1, RecordKind::LevelUp, "s1")) !=
        idempotency_key("c1", view(2, RecordKind::LevelUp, "s1")));
  CHECK(idempotency_key("c1", view(1, RecordKind::LevelUp, "s1")) !=
        idempotency_key("c1", view(1, RecordKind::PopulationGrowth, "s1")));
}

TEST_CASE("BatchWriter groups the lines by instant", "[record_json]") {
  RecordBatch batch;
  BatchWriter writer("c1", batch);
  writer.record(view(kJan1, RecordKind::DeferredEffect, "fx1"));
  writer.record(view(kJan1, RecordKind::DeferredEffect, "fx2"));
  writer.record(view(kJan1 + kHour, RecordKind::DeferredEffect, "fx3"));
  CHECK(batch.records == 3);
  REQUIRE(batch.groups.size() == 2);
  CHECK(batch.groups[0].time == kJan1);
  CHECK(batch.groups[1].time == kJan1 + kHour);
  const std::string fx1 = line("c1", view(kJan1, RecordKind::DeferredEffect, "fx1"));
  const std::string fx2 = line("c1", view(kJan1, RecordKind::DeferredEffect, "fx2"));
  const std::string fx3 = line("c1", view(kJan1 + kHour, RecordKind::DeferredEffect, "fx3"));
  CHECK(batch.groups[0].end == fx1.size() + fx2.size());
  CHECK(batch.groups[1].end == batch.text.size());
  CHECK(batch.text.str() == fx1 + fx2 + fx3);
}

TEST_CASE("BatchWriter notes whether every instant of its batch is a whole minute", "[record_json]") {
  RecordBatch minutes, not_minutes, reused;
  BatchWriter a("c1", minutes), b("c1", not_minutes);
  a.record(view(kJan1 + kHour, RecordKind::LevelUp, "s1"));
  a.record(view(kJan1 + 2 * kHour + 60'000, RecordKind::LevelUp, "s1"));
  CHECK(minutes.whole_minutes);
  b.record(view(kJan1 + kHour, RecordKind::LevelUp, "s1"));
  b.record(view(kJan1 + kHour + 1'000, RecordKind::LevelUp, "s1"));
  b.record(view(kJan1 + 2 * kHour, RecordKind::LevelUp, "s1"));
  CHECK_FALSE(not_minutes.whole_minutes);
  {
    BatchWriter c("c1", reused);
    c.record(view(kJan1 + 30'000, RecordKind::LevelUp, "s1"));
  }
  CHECK_FALSE(reused.whole_minutes);
  reused.clear();
  BatchWriter d("c1", reused);
  d.record(view(kJan1, RecordKind::LevelUp, "s1"));
  CHECK(reused.whole_minutes);  // a cleared batch starts over
}

TEST_CASE("BatchWriter asks its gate once - closed, its records get no text and count as untexted",
          "[record_json]") {
  int asked = 0;
  // A gate that says `answer` and counts how often it is asked.
  auto gate = [&asked](bool answer) -> std::function<bool()> {
    return [&asked, answer] {
      ++asked;
      return answer;
    };
  };
  const RecordCapture closed{true, false, gate(false)};
  RecordBatch gated;
  BatchWriter w("c1", gated, closed);
  w.record(view(kJan1, RecordKind::LevelUp, "s1"));
  w.record(view(kJan1 + kHour, RecordKind::LevelUp, "s2"));
  CHECK(asked == 1);
  CHECK_FALSE(w.writes_text());
  CHECK(gated.text.empty());
  CHECK(gated.groups.empty());
  CHECK(gated.records == 2);
  CHECK(gated.untexted == 2);

  const RecordCapture open{true, false, gate(true)};
  RecordBatch written;
  BatchWriter o("c1", written, open);
  o.record(view(kJan1, RecordKind::LevelUp, "s1"));
  CHECK(asked == 2);
  CHECK(o.writes_text());
  CHECK(written.untexted == 0);
  CHECK(written.text.view() == line("c1", view(kJan1, RecordKind::LevelUp, "s1")));

  // No text asked for: the gate is not asked, and nothing is untexted.
  const RecordCapture changes_only{false, true, gate(false)};
  RecordBatch changes;
  BatchWriter c("c1", changes, changes_only);
  c.record(view(kJan1, RecordKind::LevelUp, "s1"));
  CHECK(asked == 2);
  CHECK(changes.untexted == 0);
  CHECK(changes.records == 1);
}

TEST_CASE("BatchWriter with changes: what the records change, folded as their lines fold, text optional",
          "[record_json][changes]") {
  const std::vector<Field> changes{{"resources.", "gold", 282, nullptr}, {{}, "status", 0, "ACTIVE"}};
  const std::vector<Field> completed{{{}, "isCompleted", 0, "true", true}};
  const std::vector<Field> cost{{{}, "wood", 40, nullptr}};
  RecordView paid = view(kJan1, RecordKind::MaintenancePaid, "st\u00e91");
  const std::vector<Field> condition{{{}, "condition", 88, nullptr}};
  paid.changes = list(condition);
  paid.settlement_id = "s\"1";
  paid.has_settlement_changes = true;
  const std::vector<Field> gold{{"resources.", "gold", 282, nullptr}};
  paid.settlement_changes = list(gold);
  RecordView up = view(kJan1, RecordKind::UpgradeAvailable, "st2");
  up.settlement_id = "s1";
  up.has_cost = true;
  up.cost = list(cost);
  RecordView expired = view(kJan1 + kHour, RecordKind::EventExpired, "ev1");
  expired.changes = list(completed);
  RecordView grown = view(kJan1 + kHour, RecordKind::PopulationGrowth, "s1");
  const std::vector<Field> population{{{}, "population", -7, nullptr}};
  grown.changes = list(population);

  RecordBatch both, plain, changes_only;
  BatchWriter with("c1", both, {true, true}), without("c1", plain), no_text("c1", changes_only, {false, true});
  for (const RecordView* r : {&paid, &up, &expired, &grown}) {
    with.record(*r);
    without.record(*r);
    no_text.record(*r);
  }
  // The text is the same either way; without, no changes are kept; without
  // text, no line is written but every record is counted.
  CHECK(both.text.str() == plain.text.str());
  CHECK(plain.changes.empty());
  CHECK(changes_only.text.empty());
  CHECK(changes_only.groups.empty());
  CHECK(changes_only.records == 4);
  CHECK(both.records == 4);
  // The view path folds exactly as the lines read back do.
  hourglass::sim::ChangeCollector from_lines;
  std::size_t start = 0;
  const std::string all = both.text.str();
  for (std::size_t end; (end = all.find('\n', start)) != std::string::npos; start = end + 1)
    from_lines.add(read_record_line(std::string_view(all).substr(start, end - start)));
  const auto expected = from_lines.take();
  REQUIRE(expected.size() == 4);  // st\u00e91, s"1, ev1, s1 (the upgrade notice changes nothing)
  CHECK(expected[0].entity_id == "st\u00e91");
  CHECK(expected[1].entity_id == "s\"1");
  CHECK(std::get<bool>(expected[2].changes.at(0).value));
  CHECK(std::get<std::int64_t>(expected[3].changes.at(0).value) == -7);
  CHECK(both.changes.take() == expected);
  CHECK(changes_only.changes.take() == expected);
  both.clear();
  CHECK(both.changes.empty());
}

TEST_CASE("RecordJsonWriter: one writer, many instants, same lines as one-off writes",
          "[record_json]") {
  // The writer caches the formatted date and time; every line must still
  // carry its own instant, across days, before the epoch and past year 9999.
  const std::vector<WorldTime> times{kJan1,
                                     kJan1,  // the same instant again
                                     kJan1 + 1,
                                     kJan1 + kHour,
                                     kJan1 + 86'400'000 - 1,
                                     kJan1 + 86'400'000,  // the next day
                                     kJan1 + kHour,       // back to the previous day
                                     0,
                                     -1,
                                     -86'400'000,
                                     -86'400'001,
                                     253'402'300'800'000,  // year 10000
                                     kJan1};
  RecordJsonWriter writer("c\"1");
  TextBuffer buffer;
  std::string expected;
  for (WorldTime t : times) {
    const RecordView r = view(t, RecordKind::DeferredEffect, "fx1");
    writer.append(buffer, r);
    expected += R"({"campaignId":"c\"1","worldTime":")" + format_world_time(t) +
                R"(","kind":"DEFERRED_EFFECT","entityType":"Effect","entityId":"fx1","changes":{}})"
                "\n";
    INFO("t = " << t);
    CHECK(buffer.str() == expected);
  }
  // Spot checks of the formatted instants themselves.
  CHECK_THAT(buffer.str(), Catch::Contains(R"("worldTime":"1969-12-31T23:59:59.999Z")"));
  CHECK_THAT(buffer.str(), Catch::Contains(R"("worldTime":"1969-12-30T23:59:59.999Z")"));
  CHECK_THAT(buffer.str(), Catch::Contains(R"("worldTime":"2025-01-01T23:59:59.999Z")"));
  CHECK_THAT(buffer.str(), Catch::Contains(R"("worldTime":"2025-01-02T00:00:00.000Z")"));
  CHECK_THAT(buffer.str(), Catch::Contains(R"("worldTime":"+010000-01-01T00:00:00.000Z")"));
}
