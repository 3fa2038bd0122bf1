// SPEC §6/§7 bad input. A scenario that does not load is refused whole, with
// the JSON path (or file:line) of the fault. A bad message is refused on its
// own: counted, dead-lettered with its reason, and it changes nothing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "messages/input_error.hpp"
#include "support/replay_support.hpp"
#include "support/scenario_generator.hpp"

namespace fs = std::filesystem;
using hourglass::messages::InputError;
using hourglass::runtime::load_scenario;
using hourglass::runtime::parse_scenario;
using nlohmann::json;
namespace ht = hourglass::testing;

namespace {

// A valid scenario: one campaign whose load fires an overdue construction,
// with pending timers of every kind.
json base_scenario() {
  return json::parse(R"({
    "name": "bad-input-base",
    "campaigns": [{
      "id": "c1", "currentWorldTime": "2025-04-01T00:00:00.000Z",
      "settlements": [
        {"id": "s1", "name": "Cinderholm", "level": 1, "population": 100,
         "resources": {"food": 10, "gold": 10}, "createdAt": "2025-04-01T00:00:00.000Z"},
        {"id": "s2", "name": "Dunmere", "level": 2, "population": 1200,
         "resources": {"food": 0, "gold": 3}}
      ],
      "structures": [
        {"id": "st1", "settlementId": "s1", "type": "farm", "level": 1, "status": "ACTIVE",
         "condition": 80, "createdAt": "2025-03-30T00:00:00.000Z"},
        {"id": "st2", "settlementId": "s2", "type": "mine", "level": 1,
         "status": "UNDER_CONSTRUCTION", "condition": 0, "createdAt": "2025-03-01T00:00:00.000Z"}
      ],
      "events": [{"id": "e1", "scheduledAt": "2025-04-01T03:00:00.000Z", "isCompleted": false}],
      "deferredEffects": [{"id": "fx1", "executeAt": "2025-04-01T02:00:00.000Z"}]
    }, {
      "id": "c2", "currentWorldTime": "2025-04-01T00:00:00.000Z",
      "settlements": [{"id": "s1", "name": "Ashford", "level": 1, "population": 50,
                       "resources": {"food": 0, "gold": 0}}]
    }]
  })");
}

// A temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("hourglass-bad-input-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

// The fault's path must be named both by path() and in what().
template <class F>
void require_refused(F load, const std::string& where) {
  try {
    load();
    FAIL("the scenario was accepted; expected a refusal naming " << where);
  } catch (const InputError& e) {
    INFO("what(): " << e.what() << "\npath(): " << e.path());
    REQUIRE(std::string(e.what()).find(where) != std::string::npos);
    REQUIRE(e.path().find(where) != std::string::npos);
  }
}

json advance(const std::string& campaign, const std::string& prev, const std::string& next) {
  return {{"channel", "campaign." + campaign + ".worldTimeAdvanced"},
          {"payload", {{"campaignId", campaign}, {"previousTime", prev}, {"newTime", next}}}};
}

json modified(json payload) {
  return {{"channel", "campaign." + payload["campaignId"].get<std::string>() + ".entityModified"},
          {"payload", std::move(payload)}};
}

struct BadMessage {
  json message;
  std::string reason_names;  // a substring the refusal reason must contain
};

