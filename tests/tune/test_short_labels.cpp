#include <catch2/catch.hpp>

#include "runtime/tune/short_labels.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

RulesSource defaults_source(const std::string& label) { return {label, "built-in default rules", sim::Rules::defaults()}; }

std::vector<Variant> variants(const std::vector<std::string>& sources, const std::vector<std::string>& sets) {
  std::vector<RulesSource> s;
  for (const auto& label : sources) s.push_back(defaults_source(label));
  std::vector<SetOption> options;
  for (const auto& set : sets) options.push_back(parse_set_option(set));
  return build_variants(s, options);
}

}  // namespace

TEST_CASE("tune: short labels keep what tells the variants apart", "[tune][labels]") {
  const auto two = variants({"scenario"}, {"settlement.populationGrowthRate=0.001,0.002",
                                           "maintenance.damagedBelow=40",
                                           "structures.farm.maintenanceCost.gold=2,4"});
  CHECK(short_labels(two) == std::vector<std::string>{"populationGrowthRate=0.001 gold=2", "populationGrowthRate=0.001 gold=4",
                                                       "populationGrowthRate=0.002 gold=2", "populationGrowthRate=0.002 gold=4"});
  const auto sources = variants({"fast", "slow"}, {"maintenance.damagedBelow=40,60"});
  CHECK(short_labels(sources) == std::vector<std::string>{"fast damagedBelow=40", "fast damagedBelow=60",
                                                           "slow damagedBelow=40", "slow damagedBelow=60"});
  CHECK(short_labels(variants({"fast", "slow"}, {})) == std::vector<std::string>{"fast", "slow"});
  CHECK(short_labels(variants({"scenario"}, {})) == std::vector<std::string>{"scenario"});
}

TEST_CASE("tune: short paths are the shortest tails no other path shares", "[tune][labels]") {
  CHECK(short_paths({"settlement.populationGrowthRate", "structures.farm.maintenanceCost.gold",
                     "structures.mine.maintenanceCost.gold"}) ==
        std::vector<std::string>{"populationGrowthRate", "farm.maintenanceCost.gold", "mine.maintenanceCost.gold"});
  CHECK(short_paths({"settlement.levels.1.populationCap", "settlement.levels.2.populationCap"}) ==
        std::vector<std::string>{"1.populationCap", "2.populationCap"});
  CHECK(short_paths({"a"}) == std::vector<std::string>{"a"});
}
