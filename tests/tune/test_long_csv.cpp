#include <catch2/catch.hpp>

#include "runtime/tune/long_csv.hpp"
#include "tests/tune/tune_support.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

constexpr std::int64_t kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr std::int64_t kHour = 3'600'000;

VariantResult one_settlement(double population_later) {
  VariantResult r;
  SettlementTimeline& s = r.timelines.settlements[EntityKey{"c1", "s1"}];
  s.population = {{kStart, 100}, {kStart + 36 * kHour, population_later}};
  s.level = {{kStart, 1}};
  s.resources["gold"] = {{kStart + 6 * kHour, 5}};
  StructureTimeline& st = r.timelines.structures[EntityKey{"c1", "st,1"}];
  st.condition = {{kStart, 40}};
  st.status = {{kStart, 2}};  // DAMAGED
  return r;
}

}  // namespace

TEST_CASE("tune: the long CSV has a row per point, variant, entity and metric", "[tune][csv]") {
  std::vector<VariantResult> results;
  results.push_back(one_settlement(150));
  results.push_back(one_settlement(175.5));
  sim::CampaignSeed campaign;
  campaign.id = "c1";
  campaign.clock = kStart;
  const std::string csv = long_csv({"rate=0.01", "rate=0.02"}, results, {campaign});
  CHECK(csv ==
        "time,day,variant,entity,metric,value\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.01,s1,population,100\n"
        "2025-01-02T12:00:00.000Z,1.5000,rate=0.01,s1,population,150\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.01,s1,level,1\n"
        "2025-01-01T06:00:00.000Z,0.2500,rate=0.01,s1,gold,5\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.01,\"st,1\",condition,40\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.01,\"st,1\",status,DAMAGED\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.02,s1,population,100\n"
        "2025-01-02T12:00:00.000Z,1.5000,rate=0.02,s1,population,175.5\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.02,s1,level,1\n"
        "2025-01-01T06:00:00.000Z,0.2500,rate=0.02,s1,gold,5\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.02,\"st,1\",condition,40\n"
        "2025-01-01T00:00:00.000Z,0.0000,rate=0.02,\"st,1\",status,DAMAGED\n");
}

TEST_CASE("tune: the long CSV names the campaign when there are several", "[tune][csv]") {
  std::vector<VariantResult> results(1);
  results[0].timelines.settlements[EntityKey{"c2", "s1"}].population = {{kStart + 24 * kHour, 3}};
  sim::CampaignSeed c1, c2;
  c1.id = "c1";
  c2.id = "c2";
  c2.clock = kStart;
  const std::string csv = long_csv({"a"}, results, {c1, c2});
  CHECK(csv == "time,day,variant,entity,metric,value\n2025-01-02T00:00:00.000Z,1.0000,a,c2/s1,population,3\n");
}

TEST_CASE("tune: the tune command writes timeline-long.csv beside timeline.csv", "[tune][csv]") {
  const auto dir = testing::temp_dir("tune-long-csv");
  REQUIRE(testing::run_tune_cli({testing::example("02-structure-lifecycle.json"), "--set",
                                 "maintenance.repairPerPayment=5,20", "--out", dir.string(), "--threads", "1"}) == 0);
  const std::string csv = testing::read_text(dir / "timeline-long.csv");
  CHECK(csv.rfind("time,day,variant,entity,metric,value\n", 0) == 0);
  CHECK(csv.find(",repairPerPayment=20,st3,status,ACTIVE\n") != std::string::npos);
  std::filesystem::remove_all(dir);
}