// One bad message per SPEC §7 case (and reading 8), each of which would
// change something if it were (partly) applied.
std::vector<BadMessage> bad_messages() {
  std::vector<BadMessage> out;
  const std::string t0 = "2025-04-01T00:00:00.000Z", t6 = "2025-04-01T06:00:00.000Z";
  // Not JSON: the raw payload bytes from Redis.
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "{\"campaignId\": \"c1\", \"newTime\": "}},
                 "not valid JSON"});
  // Lacks a field.
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"},
                  {"payload", {{"campaignId", "c1"}, {"previousTime", t0}}}},
                 "payload.newTime"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Settlement"}, {"operation", "UPDATE"},
                           {"entity", {{"id", "s1"}, {"population", 400}}}}),
                 "payload.entityId"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s9"},
                           {"operation", "CREATE"}, {"entity", {{"name", "Nowhere"}}}}),
                 "payload.entity"});
  // Bad times: April 31, an offset other than +00:00, a number, a bad previousTime.
  out.push_back({advance("c1", t0, "2025-04-31T06:00:00Z"), "payload.newTime"});
  out.push_back({advance("c1", t0, "2025-04-01T06:00:00+01:00"), "payload.newTime"});
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"},
                  {"payload", {{"campaignId", "c1"}, {"previousTime", t0}, {"newTime", 1743487200000LL}}}},
                 "payload.newTime"});
  out.push_back({advance("c1", "2025-4-1T00:00:00Z", t6), "payload.previousTime"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Event"}, {"entityId", "e1"},
                           {"operation", "UPDATE"}, {"entity", {{"scheduledAt", "tomorrow"}}}}),
                 "scheduledAt"});
  // The payload names another campaign than its channel.
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"},
                  {"payload", {{"campaignId", "c2"}, {"previousTime", t0}, {"newTime", t6}}}},
                 "payload.campaignId"});
  // Unknown entity type, unknown operation.
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Dragon"}, {"entityId", "d1"},
                           {"operation", "CREATE"}, {"entity", {{"id", "d1"}}}}),
                 "payload.entityType"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"},
                           {"operation", "EXPLODE"}, {"entity", {{"id", "s1"}}}}),
                 "payload.operation"});
  // Unknown structure type, on CREATE and on UPDATE together with a valid change.
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Structure"}, {"entityId", "st9"},
                           {"operation", "CREATE"},
                           {"entity", {{"id", "st9"}, {"settlementId", "s1"}, {"type", "castle"}, {"level", 1},
                                       {"status", "ACTIVE"}, {"condition", 100}}}}),
                 "castle"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Structure"}, {"entityId", "st1"},
                           {"operation", "UPDATE"}, {"entity", {{"type", "castle"}, {"level", 2}}}}),
                 "castle"});
  // Out of range values next to valid ones: nothing of the message applies.
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"},
                           {"operation", "UPDATE"}, {"entity", {{"population", 400}, {"level", 9}}}}),
                 "payload.entity.level"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Structure"}, {"entityId", "st1"},
                           {"operation", "UPDATE"}, {"entity", {{"condition", 150}, {"level", 3}}}}),
                 "payload.entity.condition"});
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Settlement"}, {"entityId", "s1"},
                           {"operation", "UPDATE"}, {"entity", {{"id", "s2"}, {"population", 1}}}}),
                 "payload.entity.id"});
  // A structure whose settlement does not exist (checked by the campaign).
  out.push_back({modified({{"campaignId", "c1"}, {"entityType", "Structure"}, {"entityId", "st9"},
                           {"operation", "CREATE"},
                           {"entity", {{"settlementId", "s404"}, {"type", "farm"}, {"level", 1},
                                       {"status", "ACTIVE"}, {"condition", 100}}}}),
                 "s404"});
  // A payload that is not an object; an unknown channel; an unknown campaign.
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", {1, 2}}}, "payload"});
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvance"},
                  {"payload", {{"campaignId", "c1"}, {"previousTime", t0}, {"newTime", t6}}}},
                 "channel"});
  out.push_back({advance("c9", t0, t6), "c9"});
  // Over 1 MiB (valid JSON, a valid advance but for its size).
  const std::string big = "{\"campaignId\":\"c1\",\"previousTime\":\"" + t0 + "\",\"newTime\":\"" + t6 +
                          "\",\"padding\":\"" + std::string(1100000, 'x') + "\"}";
  out.push_back({{{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", big}}, "1 MiB"});
  return out;
}

}  // namespace

TEST_CASE("scenario refusals name the JSON path or file:line of the fault", "[bad_input][scenario]") {
  TempDir dir;

  SECTION("a valid scenario loads (the base of the faulty ones)") {
    const auto s = parse_scenario(base_scenario(), dir.path.string(), "$");
    REQUIRE(s.campaigns.size() == 2);
    REQUIRE(s.campaigns[0].structures.size() == 2);
  }
  SECTION("(a) a file that is not JSON") {
    const std::string file = dir.write("broken.json", "{\"campaigns\": [ {\"id\": \"c1\", }");
    require_refused([&] { load_scenario(file); }, file);
  }
  SECTION("(b) an inline rules fault") {
    json doc = base_scenario();
    doc["rules"] = {{"settlement", {{"populationGrowthIntervalMinutes", 0}}}};
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); },
                    "$.rules.settlement.populationGrowthIntervalMinutes");
    doc["rules"] = json::parse(R"({"settlement": {"levels": [
        {"growthMultiplier": 1.0, "populationCap": 500, "levelUpPopulation": 250},
        {"growthMultiplier": 0.9, "populationCap": 400}]}})");
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); },
                    "$.rules.settlement.levels[1].populationCap");
  }
  SECTION("(b') a rules fault in a rules file names the file and the path in it") {
    const std::string rules = dir.write("bad.rules.json", R"({"maintenance": {"damagedBelow": "x"}})");
    json doc = base_scenario();
    doc["rules"] = "bad.rules.json";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, rules + ":$.maintenance.damagedBelow");
  }
  SECTION("(c) a rules path that does not exist") {
    json doc = base_scenario();
    doc["rules"] = "no-such-rules.json";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, "no-such-rules.json");
  }
  SECTION("(d) a structure whose settlementId does not exist") {
    json doc = base_scenario();
    doc["campaigns"][0]["structures"][1]["settlementId"] = "s404";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); },
                    "$.campaigns[0].structures[1].settlementId");
  }
  SECTION("(e) a duplicate settlement id") {
    json doc = base_scenario();
    doc["campaigns"][0]["settlements"][1]["id"] = "s1";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, "$.campaigns[0].settlements[1].id");
  }
  SECTION("(f) a bad currentWorldTime") {
    json doc = base_scenario();
    doc["campaigns"][1]["currentWorldTime"] = "2025-02-29T00:00:00Z";  // 2025 is no leap year
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, "$.campaigns[1].currentWorldTime");
    doc["campaigns"][1]["currentWorldTime"] = "2025-04-01T00:00:00+02:00";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, "$.campaigns[1].currentWorldTime");
  }
  SECTION("(f') a scenario file's faults carry the file name too") {
    json doc = base_scenario();
    doc["campaigns"][0]["currentWorldTime"] = "yesterday";
    const std::string file = dir.write("bad-time.json", doc.dump());
    require_refused([&] { load_scenario(file); }, file + ":$.campaigns[0].currentWorldTime");
  }
  SECTION("(g) a messages JSON-lines file with a broken line") {
    const json good = advance("c1", "2025-04-01T00:00:00.000Z", "2025-04-01T01:00:00.000Z");
    // Line 2 is blank (skipped but counted); line 4 is broken.
    const std::string lines = good.dump() + "\n\n" + good.dump() + "\n{\"channel\": \"campaign.c1.worldTimeAdvanced\", \"payload\": {\n" + good.dump() + "\n";
    const std::string file = dir.write("broken.messages.jsonl", lines);
    json doc = base_scenario();
    doc["messages"] = "broken.messages.jsonl";
    require_refused([&] { parse_scenario(doc, dir.path.string(), "$"); }, file + ":4");
  }
}

