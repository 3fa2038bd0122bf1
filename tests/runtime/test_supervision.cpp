// Supervision: a settlement or structure actor that fails in the middle of a
// message is restarted by its campaign from the last committed state, and
// the message completes with the records and final state it would have had
// (byte for byte). The fault injector (actors/fault_injection) makes a named
// actor throw at its Nth firing; the tests check that it did throw, so they
// cannot pass on a run where nothing failed.
#include <catch2/catch.hpp>

#include <filesystem>

#include "actors/fault_injection.hpp"
#include "support/replay_support.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
namespace ht = hourglass::testing;
using hourglass::actors::FaultInjector;
using hourglass::actors::FaultPlan;
using hourglass::actors::parse_fault_plan;
using hourglass::sim::kMsPerMinute;

namespace {

const fs::path kExamples = fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples";

hourglass::runtime::Scenario example(const char* name) {
  return hourglass::runtime::load_scenario((kExamples / name).string());
}

}  // namespace

TEST_CASE("fault plans are parsed as kind:name:N", "[supervision][faults]") {
  auto plan = parse_fault_plan("settlement:s1:3");
  REQUIRE(plan);
  CHECK(plan->kind == "settlement");
  CHECK(plan->name == "s1");
  CHECK(plan->nth == 3);
  auto colon = parse_fault_plan("structure:a:b:12");
  REQUIRE(colon);
  CHECK(colon->name == "a:b");
  CHECK(colon->nth == 12);
  for (const char* bad : {"", "settlement", "settlement:s1", "settlement::3", "settlement:s1:0", "settlement:s1:x",
                          "settlement:s1:-1", "gateway:g:1", "settlement:s1:99999999999999999999999"})
    CHECK_FALSE(parse_fault_plan(bad));
}

TEST_CASE("the injector throws once, at the firing that reaches N", "[supervision][faults]") {
  FaultInjector once(FaultPlan{"settlement", "s1", 5});
  CHECK_NOTHROW(once.check("settlement", "s1", 0, 4));
  CHECK_NOTHROW(once.check("settlement", "s2", 0, 10));
  CHECK_NOTHROW(once.check("structure", "s1", 0, 10));
  CHECK_THROWS_AS(once.check("settlement", "s1", 4, 9), hourglass::actors::InjectedFault);
  CHECK_NOTHROW(once.check("settlement", "s1", 4, 9));  // spent
  CHECK(once.thrown() == 1);
  FaultInjector repeat(FaultPlan{"settlement", "s1", 5}, true);
  CHECK_THROWS(repeat.check("settlement", "s1", 0, 5));
  CHECK_THROWS(repeat.check("settlement", "s1", 0, 5));
  CHECK_NOTHROW(repeat.check("settlement", "s1", 5, 9));
  CHECK(repeat.thrown() == 2);
}

TEST_CASE("a settlement that fails mid-advance is restarted and the records are the same",
          "[supervision][replay]") {
  const auto scenario = example("07-generated-medium-default.json");
  // One-hour steps: most advances take several, so the failure often falls
  // in a later step and the restarted actor must catch up first.
  const auto max_step = 60 * kMsPerMinute;
  const ht::ReplayRun clean = ht::replay_scenario(scenario, 2, max_step);
  REQUIRE(clean.stats.records > 1000);
  for (const char* settlement : {"s5", "s-4", "s_5"}) {
    for (std::uint64_t nth : {1, 7, 60, 250}) {
      auto faults = std::make_shared<FaultInjector>(FaultPlan{"settlement", settlement, nth});
      const ht::ReplayRun run = ht::replay_scenario(scenario, 2, max_step, faults);
      INFO("settlement " << settlement << " fails at its firing " << nth);
      REQUIRE(faults->thrown() == 1);
      CHECK(run.stats.restarts == 1);
      CHECK(ht::first_difference(clean.records, run.records) == "");
      CHECK(ht::state_difference(clean.state, run.state) == "");
      CHECK(run.stats.refused == clean.stats.refused);
    }
  }
}

TEST_CASE("a structure actor that fails takes its settlement down - both come back, same records",
          "[supervision][replay]") {
  const auto scenario = example("07-generated-medium-default.json");
  const ht::ReplayRun clean = ht::replay_scenario(scenario, 2);
  for (std::uint64_t nth : {1, 2, 3}) {
    auto faults = std::make_shared<FaultInjector>(FaultPlan{"structure", "st15", nth});
    const ht::ReplayRun run = ht::replay_scenario(scenario, 2, 24 * 60 * kMsPerMinute, faults);
    INFO("structure st15 fails when lent for the " << nth << "th time");
    REQUIRE(faults->thrown() == 1);
    CHECK(run.stats.restarts == 1);
    CHECK(ht::first_difference(clean.records, run.records) == "");
    CHECK(ht::state_difference(clean.state, run.state) == "");
  }
}

