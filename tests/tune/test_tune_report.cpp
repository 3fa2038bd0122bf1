#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "messages/input_error.hpp"
#include "messages/rules_codec.hpp"
#include "report/csv.hpp"
#include "runtime/scenario.hpp"
#include "runtime/tune/plan.hpp"
#include "runtime/tune/run_variants.hpp"
#include "runtime/tune/summary.hpp"
#include "runtime/tune/tune_report.hpp"
#include "tests/report/xml_well_formed.hpp"
#include "tests/support/replay_support.hpp"
#include "tests/tune/tune_support.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;
using nlohmann::json;

namespace {

struct Tuned {
  TunePlan plan;
  std::vector<VariantResult> results;
  report::ReportInput input;
  TuneFiles files;
};

Tuned tune(const TuneSpec& spec, std::size_t threads) {
  testing::quiet_engine_logs();
  Tuned t;
  t.plan = plan_tune(spec);
  t.results = run_variants(t.plan.scenarios, {threads, true});
  t.input = report_input(t.plan, t.results);
  t.files = render_tune_files(t.plan, t.results);
  return t;
}

// The HTML of each <section> whose heading starts with `prefix`, by heading.
std::map<std::string, std::string> sections(const std::string& html, const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (std::size_t at = html.find("<section>\n<h2>"); at != std::string::npos;
       at = html.find("<section>\n<h2>", at + 1)) {
    const std::size_t h = at + 14, end = html.find("</section>", at);
    const std::string heading = html.substr(h, html.find("</h2>", h) - h);
    if (heading.rfind(prefix, 0) == 0) out[heading] = html.substr(at, end - at);
  }
  return out;
}

// Checks every settlement's final population, level and resources in the
// summary against the final state of a plain replay of that rule set, and
// its maintenance and upgrade counts against that replay's records.
void check_summary(const report::Table& summary, const std::string& label, const testing::PlainReplay& replay,
                   std::set<std::string>& checked) {
  std::map<std::string, std::map<std::string, int>> counts;  // settlement -> kind -> records
  for (const std::string& line : testing::split_lines(replay.records)) {
    const json r = json::parse(line);
    if (r.contains("settlementId")) ++counts[r["settlementId"].get<std::string>()][r["kind"].get<std::string>()];
  }
  for (const sim::CampaignSnapshot& c : replay.state) {
    for (const sim::Settlement& s : c.settlements) {
      INFO(label << " " << c.id << "/" << s.id);
      CHECK(testing::summary_cell(summary, s.id, label, "population") == std::to_string(s.population));
      CHECK(testing::summary_cell(summary, s.id, label, "level") == std::to_string(s.level));
      for (const auto& [name, amount] : s.resources)
        CHECK(testing::summary_cell(summary, s.id, label, name) == std::to_string(amount));
      CHECK(testing::summary_cell(summary, s.id, label, "paid") ==
            std::to_string(counts[s.id]["MAINTENANCE_PAID"]));
      CHECK(testing::summary_cell(summary, s.id, label, "missed") ==
            std::to_string(counts[s.id]["MAINTENANCE_MISSED"]));
      CHECK(testing::summary_cell(summary, s.id, label, "upgrades") ==
            std::to_string(counts[s.id]["UPGRADE_AVAILABLE"]));
      checked.insert(c.id + "/" + s.id);
    }
  }
}

// What a settlement or the structures had at any point of plain replays:
// initial state, records and final state.
std::set<std::string> resources_seen(const std::string& id, const json& scenario,
                                     const std::vector<testing::PlainReplay>& plain) {
  std::set<std::string> names;
  for (const json& s : scenario["campaigns"][0]["settlements"])
    if (s["id"] == id)
      for (const auto& entry : s["resources"].items()) names.insert(entry.key());
  for (const testing::PlainReplay& p : plain) {
    for (const auto& c : p.state)
      for (const auto& s : c.settlements)
        if (s.id == id)
          for (const auto& entry : s.resources) names.insert(entry.first);
    for (const std::string& line : testing::split_lines(p.records)) {
      const json r = json::parse(line);
      const char* field = r["entityId"] == id ? "changes" : r.value("settlementId", "") == id ? "settlementChanges" : nullptr;
      if (field && r.contains(field))
        for (const auto& entry : r[field].items())
          if (entry.key().rfind("resources.", 0) == 0) names.insert(entry.key().substr(10));
    }
  }
  return names;
}

std::set<std::string> structures_seen(const json& scenario, const std::vector<testing::PlainReplay>& plain) {
  std::set<std::string> ids;
  for (const json& s : scenario["campaigns"][0]["structures"]) ids.insert(s["id"].get<std::string>());
  for (const testing::PlainReplay& p : plain) {
    for (const auto& c : p.state)
      for (const auto& s : c.structures) ids.insert(s.id);
    for (const std::string& line : testing::split_lines(p.records)) {
      const json r = json::parse(line);
      if (r["entityType"] == "Structure") ids.insert(r["entityId"].get<std::string>());
    }
  }
  return ids;
}

std::string scenario08() { return testing::example("08-generated-medium-tuned.json"); }
std::string rules08() { return testing::example("08-generated-medium-tuned.rules.json"); }

}  // namespace

