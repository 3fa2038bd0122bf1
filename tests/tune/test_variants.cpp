#include <catch2/catch.hpp>

#include "messages/input_error.hpp"
#include "messages/rules_codec.hpp"
#include "runtime/tune/rules_json.hpp"
#include "runtime/tune/variants.hpp"
#include "tests/tune/tune_support.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;
using messages::InputError;
using nlohmann::json;

namespace {

RulesSource defaults_source(const std::string& label) { return {label, "built-in default rules", sim::Rules::defaults()}; }

std::string refusal(const std::vector<RulesSource>& sources, const std::vector<std::string>& sets) {
  std::vector<SetOption> options;
  for (const auto& s : sets) options.push_back(parse_set_option(s));
  try {
    build_variants(sources, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("the effective rules document reads back to the same rules", "[tune][variants]") {
  const json defaults = effective_rules_json(sim::Rules::defaults());
  CHECK(defaults["settlement"]["populationGrowthRate"] == json(0.01));
  CHECK(defaults["settlement"]["levels"].size() == 5);
  CHECK_FALSE(defaults["settlement"]["levels"][4].contains("levelUpPopulation"));
  CHECK(defaults["structures"]["temple"]["maintenanceIntervalMinutes"] == json(240));
  CHECK(defaults["events"]["graceMinutes"] == json(5));
  for (const std::string& file : {testing::example("08-generated-medium-tuned.rules.json"),
                                  testing::example("rules/structures-demo.json")}) {
    const json doc = effective_rules_json(messages::load_rules_file(file));
    CHECK(effective_rules_json(messages::parse_rules(doc)) == doc);
  }
  // `hourglass rules defaults` prints this document: it reads back to the defaults.
  CHECK(effective_rules_json(messages::parse_rules(defaults)) == defaults);
  sim::Rules odd = sim::Rules::defaults();
  odd.settlement.population_growth_interval = 90'000;  // 1.5 minutes
  CHECK(messages::parse_rules(effective_rules_json(odd)).settlement.population_growth_interval == 90'000);
}

TEST_CASE("variants are each source times the cross product of the sweeps", "[tune][variants]") {
  std::vector<SetOption> options = {parse_set_option("settlement.populationGrowthRate=0.01,0.02"),
                                    parse_set_option("maintenance.damagedBelow=40"),
                                    parse_set_option("structures.farm.maintenanceCost.gold=1,2,3")};
  const auto variants = build_variants({defaults_source("a"), defaults_source("b")}, options);
  REQUIRE(variants.size() == 12);
  CHECK(variants[0].label == "a settlement.populationGrowthRate=0.01 structures.farm.maintenanceCost.gold=1");
  CHECK(variants[1].label == "a settlement.populationGrowthRate=0.01 structures.farm.maintenanceCost.gold=2");
  CHECK(variants[3].label == "a settlement.populationGrowthRate=0.02 structures.farm.maintenanceCost.gold=1");
  CHECK(variants[11].label == "b settlement.populationGrowthRate=0.02 structures.farm.maintenanceCost.gold=3");
  std::set<std::string> labels;
  for (const Variant& v : variants) labels.insert(v.label);
  CHECK(labels.size() == variants.size());

  const sim::Rules& r = *variants[5].rules;  // a, 0.02, gold=3
  CHECK(r.settlement.population_growth_rate == 0.02);
  CHECK(r.maintenance.damaged_below == 40);
  CHECK(r.structure_type("farm")->maintenance_cost == sim::Amounts{{"gold", 3}});
  // Setting one cost keeps the other types and the farm's other fields.
  CHECK(r.structures.size() == 3);
  CHECK(r.structure_type("farm")->produces == sim::Amounts{{"food", 5}});
  CHECK(r.structure_type("mine")->maintenance_cost == sim::Amounts{{"food", 3}});
}

TEST_CASE("a variant that breaks a rule is refused with its label, source and JSON path", "[tune][variants]") {
  const std::string interval = refusal({defaults_source("base")}, {"settlement.populationGrowthIntervalMinutes=60,0"});
  CHECK(interval.find("variant \"base settlement.populationGrowthIntervalMinutes=0\"") != std::string::npos);
  CHECK(interval.find("built-in default rules with --set settlement.populationGrowthIntervalMinutes=0") != std::string::npos);
  CHECK(interval.find("$.settlement.populationGrowthIntervalMinutes: must be at least 1 minute") != std::string::npos);

  const std::string ascending = refusal({defaults_source("base")}, {"settlement.levels.1.populationCap=400"});
  CHECK(ascending.find("$.settlement.levels[1].populationCap: levels must be ascending") != std::string::npos);

  const std::string cost = refusal({defaults_source("base")}, {"structures.farm.maintenanceCost.gold=-1"});
  CHECK(cost.find("$.structures.farm.maintenanceCost.gold") != std::string::npos);

  const std::string unknown = refusal({defaults_source("base")}, {"settlement.populationGrowthRat=0.1"});
  CHECK(unknown.find("$.settlement.populationGrowthRat") != std::string::npos);

  const std::string last = refusal({defaults_source("base")}, {"settlement.levels.4.levelUpPopulation=200000"});
  CHECK(last.find("$.settlement.levels[4].levelUpPopulation") != std::string::npos);

  const std::string missing = refusal({defaults_source("base")}, {"structures.barracks.maxLevel=2"});
  CHECK(missing.find("--set structures.barracks.maxLevel") != std::string::npos);
  CHECK(missing.find("no field \"barracks\"") != std::string::npos);
}

TEST_CASE("two variants may not share a label", "[tune][variants]") {
  const std::string twice = refusal({defaults_source("x"), defaults_source("x")}, {});
  CHECK(twice.find("variant \"x\"") != std::string::npos);
  CHECK(twice.find("two variants have this label") != std::string::npos);
  CHECK(refusal({defaults_source("x"), defaults_source("y")}, {}) == "accepted");
}

TEST_CASE("a rules file source is named by its stem and validated", "[tune][variants]") {
  const RulesSource tuned = rules_file_source(testing::example("08-generated-medium-tuned.rules.json"));
  CHECK(tuned.label == "08-generated-medium-tuned.rules");
  CHECK(tuned.rules.version == "tuned-a");
  const auto dir = testing::temp_dir("hourglass-tune-rules");
  testing::write_text(dir / "broken.json", R"({"settlement":{"levels":[]}})");
  try {
    rules_file_source((dir / "broken.json").string());
    FAIL("accepted an empty level table");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("broken.json:$.settlement.levels") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