TEST_CASE("a settlement that keeps failing is restarted up to the limit, then its campaign fails",
          "[supervision][replay]") {
  const auto scenario = example("07-generated-medium-default.json");
  const ht::ReplayRun clean = ht::replay_scenario(scenario, 2);
  // Every fresh actor fails again at its first firing.
  auto faults = std::make_shared<FaultInjector>(FaultPlan{"settlement", "s5", 1}, true);
  const ht::ReplayRun run = ht::replay_scenario(scenario, 2, 24 * 60 * kMsPerMinute, faults);
  CHECK(run.stats.restarts == 5);     // the default limit
  CHECK(faults->thrown() == 6);       // the first failure and five restarted actors
  CHECK(run.stats.refused > clean.stats.refused);  // c1's later messages fail with it
  CHECK(run.dead_letters.find("settlement s5 failed") != std::string::npos);
}

namespace {

// Two settlements; st1 moves from sA to sB first thing, then time runs.
hourglass::runtime::Scenario moved_structure_scenario() {
  auto settlement = [](const char* id) {
    return nlohmann::json{{"id", id},           {"name", id},
                          {"level", 1},         {"population", 100},
                          {"resources", {{"food", 50}, {"gold", 20}}},
                          {"createdAt", "2025-02-01T00:00:00.000Z"}};
  };
  auto advance = [](const char* from, const char* to) {
    return nlohmann::json{{"channel", "campaign.c1.worldTimeAdvanced"},
                          {"payload", {{"campaignId", "c1"}, {"previousTime", from}, {"newTime", to}}}};
  };
  nlohmann::json move = {{"channel", "campaign.c1.entityModified"},
                         {"payload",
                          {{"campaignId", "c1"},
                           {"entityType", "Structure"},
                           {"entityId", "st1"},
                           {"operation", "UPDATE"},
                           {"entity", {{"id", "st1"}, {"settlementId", "sB"}}}}}};
  nlohmann::json doc = {
      {"name", "moved-structure"},
      {"description", "st1 moves from sA to sB, then two advances"},
      {"campaigns",
       {{{"id", "c1"},
         {"currentWorldTime", "2025-02-01T00:00:00.000Z"},
         {"settlements", {settlement("sA"), settlement("sB")}},
         {"structures",
          {{{"id", "st1"},
            {"settlementId", "sA"},
            {"type", "farm"},
            {"level", 1},
            {"status", "ACTIVE"},
            {"condition", 100},
            {"createdAt", "2025-01-20T00:00:00.000Z"}}}},
         {"events", nlohmann::json::array()},
         {"deferredEffects", nlohmann::json::array()}}}},
      {"messages",
       {move, advance("2025-02-01T00:00:00.000Z", "2025-02-01T12:00:00.000Z"),
        advance("2025-02-01T12:00:00.000Z", "2025-02-02T00:00:00.000Z")}}};
  return hourglass::runtime::parse_scenario(doc, "", "$");
}

}  // namespace

// A moved structure belongs to its new settlement, actor included: a restart
// of the old one (which kills the actors linked to it) must not take the
// moved structure down, and its own failure restarts the new one only.
TEST_CASE("a structure moved to another settlement survives a restart of its old settlement, and belongs to the new one",
          "[supervision][replay]") {
  const auto scenario = moved_structure_scenario();
  const auto max_step = 60 * kMsPerMinute;
  const ht::ReplayRun clean = ht::replay_scenario(scenario, 2, max_step);
  REQUIRE(clean.stats.refused == 0);
  REQUIRE(clean.records.find("\"st1\"") != std::string::npos);
  // sA (the old settlement) fails: a restart of it must not touch st1.
  // st1's actor fails: it takes down its new settlement, not its old one.
  // sB (the new settlement) fails: its restart brings st1 back.
  const std::vector<FaultPlan> plans{
      {"settlement", "sA", 1}, {"settlement", "sA", 4}, {"settlement", "sA", 9},
      {"structure", "st1", 1}, {"structure", "st1", 2}, {"structure", "st1", 3},
      {"settlement", "sB", 1}, {"settlement", "sB", 4}, {"settlement", "sB", 9}};
  for (const FaultPlan& plan : plans) {
    auto faults = std::make_shared<FaultInjector>(plan);
    const ht::ReplayRun run = ht::replay_scenario(scenario, 2, max_step, faults);
    INFO(plan.kind << " " << plan.name << " fails at its count " << plan.nth << ", after st1 moved to sB");
    REQUIRE(faults->thrown() == 1);
    CHECK(run.stats.restarts == 1);  // the failed actor's settlement only
    CHECK(ht::first_difference(clean.records, run.records) == "");
    CHECK(ht::state_difference(clean.state, run.state) == "");
    CHECK(run.stats.refused == 0);
  }
}
