// SPEC §1 split invariance: advancing A→C gives exactly the records and the
// final state of A→B→C, for every B between them; and the campaign's own
// stepping of long advances (ReplayOptions::max_step) does not matter.
// Generated scenarios (tests/support/scenario_generator) are replayed whole
// and with every advance split, at random instants and exactly at firing
// instants, and compared byte for byte.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "support/replay_support.hpp"
#include "support/scenario_generator.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

using hourglass::sim::Duration;
using hourglass::sim::kMsPerMinute;
using hourglass::sim::WorldTime;
using nlohmann::json;
namespace ht = hourglass::testing;

namespace {

constexpr std::uint64_t kSeeds = 30;
constexpr std::size_t kThreads = 2;

// Per campaign: the (clock-moving) advances, and how many of them name a
// previousTime other than the clock (a gap).
struct AdvanceShape {
  std::map<std::string, WorldTime> final_clock;
  std::size_t forward = 0;
  std::size_t gaps = 0;
  std::size_t one_ms = 0;  // forward advances too short to split
};

AdvanceShape shape_of(const json& doc) {
  AdvanceShape s;
  std::map<std::string, WorldTime> clock;
  for (const json& c : doc["campaigns"])
    clock[c["id"].get<std::string>()] = *hourglass::sim::parse_world_time(c["currentWorldTime"].get<std::string>());
  for (const json& m : doc["messages"]) {
    const std::string channel = m["channel"];
    const std::string suffix = ".worldTimeAdvanced";
    if (channel.size() < suffix.size() || channel.compare(channel.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string id = m["payload"]["campaignId"];
    const WorldTime next = *hourglass::sim::parse_world_time(m["payload"]["newTime"].get<std::string>());
    const WorldTime prev = *hourglass::sim::parse_world_time(m["payload"]["previousTime"].get<std::string>());
    if (next <= clock[id]) continue;
    ++s.forward;
    if (prev != clock[id]) ++s.gaps;
    if (next - clock[id] == 1) ++s.one_ms;
    clock[id] = next;
  }
  s.final_clock = clock;
  return s;
}

// (campaignId, worldTime in ms) of every record.
std::set<std::pair<std::string, WorldTime>> record_instants(const std::string& records) {
  std::set<std::pair<std::string, WorldTime>> out;
  for (const std::string& line : ht::split_lines(records)) {
    const json r = json::parse(line);
    out.insert({r["campaignId"].get<std::string>(),
                *hourglass::sim::parse_world_time(r["worldTime"].get<std::string>())});
  }
  return out;
}

void require_same(const ht::ReplayRun& base, const ht::ReplayRun& other, const char* what) {
  INFO(what);
  const std::string records = ht::first_difference(base.records, other.records, "whole", what);
  INFO(records);
  REQUIRE(records.empty());
  const std::string state = ht::state_difference(base.state, other.state);
  INFO(state);
  REQUIRE(state.empty());
  REQUIRE(base.stats.records == other.stats.records);
  REQUIRE(base.stats.refused == other.stats.refused);
}

std::string example(const std::string& name) {
  return std::string(HOURGLASS_SOURCE_DIR) + "/scenarios/examples/" + name;
}

// The example as one document with its rules and messages inline (so that
// the split helper sees the real intervals).
json inline_example(const std::string& name) {
  std::ifstream in(example(name + ".json"));
  json doc = json::parse(in);
  if (doc.contains("rules") && doc["rules"].is_string()) {
    std::ifstream rules(example(doc["rules"].get<std::string>()));
    doc["rules"] = json::parse(rules);
  }
  if (doc["messages"].is_string()) {
    std::ifstream lines(example(doc["messages"].get<std::string>()));
    json list = json::array();
    std::string line;
    while (std::getline(lines, line))
      if (line.find_first_not_of(" \t\r") != std::string::npos) list.push_back(json::parse(line));
    doc["messages"] = list;
  }
  return doc;
}

}  // namespace

TEST_CASE("the generator is deterministic and covers the scenario format", "[split][generator]") {
  REQUIRE(ht::generate_scenario(7) == ht::generate_scenario(7));
  REQUIRE(ht::generate_scenario(7) != ht::generate_scenario(8));
  REQUIRE(ht::split_advances(ht::generate_scenario(7), 3, ht::SplitMode::RandomInstants) ==
          ht::split_advances(ht::generate_scenario(7), 3, ht::SplitMode::RandomInstants));

  // Across the seeds the tests use, every feature the brief asks for shows up.
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const json doc = ht::generate_scenario(seed);
    REQUIRE_NOTHROW(hourglass::runtime::parse_scenario(doc, "", "$"));
    const std::size_t n = doc["campaigns"].size();
    REQUIRE(n >= 1);
    REQUIRE(n <= 3);
    if (doc.contains("rules")) seen.insert("inline rules");
    for (const json& c : doc["campaigns"]) {
      const WorldTime clock = *hourglass::sim::parse_world_time(c["currentWorldTime"].get<std::string>());
      for (const json& s : c["settlements"]) {
        if (s["population"] == 0) seen.insert("population 0");
        if (s.contains("variables")) seen.insert("settlement variables");
        if (s.contains("createdAt")) {
          REQUIRE(*hourglass::sim::parse_world_time(s["createdAt"].get<std::string>()) <= clock);
        } else {
          seen.insert("settlement without createdAt");
        }
        const std::int64_t caps[] = {500, 2000, 8000, 25000, 100000};
        if (s["population"].get<std::int64_t>() > caps[s["level"].get<int>() - 1]) seen.insert("population above cap");
      }
      for (const json& s : c["structures"]) {
        const std::string st = s["status"];
        seen.insert("type " + s["type"].get<std::string>());
        seen.insert("status " + st);
        if (st == "UNDER_CONSTRUCTION") {
          if (s.contains("constructionCompletesAt")) {
            seen.insert("construction with completesAt");
            if (*hourglass::sim::parse_world_time(s["constructionCompletesAt"].get<std::string>()) <= clock)
              seen.insert("construction overdue");
          } else {
            seen.insert("construction without completesAt");
          }
        } else {
          seen.insert(s.contains("activeSince") ? "active with activeSince" : "active without activeSince");
        }
      }
      for (const json& e : c.value("events", json::array())) {
        if (e.value("isCompleted", false)) seen.insert("event completed");
        else if (*hourglass::sim::parse_world_time(e["scheduledAt"].get<std::string>()) + 5 * kMsPerMinute < clock)
          seen.insert("event overdue");
        else seen.insert("event pending");
      }
      if (!c.value("deferredEffects", json::array()).empty()) seen.insert("deferred effects");
      for (const std::string id : {"s1", "s10", "s2", "S3", "s_4"})
        for (const json& s : c["settlements"])
          if (s["id"] == id) seen.insert("id " + id);
    }
    for (const json& m : doc["messages"]) {
      const json& p = m["payload"];
      if (p.contains("operation"))
        seen.insert(p["operation"].get<std::string>() + " " + p["entityType"].get<std::string>());
    }
  }
  const std::vector<std::string> wanted = {
      "inline rules", "population 0", "population above cap", "settlement variables",
      "settlement without createdAt", "type farm", "type mine", "type temple",
      "status UNDER_CONSTRUCTION", "status ACTIVE", "status DAMAGED",
      "construction with completesAt", "construction without completesAt", "construction overdue",
      "active with activeSince", "active without activeSince", "event completed", "event overdue",
      "event pending", "deferred effects", "id s1", "id s10", "id s2", "id S3", "id s_4"};
  for (const auto& w : wanted) {
    INFO("feature: " << w);
    CHECK(seen.count(w) == 1);
  }
  for (const char* op : {"CREATE", "UPDATE", "DELETE"})
    for (const char* type : {"Settlement", "Structure", "Event", "Effect"}) {
      INFO("message: " << op << " " << type);
      CHECK(seen.count(std::string(op) + " " + type) == 1);
    }
}

TEST_CASE("split advances keep the previousTime chain and the end points", "[split][generator]") {
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    INFO("seed " << seed);
    const json doc = ht::generate_scenario(seed);
    const AdvanceShape original = shape_of(doc);
    for (auto mode : {ht::SplitMode::RandomInstants, ht::SplitMode::DueInstants}) {
      ht::SplitReport report;
      const json split = ht::split_advances(doc, seed, mode, &report);
      const AdvanceShape shape = shape_of(split);
      REQUIRE(report.advances_seen == original.forward);
      REQUIRE(shape.forward == original.forward + report.points.size());
      // A gap in the original stays one gap; every inserted piece chains on.
      REQUIRE(shape.gaps == original.gaps);
      REQUIRE(shape.final_clock == original.final_clock);
      if (mode == ht::SplitMode::RandomInstants)
        REQUIRE(report.advances_split + original.one_ms == report.advances_seen);
      REQUIRE(split["campaigns"] == doc["campaigns"]);
    }
  }
}

