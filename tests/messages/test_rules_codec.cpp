// Unit tests for messages/rules_codec: the rules file of SPEC §5, merged field
// by field over the defaults, tables replaced whole (reading 8.7), and every
// constraint fault refused with its JSON path.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "messages/rules_codec.hpp"

using hourglass::messages::InputError;
using hourglass::messages::json;
using hourglass::messages::load_rules_file;
using hourglass::messages::parse_rules;
using hourglass::sim::Amounts;
using hourglass::sim::kMsPerMinute;
using hourglass::sim::Rules;
using hourglass::sim::StructureTypeRule;

namespace {

constexpr std::int64_t min(std::int64_t m) { return m * kMsPerMinute; }

// The path of the fault parse_rules reports for `doc`, or "accepted".
std::string fault_path(const json& doc) {
  try {
    parse_rules(doc);
  } catch (const InputError& e) {
    // The message names the path too.
    CHECK(std::string(e.what()).find(e.path()) == 0);
    return e.path();
  }
  return "accepted";
}

void check_type(const StructureTypeRule& t, std::int64_t construction, std::int64_t maintenance,
                std::int64_t upgrade, const Amounts& maintenance_cost, const Amounts& upgrade_cost,
                const Amounts& produces, double bonus, int max_level) {
  CHECK(t.construction == min(construction));
  CHECK(t.maintenance_interval == min(maintenance));
  CHECK(t.upgrade_interval == min(upgrade));
  CHECK(t.maintenance_cost == maintenance_cost);
  CHECK(t.upgrade_cost == upgrade_cost);
  CHECK(t.produces == produces);
  CHECK(t.growth_bonus == bonus);
  CHECK(t.max_level == max_level);
}

// Every value of SPEC §5, written out from the SPEC text.
void check_spec_defaults(const Rules& r) {
  CHECK(r.version == "default-1");
  CHECK(r.settlement.population_growth_rate == 0.01);
  CHECK(r.settlement.population_growth_interval == min(60));
  CHECK(r.settlement.resource_generation_interval == min(60));
  CHECK(r.settlement.level_up_check_interval == min(360));
  CHECK(r.settlement.base_generation == Amounts{{"food", 2}, {"gold", 1}});
  REQUIRE(r.settlement.levels.size() == 5);
  const double mult[] = {1.0, 0.9, 0.8, 0.7, 0.6};
  const std::int64_t cap[] = {500, 2000, 8000, 25000, 100000};
  const std::int64_t up[] = {250, 1000, 4000, 12000};
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("level " << i + 1);
    CHECK(r.settlement.levels[i].growth_multiplier == mult[i]);
    CHECK(r.settlement.levels[i].population_cap == cap[i]);
    if (i < 4)
      CHECK(r.settlement.levels[i].level_up_population == up[i]);
    else
      CHECK_FALSE(r.settlement.levels[i].level_up_population.has_value());
  }
  REQUIRE(r.structures.size() == 3);
  REQUIRE(r.structure_type("farm"));
  REQUIRE(r.structure_type("mine"));
  REQUIRE(r.structure_type("temple"));
  check_type(*r.structure_type("farm"), 2880, 120, 360, {{"gold", 1}}, {{"gold", 50}},
             {{"food", 5}}, 0.002, 3);
  check_type(*r.structure_type("mine"), 4320, 120, 360, {{"food", 3}}, {{"gold", 80}},
             {{"gold", 4}}, 0.0, 3);
  check_type(*r.structure_type("temple"), 10080, 240, 720, {{"gold", 3}}, {{"gold", 200}}, {},
             0.004, 2);
  CHECK(r.maintenance.repair_per_payment == 5);
  CHECK(r.maintenance.condition_loss_per_miss == 10);
  CHECK(r.maintenance.damaged_below == 50);
  CHECK(r.event_grace == min(5));
}

}  // namespace

TEST_CASE("the built-in defaults are the values of SPEC §5", "[rules]") {
  check_spec_defaults(Rules::defaults());
  check_type(Rules::default_farm(), 2880, 120, 360, {{"gold", 1}}, {{"gold", 50}}, {{"food", 5}},
             0.002, 3);
}

TEST_CASE("an empty rules file gives the defaults", "[rules]") {
  check_spec_defaults(parse_rules(json::object()));
  // null means absent
  check_spec_defaults(parse_rules(json::parse(R"({"settlement": null, "structures": null})")));
}

