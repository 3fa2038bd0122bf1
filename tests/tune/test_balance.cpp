#include <catch2/catch.hpp>

#include "messages/rules_codec.hpp"
#include "runtime/tune/balance.hpp"
#include "runtime/tune/rules_json.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;
using nlohmann::json;

namespace {

constexpr std::int64_t kStart = 1'735'689'600'000, kDay = 86'400'000;

sim::Rules rules_with(const std::function<void(json&)>& edit) {
  json doc = effective_rules_json(sim::Rules::defaults());
  edit(doc);
  return messages::parse_rules(doc);
}

bool has(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("balance: the default rules give no warning", "[tune][balance]") {
  CHECK(rules_warnings(sim::Rules::defaults()).empty());
}

TEST_CASE("balance: a level above the previous cap can never be reached", "[tune][balance]") {
  const auto w = rules_warnings(rules_with([](json& d) { d["settlement"]["levels"][1]["levelUpPopulation"] = 3000; }));
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "level 3 can never be reached: settlement.levels.1.levelUpPopulation (3000) is above level 2's "
                "populationCap (2000)");
  // At the cap is reachable.
  CHECK(rules_warnings(rules_with([](json& d) { d["settlement"]["levels"][1]["levelUpPopulation"] = 2000; })).empty());
}

TEST_CASE("balance: no growth at a level, and upkeep nothing produces", "[tune][balance]") {
  CHECK(has(rules_warnings(rules_with([](json& d) { d["settlement"]["levels"][2]["growthMultiplier"] = 0; })),
            "no settlement grows at level 3: settlement.levels.2.growthMultiplier is 0"));
  const auto w = rules_warnings(rules_with([](json& d) { d["structures"]["temple"]["maintenanceCost"] = {{"faith", 2}}; }));
  CHECK(has(w, "structures.temple.maintenanceCost.faith: nothing produces faith"));
}

TEST_CASE("balance: share of time of a step series", "[tune][balance]") {
  const std::vector<report::Point> food = {{kStart, 5}, {kStart + kDay, 0}, {kStart + 4 * kDay, 3}};
  CHECK(share_of_time(food, kStart, kStart + 10 * kDay, [](double v) { return v <= 0; }) == Approx(0.3));
  CHECK(share_of_time(food, kStart, kStart + 4 * kDay, [](double v) { return v <= 0; }) == Approx(0.75));
  CHECK(share_of_time({}, kStart, kStart + kDay, [](double v) { return v <= 0; }) == 0);
}

TEST_CASE("balance: a replay's settlement at its cap, a resource pinned at 0, a structure mostly DAMAGED",
          "[tune][balance]") {
  VariantResult r;
  r.state.push_back({"c1", kStart + 10 * kDay, {}, {}, {}, {}});
  sim::Settlement capped;
  capped.id = "s1";
  capped.level = 5;
  capped.population = 100000;
  sim::Settlement fine = capped;
  fine.id = "s2";
  fine.population = 99999;
  r.state.back().settlements = {capped, fine};
  SettlementTimeline& s1 = r.timelines.settlements[EntityKey{"c1", "s1"}];
  s1.resources["food"] = {{kStart, 5}, {kStart + 2 * kDay, 0}};  // 0 for 80%
  s1.resources["gold"] = {{kStart, 0}, {kStart + 5 * kDay, 1}};  // 0 for 50%: not most
  StructureTimeline& st = r.timelines.structures[EntityKey{"c1", "st1"}];
  st.settlement_id = "s1";
  st.type = "farm";
  st.status = {{kStart, 1}, {kStart + kDay, 2}};  // DAMAGED 90%
  r.timelines.structures[EntityKey{"c1", "st2"}].status = {{kStart, 1}};

  const auto w = outcome_warnings(r, sim::Rules::defaults(), {{"c1", kStart}});
  CHECK(w == std::vector<std::string>{"s1: population at its cap (100000, level 5) at the end",
                                      "s1: food at 0 for 80% of the time",
                                      "st1 (farm of s1): DAMAGED 90% of the time"});
}

TEST_CASE("balance: a swept rule an entity's own variable overrides", "[tune][balance]") {
  sim::CampaignSeed c;
  c.id = "c1";
  sim::SettlementPatch own, plain;
  own.id = "s005";
  own.variables = sim::SettlementOverrides{};
  own.variables->population_growth_rate = 0.03;
  plain.id = "s1";
  c.settlements = {own, plain};
  sim::StructurePatch farm;
  farm.id = "st1";
  farm.settlement_id = "s1";
  farm.type = "farm";
  farm.variables = sim::StructureOverrides{};
  farm.variables->maintenance_cost = sim::Amounts{{"gold", 9}};
  sim::StructurePatch mine = farm;
  mine.id = "st2";
  mine.type = "mine";
  mine.variables.reset();
  c.structures = {farm, mine};

  const auto w = override_warnings({"settlement.populationGrowthRate", "structures.farm.maintenanceCost.gold",
                                    "structures.mine.maintenanceCost.food"},
                                   {c});
  CHECK(w == std::vector<std::string>{
                 "settlement.populationGrowthRate is swept but changes nothing for s005: its own variable "
                 "populationGrowthRate overrides it",
                 "structures.farm.maintenanceCost.gold is swept but changes nothing for s1: each of its farm "
                 "structures has its own variable maintenanceCost overriding it"});
}