TEST_CASE("split invariance: generated scenarios, split at random and at due instants", "[split][replay]") {
  std::size_t due_points = 0, due_points_on_records = 0, total_records = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    INFO("seed " << seed);
    const json doc = ht::generate_scenario(seed);
    const ht::ReplayRun whole = ht::replay_json(doc, kThreads);
    REQUIRE(whole.stats.records > 0);
    REQUIRE(whole.stats.messages == doc["messages"].size());
    total_records += whole.stats.records;
    const auto instants = record_instants(whole.records);

    ht::SplitReport random_report;
    const json at_random = ht::split_advances(doc, seed, ht::SplitMode::RandomInstants, &random_report);
    REQUIRE(random_report.points.size() > 0);
    require_same(whole, ht::replay_json(at_random, kThreads), "split at random instants");

    ht::SplitReport due_report;
    const json at_due = ht::split_advances(doc, seed + 1000, ht::SplitMode::DueInstants, &due_report);
    REQUIRE(due_report.points.size() > 0);
    require_same(whole, ht::replay_json(at_due, kThreads), "split at due instants");
    for (const auto& p : due_report.points) {
      ++due_points;
      if (instants.count({p.campaign_id, p.time})) ++due_points_on_records;
    }
  }
  // The due-instant splits really land on firing instants: most of them
  // are the worldTime of a record of their campaign.
  INFO(due_points_on_records << " of " << due_points << " due split points carry a record; "
                             << total_records << " records in all");
  REQUIRE(due_points >= kSeeds);
  REQUIRE(due_points_on_records * 2 >= due_points);
}