TEST_CASE("the SPEC §5 example file parses to the defaults", "[rules]") {
  const json doc = json::parse(R"({
    "version": "default-1",
    "settlement": {
      "populationGrowthRate": 0.01, "populationGrowthIntervalMinutes": 60,
      "resourceGenerationIntervalMinutes": 60, "levelUpCheckIntervalMinutes": 360,
      "baseGeneration": {"food": 2, "gold": 1},
      "levels": [
        {"growthMultiplier": 1.0, "populationCap": 500,    "levelUpPopulation": 250},
        {"growthMultiplier": 0.9, "populationCap": 2000,   "levelUpPopulation": 1000},
        {"growthMultiplier": 0.8, "populationCap": 8000,   "levelUpPopulation": 4000},
        {"growthMultiplier": 0.7, "populationCap": 25000,  "levelUpPopulation": 12000},
        {"growthMultiplier": 0.6, "populationCap": 100000}
      ]
    },
    "structures": {
      "farm":   {"constructionMinutes": 2880, "maintenanceIntervalMinutes": 120, "upgradeIntervalMinutes": 360,
                 "maintenanceCost": {"gold": 1}, "upgradeCost": {"gold": 50}, "produces": {"food": 5}, "growthBonus": 0.002, "maxLevel": 3},
      "mine":   {"constructionMinutes": 4320, "maintenanceIntervalMinutes": 120, "upgradeIntervalMinutes": 360,
                 "maintenanceCost": {"food": 3}, "upgradeCost": {"gold": 80}, "produces": {"gold": 4}, "growthBonus": 0.0, "maxLevel": 3},
      "temple": {"constructionMinutes": 10080, "maintenanceIntervalMinutes": 240, "upgradeIntervalMinutes": 720,
                 "maintenanceCost": {"gold": 3}, "upgradeCost": {"gold": 200}, "produces": {}, "growthBonus": 0.004, "maxLevel": 2}
    },
    "maintenance": {"repairPerPayment": 5, "conditionLossPerMiss": 10, "damagedBelow": 50},
    "events": {"graceMinutes": 5}
  })");
  check_spec_defaults(parse_rules(doc));
}

TEST_CASE("rules merge field by field", "[rules]") {
  const Rules r = parse_rules(json::parse(R"({
    "version": "tuned-7",
    "settlement": {"populationGrowthRate": 0.02, "levelUpCheckIntervalMinutes": 90},
    "maintenance": {"damagedBelow": 30},
    "events": {"graceMinutes": 12}
  })"));
  CHECK(r.version == "tuned-7");
  CHECK(r.settlement.population_growth_rate == 0.02);
  CHECK(r.settlement.level_up_check_interval == min(90));
  CHECK(r.maintenance.damaged_below == 30);
  CHECK(r.event_grace == min(12));
  // Everything not given keeps its default.
  CHECK(r.settlement.population_growth_interval == min(60));
  CHECK(r.settlement.resource_generation_interval == min(60));
  CHECK(r.settlement.base_generation == Amounts{{"food", 2}, {"gold", 1}});
  CHECK(r.settlement.levels.size() == 5);
  CHECK(r.structures.size() == 3);
  CHECK(r.maintenance.repair_per_payment == 5);
  CHECK(r.maintenance.condition_loss_per_miss == 10);
}

TEST_CASE("intervals in fractional minutes become milliseconds", "[rules]") {
  const Rules r =
      parse_rules(json::parse(R"({"settlement": {"populationGrowthIntervalMinutes": 1.5}})"));
  CHECK(r.settlement.population_growth_interval == 90'000);
}

TEST_CASE("tables replace the default whole", "[rules]") {
  SECTION("the structures map") {
    const Rules r = parse_rules(json::parse(R"({"structures": {"hut": {"maxLevel": 7}}})"));
    REQUIRE(r.structures.size() == 1);
    CHECK(r.structure_type("farm") == nullptr);
    CHECK(r.structure_type("mine") == nullptr);
    REQUIRE(r.structure_type("hut"));
    CHECK(r.structure_type("hut")->max_level == 7);
  }
  SECTION("the levels") {
    const Rules r = parse_rules(json::parse(
        R"({"settlement": {"levels": [{"growthMultiplier": 2.0, "populationCap": 10}]}})"));
    REQUIRE(r.settlement.levels.size() == 1);
    CHECK(r.level_count() == 1);
    CHECK(r.settlement.levels[0].growth_multiplier == 2.0);
    CHECK(r.settlement.levels[0].population_cap == 10);
    CHECK_FALSE(r.settlement.levels[0].level_up_population);
  }
  SECTION("baseGeneration") {
    const Rules r = parse_rules(json::parse(R"({"settlement": {"baseGeneration": {"wood": 3}}})"));
    CHECK(r.settlement.base_generation == Amounts{{"wood", 3}});
    CHECK_FALSE(r.settlement.base_generation.contains("food"));
  }
  SECTION("cost and produce tables of a type") {
    const Rules r = parse_rules(json::parse(R"({"structures": {"farm": {
        "maintenanceCost": {"food": 2}, "upgradeCost": {}, "produces": {"wood": 1}}}})"));
    const StructureTypeRule& farm = *r.structure_type("farm");
    CHECK(farm.maintenance_cost == Amounts{{"food", 2}});  // no gold 1
    CHECK(farm.upgrade_cost.empty());
    CHECK(farm.produces == Amounts{{"wood", 1}});          // no food 5
  }
  SECTION("a negative base generation or produce is allowed") {
    const Rules r = parse_rules(json::parse(R"({"settlement": {"baseGeneration": {"food": -2}},
        "structures": {"farm": {"produces": {"food": -1}}}})"));
    CHECK(r.settlement.base_generation.get("food") == -2);
    CHECK(r.structure_type("farm")->produces.get("food") == -1);
  }
}