TEST_CASE("tune reports scenario 08 under two rules files", "[tune][report]") {
  const auto dir = testing::temp_dir("hourglass-tune-08");
  json faster = json::parse(testing::read_text(rules08()));
  faster["settlement"]["populationGrowthRate"] = 0.03;
  faster["maintenance"]["damagedBelow"] = 60;
  testing::write_text(dir / "faster.json", faster.dump());

  const Tuned t = tune({scenario08(), {rules08(), (dir / "faster.json").string()}, {}}, 2);
  const std::vector<std::string> labels = {"08-generated-medium-tuned.rules", "faster"};
  REQUIRE(t.input.labels == labels);

  std::vector<testing::PlainReplay> plain;
  for (const std::string& rules : {rules08(), (dir / "faster.json").string()}) {
    runtime::Scenario s = runtime::load_scenario(scenario08());
    s.rules = std::make_shared<const sim::Rules>(messages::load_rules_file(rules));
    plain.push_back(testing::plain_replay(s));
  }

  SECTION("the HTML is well-formed and offline") {
    INFO(report::test::xml_problem(t.files.html));
    CHECK(report::test::xml_problem(t.files.html).empty());
    // Scripts are inline: the hover data of each chart and the one that shows it.
    CHECK(report::test::count_of(t.files.html, "<script") ==
          report::test::count_of(t.files.html, "<script type=\"application/json\" class=\"hover-data\">") + 1);
    CHECK(t.files.html.find(" src=") == std::string::npos);
    CHECK(t.files.html.find("http://") == t.files.html.find("http://www.w3.org/2000/svg"));
    CHECK(t.files.html.find("https://") == std::string::npos);
    // The summary comes before the first chart.
    CHECK(t.files.html.find("<section class=\"summary\">") < t.files.html.find("<figure class=\"chart\""));
  }

  SECTION("the summary equals the final state of plain replays") {
    std::set<std::string> checked;
    for (std::size_t v = 0; v < labels.size(); ++v) check_summary(t.input.summary, labels[v], plain[v], checked);
    CHECK(checked.size() >= 8);
    // The rule sets differ, and the difference column says by how much.
    const std::string delta = "\u0394 vs first";
    CHECK(testing::summary_cell(t.input.summary, "s2", labels[0], delta) == "baseline");
    const std::string a = testing::summary_cell(t.input.summary, "s2", labels[0], "population");
    const std::string b = testing::summary_cell(t.input.summary, "s2", labels[1], "population");
    REQUIRE_FALSE(a.empty());
    const long long diff = std::stoll(b) - std::stoll(a);
    REQUIRE(diff != 0);
    const std::string d = testing::summary_cell(t.input.summary, "s2", labels[1], delta);
    CHECK(d.rfind("population " + std::string(diff > 0 ? "+" : "") + std::to_string(diff), 0) == 0);
  }

  SECTION("one chart per settlement metric, two per structure") {
    const auto settlements = sections(t.files.html, "Settlement ");
    CHECK(settlements.size() == settlement_keys(t.results).size());
    CHECK(settlements.size() >= 8);
    std::size_t structures_charts = 0;
    for (const auto& [heading, html] : sections(t.files.html, "Structures of "))
      structures_charts += report::test::count_of(html, "<figure class=\"chart\"");
    const json initial = json::parse(testing::read_text(scenario08()));
    CHECK(structures_charts == 2 * structures_seen(initial, plain).size());
    for (const auto& [heading, html] : settlements) {
      const std::string id = heading.substr(11, heading.find(' ', 11) - 11);
      const std::set<std::string> resources = resources_seen(id, initial, plain);
      INFO(heading);
      CHECK(resources.size() >= 3);
      CHECK(report::test::count_of(html, "<figure class=\"chart\"") == 2 + resources.size());
      CHECK(html.find("data-title=\"" + id + " population\"") != std::string::npos);
      for (const std::string& r : resources) CHECK(html.find("data-title=\"" + id + " " + r + "\"") != std::string::npos);
    }
  }

  SECTION("timeline.csv has every record of every rule set, sorted by key") {
    const auto lines = testing::split_lines(t.files.csv);
    REQUIRE(lines.size() > 1);
    CHECK(lines[0] == "worldTime,campaignId,entityType,entityId,kind,08-generated-medium-tuned.rules,faster");
    std::vector<std::size_t> filled(2, 0);
    std::string previous;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      // The key columns hold no quotes or commas in this scenario.
      std::size_t at = 0;
      for (int k = 0; k < 5; ++k) at = l.find(',', at) + 1;
      const std::string key = l.substr(0, at);
      CHECK(previous <= key);  // ISO times of one campaign sort as text
      previous = key;
      const std::string rest = l.substr(at);
      // Two cells: ",X" or "X," where X is "" or a quoted JSON object.
      const bool first_empty = rest.rfind(",", 0) == 0, second_empty = rest.back() == ',';
      filled[0] += !first_empty;
      filled[1] += !second_empty;
    }
    CHECK(filled[0] == t.results[0].stats.records);
    CHECK(filled[1] == t.results[1].stats.records);
    CHECK(t.files.csv.find("\"{\"\"population\"\":") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a sweep over scenario 02 matches plain replays of the swept rules", "[tune][report]") {
  const std::string scenario = testing::example("02-structure-lifecycle.json");
  const Tuned t = tune({scenario, {}, {"maintenance.repairPerPayment=5,20,40"}}, 2);
  const std::vector<std::string> labels = {"scenario maintenance.repairPerPayment=5",
                                           "scenario maintenance.repairPerPayment=20",
                                           "scenario maintenance.repairPerPayment=40"};
  REQUIRE(t.input.labels == labels);
  CHECK(report::test::xml_problem(t.files.html).empty());
  std::set<std::string> checked;
  const json rules = json::parse(testing::read_text(testing::example("rules/structures-demo.json")));
  for (std::size_t v = 0; v < labels.size(); ++v) {
    json swept = rules;
    swept["maintenance"]["repairPerPayment"] = std::vector<int>{5, 20, 40}[v];
    runtime::Scenario s = runtime::load_scenario(scenario);
    s.rules = std::make_shared<const sim::Rules>(messages::parse_rules(swept));
    check_summary(t.input.summary, labels[v], testing::plain_replay(s), checked);
  }
  CHECK(checked == std::set<std::string>{"c1/s1", "c1/s2"});
  // Structure st3 (a DAMAGED temple being repaired) ends in better condition
  // the more each payment repairs.
  const auto& condition = [&](std::size_t v) {
    return t.results[v].timelines.structures.at(EntityKey{"c1", "st3"}).condition.back().value;
  };
  CHECK(condition(0) < condition(1));
  CHECK(condition(1) <= condition(2));
  const auto structures = sections(t.files.html, "Structures of s1");
  REQUIRE(structures.size() == 1);
  CHECK(structures.begin()->second.find("data-title=\"st3 (temple) status\"") != std::string::npos);
  CHECK(structures.begin()->second.find(">UNDER_CONSTRUCTION<") != std::string::npos);
}

TEST_CASE("the same tune gives byte-identical files, whatever the scheduling", "[tune][report]") {
  const TuneSpec spec{testing::example("02-structure-lifecycle.json"), {},
                      {"maintenance.repairPerPayment=5,20", "structures.farm.constructionMinutes=60,2880"}};
  const Tuned a = tune(spec, 1);
  const Tuned b = tune(spec, 3);
  CHECK(a.plan.variants.size() == 4);
  CHECK(a.files.html == b.files.html);
  CHECK(a.files.csv == b.files.csv);
  CHECK(a.files.html.size() > 10000);

  const auto dir = testing::temp_dir("hourglass-tune-cli");
  std::vector<std::string> args = {spec.scenario_file, "--set", spec.sets[0], "--set", spec.sets[1], "--threads", "2"};
  args.insert(args.end(), {"--out", (dir / "one").string()});
  REQUIRE(testing::run_tune_cli(args) == 0);
  args.back() = (dir / "two").string();
  REQUIRE(testing::run_tune_cli(args) == 0);
  CHECK(testing::read_text(dir / "one" / "report.html") == a.files.html);
  CHECK(testing::read_text(dir / "one" / "timeline.csv") == a.files.csv);
  CHECK(testing::read_text(dir / "two" / "report.html") == a.files.html);
  CHECK(testing::read_text(dir / "two" / "timeline.csv") == a.files.csv);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a bad --set or rules file is refused naming the path, and nothing is written", "[tune][report]") {
  const auto dir = testing::temp_dir("hourglass-tune-refused");
  const std::string scenario = testing::example("02-structure-lifecycle.json");
  auto refused = [&](const std::vector<std::string>& sets, const std::vector<std::string>& rules,
                     const std::string& file = testing::example("02-structure-lifecycle.json")) {
    try {
      plan_tune({file, rules, sets});
    } catch (const messages::InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string bad_path = refused({"settlement.growthRate=0.1"}, {});
  CHECK(bad_path.find("$.settlement.growthRate") != std::string::npos);
  const std::string bad_value = refused({"maintenance.damagedBelow=50,500"}, {});
  CHECK(bad_value.find("variant \"scenario maintenance.damagedBelow=500\"") != std::string::npos);
  CHECK(bad_value.find("structures-demo.json with --set maintenance.damagedBelow=500:$.maintenance.damagedBelow") !=
        std::string::npos);
  const std::string bad_step = refused({"structures.castle.maxLevel=2"}, {});
  CHECK(bad_step.find("--set structures.castle.maxLevel") != std::string::npos);

  for (const std::string set : {"settlement.growthRate=0.1", "maintenance.damagedBelow=50,500"}) {
    INFO(set);
    CHECK(testing::run_tune_cli({scenario, "--set", set, "--out", (dir / "out").string()}) == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "out"));
  }
  // Scenario 08's structures include the type `sawmill`, which the built-in
  // rules lack: under them the scenario itself is refused, before any replay.
  testing::write_text(dir / "defaults.json", "{}");
  const std::string unfit = refused({}, {rules08(), (dir / "defaults.json").string()}, scenario08());
  CHECK(unfit.find("variant \"defaults\"") != std::string::npos);
  CHECK(unfit.find("$.campaigns[0].structures[0].type") != std::string::npos);
  CHECK(unfit.find("sawmill") != std::string::npos);
  CHECK(testing::run_tune_cli({scenario08(), "--rules", rules08(), "--rules", (dir / "defaults.json").string(),
                               "--out", (dir / "out").string()}) == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
  std::filesystem::remove_all(dir);
}