TEST_CASE("split invariance: example scenarios split at random and at due instants", "[split][replay][examples]") {
  for (const char* name : {"01-settlement-growth", "02-structure-lifecycle", "03-events-and-effects",
                           "04-time-and-campaigns", "05-entity-modifications", "06-bad-input",
                           "07-generated-medium-default", "08-generated-medium-tuned"}) {
    INFO("example " << name);
    const json doc = inline_example(name);
    const std::string dir = std::string(HOURGLASS_SOURCE_DIR) + "/scenarios/examples";
    auto run = [&](const json& d) {
      return ht::replay_scenario(hourglass::runtime::parse_scenario(d, dir, name), kThreads);
    };
    const ht::ReplayRun whole = run(doc);
    REQUIRE(whole.stats.records > 0);
    for (auto mode : {ht::SplitMode::RandomInstants, ht::SplitMode::DueInstants}) {
      ht::SplitReport report;
      const json split = ht::split_advances(doc, 77, mode, &report);
      REQUIRE(report.points.size() > 0);
      require_same(whole, run(split),
                   mode == ht::SplitMode::RandomInstants ? "split at random instants" : "split at due instants");
    }
  }
}

TEST_CASE("the campaign's internal step (max_step) does not change the output", "[split][replay][max_step]") {
  // A one-minute step drives every advance through many small steps (so
  // those scenarios are kept short); a step of 47 min + 3 ms is aligned with
  // no interval; a thousand-day step runs every advance in one go.
  constexpr Duration kTiny = 1 * kMsPerMinute;
  constexpr Duration kOdd = 47 * kMsPerMinute + 3;
  constexpr Duration kHuge = 1000LL * 24 * 60 * kMsPerMinute;
  ht::GeneratorOptions shorter;
  shorter.max_campaigns = 2;
  shorter.max_advance = 12LL * 60 * kMsPerMinute;
  shorter.min_advances = 3;
  shorter.max_advances = 5;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    INFO("short scenario, seed " << seed);
    const json doc = ht::generate_scenario(seed, shorter);
    const ht::ReplayRun base = ht::replay_json(doc, kThreads);
    REQUIRE(base.stats.records > 0);
    require_same(base, ht::replay_json(doc, 1, kTiny), "max_step 1 minute");
  }
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    INFO("seed " << seed);
    const json doc = ht::generate_scenario(seed);
    const ht::ReplayRun base = ht::replay_json(doc, kThreads);
    REQUIRE(base.stats.records > 0);
    require_same(base, ht::replay_json(doc, kThreads, kOdd), "max_step 47 minutes 3 ms");
    require_same(base, ht::replay_json(doc, kThreads, kHuge), "max_step 1000 days");
  }
  // And on a long example, whose advances span days.
  const std::string file = example("07-generated-medium-default.json");
  const auto scenario = hourglass::runtime::load_scenario(file);
  const ht::ReplayRun base = ht::replay_scenario(scenario, kThreads);
  require_same(base, ht::replay_scenario(scenario, kThreads, kOdd), "07, max_step 47 minutes 3 ms");
  require_same(base, ht::replay_scenario(scenario, kThreads, kHuge), "07, max_step 1000 days");
}