TEST_CASE("a type's missing fields come from the built-in farm", "[rules]") {
  // `mine` redefined with produces only: everything else is the farm's, not
  // the default mine's (4320 min, food 3, gold 80).
  const Rules r = parse_rules(json::parse(R"({"structures": {
      "mine": {"produces": {"stone": 1}},
      "farm": {"constructionMinutes": 10, "maintenanceCost": {"wood": 9}}}})"));
  check_type(*r.structure_type("mine"), 2880, 120, 360, {{"gold", 1}}, {{"gold", 50}},
             {{"stone", 1}}, 0.002, 3);
  // Redefining `farm` in the file does not change what others fall back to.
  check_type(*r.structure_type("farm"), 10, 120, 360, {{"wood", 9}}, {{"gold", 50}},
             {{"food", 5}}, 0.002, 3);
}

TEST_CASE("rules faults are refused with their JSON path", "[rules]") {
  struct Case {
    const char* doc;
    const char* path;
  };
  const Case cases[] = {
      // intervals < 1
      {R"({"settlement": {"populationGrowthIntervalMinutes": 0}})",
       "$.settlement.populationGrowthIntervalMinutes"},
      {R"({"settlement": {"resourceGenerationIntervalMinutes": 0.5}})",
       "$.settlement.resourceGenerationIntervalMinutes"},
      {R"({"settlement": {"levelUpCheckIntervalMinutes": -60}})",
       "$.settlement.levelUpCheckIntervalMinutes"},
      {R"({"structures": {"farm": {"maintenanceIntervalMinutes": 0}}})",
       "$.structures.farm.maintenanceIntervalMinutes"},
      {R"({"structures": {"mine": {"upgradeIntervalMinutes": 0.99}}})",
       "$.structures.mine.upgradeIntervalMinutes"},
      // level tables
      {R"({"settlement": {"levels": []}})", "$.settlement.levels"},
      {R"({"settlement": {"levels": [
          {"growthMultiplier": 1, "populationCap": 500, "levelUpPopulation": 250},
          {"growthMultiplier": 1, "populationCap": 500}]}})",
       "$.settlement.levels[1].populationCap"},
      {R"({"settlement": {"levels": [
          {"growthMultiplier": 1, "populationCap": 500, "levelUpPopulation": 250},
          {"growthMultiplier": 1, "populationCap": 400}]}})",
       "$.settlement.levels[1].populationCap"},
      {R"({"settlement": {"levels": [
          {"growthMultiplier": 1, "populationCap": 500, "levelUpPopulation": 250},
          {"growthMultiplier": 1, "populationCap": 900, "levelUpPopulation": 250},
          {"growthMultiplier": 1, "populationCap": 1000}]}})",
       "$.settlement.levels[1].levelUpPopulation"},
      {R"({"settlement": {"levels": [{"growthMultiplier": 1, "populationCap": -1}]}})",
       "$.settlement.levels[0].populationCap"},
      {R"({"settlement": {"levels": [
          {"growthMultiplier": 1, "populationCap": 500},
          {"growthMultiplier": 1, "populationCap": 900}]}})",
       "$.settlement.levels[0].levelUpPopulation"},
      {R"({"settlement": {"levels": [
          {"growthMultiplier": 1, "populationCap": 500, "levelUpPopulation": 250},
          {"growthMultiplier": 1, "populationCap": 900, "levelUpPopulation": 800}]}})",
       "$.settlement.levels[1].levelUpPopulation"},
      {R"({"settlement": {"levels": [{"populationCap": 500}]}})",
       "$.settlement.levels[0].growthMultiplier"},
      {R"({"settlement": {"levels": [{"growthMultiplier": 1}]}})",
       "$.settlement.levels[0].populationCap"},
      // unknown fields
      {R"({"bogus": 1})", "$.bogus"},
      {R"({"settlement": {"populationGrowthRat": 0.01}})", "$.settlement.populationGrowthRat"},
      {R"({"settlement": {"levels": [{"growthMultiplier": 1, "populationCap": 5, "x": 1}]}})",
       "$.settlement.levels[0].x"},
      {R"({"structures": {"farm": {"colour": "red"}}})", "$.structures.farm.colour"},
      {R"({"maintenance": {"repairPerPaymen": 5}})", "$.maintenance.repairPerPaymen"},
      {R"({"events": {"grace": 5}})", "$.events.grace"},
      // wrong types
      {R"([])", "$"},
      {R"({"settlement": 5})", "$.settlement"},
      {R"({"settlement": {"populationGrowthRate": "fast"}})", "$.settlement.populationGrowthRate"},
      {R"({"settlement": {"populationGrowthIntervalMinutes": "60"}})",
       "$.settlement.populationGrowthIntervalMinutes"},
      {R"({"settlement": {"levels": {"0": {}}}})", "$.settlement.levels"},
      {R"({"settlement": {"levels": [5]}})", "$.settlement.levels[0]"},
      {R"({"settlement": {"baseGeneration": {"food": 1.5}}})", "$.settlement.baseGeneration.food"},
      {R"({"settlement": {"baseGeneration": [1]}})", "$.settlement.baseGeneration"},
      {R"({"structures": []})", "$.structures"},
      {R"({"structures": {"farm": 3}})", "$.structures.farm"},
      {R"({"structures": {"farm": {"maxLevel": 1.5}}})", "$.structures.farm.maxLevel"},
      {R"({"structures": {"farm": {"maxLevel": 0}}})", "$.structures.farm.maxLevel"},
      {R"({"structures": {"farm": {"growthBonus": true}}})", "$.structures.farm.growthBonus"},
      {R"({"version": 2})", "$.version"},
      {R"({"maintenance": {"damagedBelow": "50"}})", "$.maintenance.damagedBelow"},
      {R"({"events": {"graceMinutes": "5"}})", "$.events.graceMinutes"},
      // negative costs
      {R"({"structures": {"farm": {"maintenanceCost": {"gold": -1}}}})",
       "$.structures.farm.maintenanceCost.gold"},
      {R"({"structures": {"temple": {"upgradeCost": {"gold": -200}}}})",
       "$.structures.temple.upgradeCost.gold"},
  };
  for (const Case& c : cases) {
    INFO(c.doc);
    CHECK(fault_path(json::parse(c.doc)) == c.path);
  }
}