TEST_CASE("bad messages are refused one by one and change nothing", "[bad_input][replay]") {
  const auto bad = bad_messages();
  json doc = base_scenario();
  doc["messages"] = json::array();
  for (const auto& b : bad) doc["messages"].push_back(b.message);

  const ht::ReplayRun without = ht::replay_json(ht::without_messages(doc), 2);
  const ht::ReplayRun with = ht::replay_json(doc, 2);

  // The load itself does something (the overdue construction), so equality
  // below is not trivially two empty outputs.
  REQUIRE(without.stats.records > 0);
  REQUIRE(with.stats.messages == bad.size());
  REQUIRE(with.stats.refused == bad.size());
  REQUIRE(with.stats.applied == 0);
  REQUIRE(with.stats.ignored == 0);
  {
    const std::string d = ht::first_difference(without.records, with.records, "no messages", "bad messages");
    INFO(d);
    REQUIRE(d.empty());
  }
  {
    const std::string d = ht::state_difference(without.state, with.state);
    INFO(d);
    REQUIRE(d.empty());
  }

  const auto letters = ht::split_lines(with.dead_letters);
  REQUIRE(letters.size() == bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i) {
    INFO("message " << i << ": " << bad[i].message.dump().substr(0, 300));
    const json letter = json::parse(letters[i]);
    INFO("dead letter: " << letters[i].substr(0, 500));
    REQUIRE(letter.contains("reason"));
    REQUIRE(letter.contains("channel"));
    REQUIRE(letter.contains("payload"));
    REQUIRE(letter["reason"].is_string());
    REQUIRE(letter["channel"] == bad[i].message["channel"]);
    REQUIRE(letter["payload"] == bad[i].message["payload"]);
    CHECK(letter["reason"].get<std::string>().find(bad[i].reason_names) != std::string::npos);
  }
}

TEST_CASE("bad messages between valid ones leave the valid outcome unchanged", "[bad_input][replay]") {
  const json first = advance("c1", "2025-04-01T00:00:00.000Z", "2025-04-01T02:30:00.000Z");
  const json second = advance("c1", "2025-04-01T02:30:00.000Z", "2025-04-01T08:00:00.000Z");
  const json other = advance("c2", "2025-04-01T00:00:00.000Z", "2025-04-01T05:00:00.000Z");
  json clean = base_scenario();
  clean["messages"] = {first, second, other};
  json noisy = base_scenario();
  noisy["messages"] = json::array({first});
  const auto bad = bad_messages();
  for (std::size_t i = 0; i < bad.size(); ++i) {
    noisy["messages"].push_back(bad[i].message);
    if (i == bad.size() / 2) noisy["messages"].push_back(second);
  }
  noisy["messages"].push_back(other);

  const ht::ReplayRun a = ht::replay_json(clean, 2);
  const ht::ReplayRun b = ht::replay_json(noisy, 2);
  REQUIRE(a.stats.records > 0);
  REQUIRE(b.stats.refused == bad.size());
  REQUIRE(b.stats.applied == 3);
  const std::string d = ht::first_difference(a.records, b.records, "clean", "noisy");
  INFO(d);
  REQUIRE(d.empty());
  const std::string s = ht::state_difference(a.state, b.state);
  INFO(s);
  REQUIRE(s.empty());
}
