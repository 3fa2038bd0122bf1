#include <catch2/catch.hpp>

#include "runtime/tune/goals.hpp"
#include "runtime/tune/outcomes.hpp"
#include "runtime/tune/summary.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

// A rule set's result with the settlements (campaign, id, population, gold).
VariantResult result(const std::vector<std::tuple<std::string, std::string, std::int64_t, std::int64_t>>& settlements,
                     std::uint64_t paid) {
  VariantResult r;
  for (const auto& [campaign, id, population, gold] : settlements) {
    if (r.state.empty() || r.state.back().id != campaign) r.state.push_back({campaign, 0, {}, {}, {}, {}});
    sim::Settlement s;
    s.id = id;
    s.level = 2;
    s.population = population;
    s.resources = sim::Amounts{{"gold", gold}};
    r.state.back().settlements.push_back(s);
    SettlementTimeline& t = r.timelines.settlements[EntityKey{campaign, id}];
    t.resources["gold"];
    t.maintenance_paid = paid;
  }
  return r;
}

}  // namespace

TEST_CASE("the summary has a row per settlement and rule set, and the differences", "[tune][summary]") {
  std::vector<VariantResult> results;
  results.push_back(result({{"c1", "s1", 100, 5}, {"c2", "s1", 7, 0}}, 3));
  results.push_back(result({{"c1", "s1", 120, 1}, {"c2", "s1", 7, 0}}, 3));
  results.push_back(result({{"c1", "s1", 100, 5}}, 4));  // c2/s1 is missing here
  const report::Table t = summary_table({"a", "b", "c"}, results);
  CHECK(t.header == std::vector<std::string>{"Settlement", "Rule set", "population", "level", "gold", "paid", "missed",
                                             "upgrades", "\u0394 vs first"});
  REQUIRE(t.rows.size() == 6);
  CHECK(t.rows[0] == std::vector<std::string>{"c1 / s1", "a", "100", "2", "5", "3", "0", "0", "baseline"});
  CHECK(t.rows[1] == std::vector<std::string>{"c1 / s1", "b", "120", "2", "1", "3", "0", "0", "population +20, gold -4"});
  CHECK(t.rows[2] == std::vector<std::string>{"c1 / s1", "c", "100", "2", "5", "4", "0", "0", "paid +1"});
  CHECK(t.rows[4] == std::vector<std::string>{"c2 / s1", "b", "7", "2", "0", "3", "0", "0", "same"});
  CHECK(t.rows[5] == std::vector<std::string>{"c2 / s1", "c", "\u2013", "\u2013", "\u2013", "\u2013", "\u2013", "\u2013", "\u2013"});
}

TEST_CASE("with one campaign the summary names settlements by id", "[tune][summary]") {
  const report::Table t = summary_table({"only"}, {result({{"c1", "s9", 1, 1}}, 0)});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0][0] == "s9");
  CHECK(t.rows[0].back() == "baseline");
}

TEST_CASE("with outcomes the summary has milestone days and goal verdicts", "[tune][summary][goals]") {
  constexpr std::int64_t kStart = 1'735'689'600'000, kDay = 86'400'000;
  std::vector<VariantResult> results;
  for (const std::int64_t level3_day : {60, 80}) {
    VariantResult r = result({{"c1", "s1", 3000, 0}}, 0);
    SettlementTimeline& t = r.timelines.settlements[EntityKey{"c1", "s1"}];
    t.level = {{kStart, 1}, {kStart + 20 * kDay, 2}, {kStart + level3_day * kDay, 3}};
    t.resources["gold"] = {{kStart, 5}, {kStart + kDay / 2, 0}, {kStart + kDay, 3}};
    results.push_back(std::move(r));
  }
  sim::CampaignSeed c1;
  c1.id = "c1";
  c1.clock = kStart;
  const OutcomeSpec spec = outcome_spec({c1}, {parse_goal("level>=3 by day 60"), parse_goal("gold>0 throughout")}, results);
  CHECK(spec.top_level == 3);
  const report::Table t = summary_table({"fast", "slow"}, results, &spec);
  CHECK(t.header == std::vector<std::string>{"Settlement", "Rule set", "population", "level", "gold", "paid", "missed",
                                             "upgrades", "day level 2", "day level 3", "day gold 0", "goals",
                                             "\u0394 vs first"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][8] == "20.0");
  CHECK(t.rows[0][9] == "60.0");
  CHECK(t.rows[1][9] == "80.0");
  CHECK(t.rows[0][10] == "0.5");
  CHECK(t.rows[0][11] == "fail: gold>0 throughout");
  CHECK(t.rows[1][11] == "fail: level>=3 by day 60; gold>0 throughout");
  REQUIRE(t.classes.size() == 2);
  CHECK(t.classes[0][11] == "fail");

  const OutcomeSpec level_only = outcome_spec({c1}, {parse_goal("level>=3 by day 60")}, results);
  const report::Table verdicts = summary_table({"fast", "slow"}, results, &level_only);
  CHECK(verdicts.rows[0][11] == "pass");
  CHECK(verdicts.classes[0][11] == "pass");
  CHECK(variants_meeting_goals(results, level_only) == std::vector<std::size_t>{0});
}
