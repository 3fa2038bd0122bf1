#include <catch2/catch.hpp>

#include "runtime/tune/sweep_view.hpp"
#include "runtime/tune/tune_report.hpp"
#include "tests/support/replay_support.hpp"
#include "tests/tune/tune_support.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

TEST_CASE("a variant's outcomes are over all its settlements", "[tune][sweep]") {
  constexpr std::int64_t kStart = 1'735'689'600'000, kDay = 86'400'000;
  VariantResult r;
  r.state.push_back({"c1", kStart + 10 * kDay, {}, {}, {}, {}});
  for (const auto& [id, population, level] : {std::tuple{"s1", 100, 2}, std::tuple{"s2", 300, 4}}) {
    sim::Settlement s;
    s.id = id;
    s.population = population;
    s.level = level;
    r.state.back().settlements.push_back(s);
  }
  SettlementTimeline& s1 = r.timelines.settlements[EntityKey{"c1", "s1"}];
  s1.level = {{kStart, 1}, {kStart + 2 * kDay, 2}};
  s1.resources["food"] = {{kStart, 5}, {kStart + kDay, 1}};
  s1.maintenance_paid = 3;
  s1.maintenance_missed = 1;
  SettlementTimeline& s2 = r.timelines.settlements[EntityKey{"c1", "s2"}];
  s2.level = {{kStart, 1}, {kStart + 4 * kDay, 2}};
  s2.resources["food"] = {{kStart, 7}};
  r.timelines.structures[EntityKey{"c1", "st1"}].status = {{kStart, 1}, {kStart + 5 * kDay, 2}};  // 50% DAMAGED

  sim::CampaignSeed c1;
  c1.id = "c1";
  c1.clock = kStart;
  const OutcomeSpec spec = outcome_spec({c1}, {parse_goal("level>=2 by day 3")}, {r});
  CHECK(outcome_names(spec) == std::vector<std::string>{"final population (mean)", "final level (mean)",
                                                         "day level 2 (mean)", "lowest food", "missed maintenance %",
                                                         "time DAMAGED %"});
  const VariantOutcomes o = variant_outcomes(r, spec);
  REQUIRE(o.values.size() == 6);
  CHECK(*o.values[0] == Approx(200));
  CHECK(*o.values[1] == Approx(3));
  CHECK(*o.values[2] == Approx(3));  // days 2 and 4
  CHECK(o.notes[2] == "2 of 2 settlements reach it");
  CHECK(*o.values[3] == Approx(1));
  CHECK(*o.values[4] == Approx(25));
  CHECK(*o.values[5] == Approx(50));
  CHECK(o.verdict == report::Verdict::Fail);  // s2 reaches level 2 on day 4
}

TEST_CASE("a two-rule sweep has a chart grid per rule and heat maps", "[tune][sweep]") {
  testing::quiet_engine_logs();
  TuneSpec spec;
  spec.scenario_file = testing::example("02-structure-lifecycle.json");
  spec.sets = {"maintenance.repairPerPayment=5:15:5", "maintenance.conditionLossPerMiss=10,20", "events.graceMinutes=7"};
  spec.goals = {"gold>=50 at end"};
  const TunePlan plan = plan_tune(spec);
  const std::vector<VariantResult> results = run_variants(plan.scenarios, {2, false});
  const report::ReportInput input = report_input(plan, results);
  REQUIRE(input.sweep.size() == 3);
  CHECK(input.sweep[0].heading == "Sweep of maintenance.repairPerPayment");
  CHECK(input.sweep[0].line_labels == std::vector<std::string>{"conditionLossPerMiss=10", "conditionLossPerMiss=20"});
  CHECK(input.sweep[1].heading == "Sweep of maintenance.conditionLossPerMiss");
  CHECK(input.sweep[1].line_labels.size() == 3);
  CHECK(input.sweep[2].heading == "Heat maps: repairPerPayment \u00d7 conditionLossPerMiss");
  const report::SweepChart& population = input.sweep[0].charts.front();
  REQUIRE(population.lines.size() == 2);
  REQUIRE(population.lines[0].points.size() == 3);
  CHECK(population.lines[0].points[1].x == 10);
  CHECK(population.lines[0].points[1].tip.rfind("repairPerPayment=10 conditionLossPerMiss=10: ", 0) == 0);
  CHECK(population.lines[0].points[1].verdict != report::Verdict::None);
  const report::HeatMap& map = input.sweep[2].heat_maps.front();
  CHECK(map.rows == std::vector<std::string>{"5", "10", "15"});
  CHECK(map.columns == std::vector<std::string>{"10", "20"});
  CHECK(map.cells[2][1].has_value());
  const std::string html = report::render_html_report(input);
  CHECK(html.find("<a href=\"#sweep-1\">Sweep of maintenance.repairPerPayment</a>") != std::string::npos);
  CHECK(html.find("<section class=\"sweep\" id=\"sweep-1\">") < html.find("<section class=\"summary\""));
}
