#include <catch2/catch.hpp>
#include <httplib.h>

#include "messages/input_error.hpp"
#include "messages/rules_codec.hpp"
#include "runtime/tune/live_server.hpp"
#include "tests/support/replay_support.hpp"
#include "tests/tune/tune_support.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

TuneSpec sweep_spec() {
  TuneSpec spec;
  spec.scenario_file = testing::example("02-structure-lifecycle.json");
  spec.sets = {"maintenance.repairPerPayment=5:15:5", "maintenance.conditionLossPerMiss=10,20"};
  spec.goals = {"gold>=80 at end"};
  return spec;
}

}  // namespace

TEST_CASE("live tuning: a slider per swept rule, each variant re-run on demand", "[tune][live]") {
  testing::quiet_engine_logs();
  LiveTuner tuner(sweep_spec());
  REQUIRE(tuner.controls().size() == 2);
  CHECK(tuner.controls()[0].name == "maintenance.repairPerPayment");
  CHECK(tuner.controls()[0].values == std::vector<std::string>{"5", "10", "15"});
  CHECK(tuner.variant_count() == 6);
  CHECK(tuner.parse_index("5") == 5);
  CHECK_THROWS_WITH(tuner.parse_index("6"), Catch::Contains("v: 6 is out of range [0, 5]"));
  CHECK_THROWS_WITH(tuner.parse_index("-1"), Catch::Contains("is not a variant number"));
  // Variant 5 is repairPerPayment=15, conditionLossPerMiss=20 (the first slider varies slowest).
  const std::string report = tuner.run_report(5);
  CHECK(report.find("maintenance.repairPerPayment=15 maintenance.conditionLossPerMiss=20") != std::string::npos);
  CHECK(report.find("<li class=\"") != std::string::npos);  // the goal verdict
  const sim::Rules rules = messages::parse_rules(nlohmann::json::parse(tuner.rules_file(5)));
  CHECK(rules.maintenance.repair_per_payment == 15);
  CHECK(rules.maintenance.condition_loss_per_miss == 20);
  const std::string page = tuner.page();
  CHECK(page.find("id=\"c0\" min=\"0\" max=\"2\"") != std::string::npos);
  CHECK(page.find("id=\"c1\" min=\"0\" max=\"1\"") != std::string::npos);
}

TEST_CASE("live tuning over HTTP on 127.0.0.1: page, runs, rules, refusals", "[tune][live]") {
  testing::quiet_engine_logs();
  LiveTuner tuner(sweep_spec());
  LiveServer server(tuner);
  const int port = server.start(0);
  httplib::Client client("127.0.0.1", port);
  const auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("Live tuning of") != std::string::npos);
  const auto run = client.Get("/run?v=1");
  REQUIRE(run);
  CHECK(run->status == 200);
  CHECK(run->body.find("maintenance.repairPerPayment=5 maintenance.conditionLossPerMiss=20") != std::string::npos);
  const auto rules = client.Get("/rules?v=4");
  REQUIRE(rules);
  CHECK(rules->status == 200);
  CHECK(rules->get_header_value("Content-Disposition") == "attachment; filename=\"rules-4.json\"");
  const auto bad = client.Get("/run?v=99");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("v: 99 is out of range") != std::string::npos);
  const auto none = client.Get("/run");
  REQUIRE(none);
  CHECK(none->status == 400);
  server.stop();
}