TEST_CASE("the fault path is prefixed with `where`", "[rules]") {
  try {
    parse_rules(json::parse(R"({"settlement": {"populationGrowthIntervalMinutes": 0}})"),
                "$.rules");
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(e.path() == "$.rules.settlement.populationGrowthIntervalMinutes");
  }
}

namespace {
std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = "/tmp/hourglass_rules_test_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}
}  // namespace

TEST_CASE("load_rules_file reads a file and names it in every fault", "[rules]") {
  SECTION("a good file") {
    const std::string f = temp_file("good.json", R"({"settlement": {"populationGrowthRate": 0.5}})");
    const Rules r = load_rules_file(f);
    CHECK(r.settlement.population_growth_rate == 0.5);
    std::remove(f.c_str());
  }
  SECTION("a missing file") {
    const std::string f = "/tmp/hourglass_rules_test_does_not_exist.json";
    std::remove(f.c_str());
    try {
      load_rules_file(f);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.path() == f);
      CHECK_THAT(e.what(), Catch::Contains(f));
    }
  }
  SECTION("invalid JSON") {
    const std::string f = temp_file("bad.json", "{\"settlement\": ");
    try {
      load_rules_file(f);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.path() == f);
      CHECK_THAT(e.what(), Catch::Contains(f) && Catch::Contains("JSON"));
    }
    std::remove(f.c_str());
  }
  SECTION("a constraint fault names the file and the path") {
    const std::string f = temp_file("fault.json", R"({"settlement": {"levels": []}})");
    try {
      load_rules_file(f);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.path() == f + ":$.settlement.levels");
    }
    std::remove(f.c_str());
  }
}
