#include <catch2/catch.hpp>

#include "runtime/tune/thin.hpp"
#include "runtime/tune/timelines.hpp"

using namespace hourglass;
using namespace hourglass::runtime::tune;

namespace {

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;

std::string line(int hour, const char* kind, const char* type, const char* id, const char* changes,
                 const char* extra = "") {
  return std::string(R"({"campaignId":"c1","worldTime":"2025-01-01T0)") + std::to_string(hour) +
         R"(:00:00.000Z","kind":")" + kind + R"(","entityType":")" + type + R"(","entityId":")" + id +
         R"(","changes":)" + changes + extra + "}\n";
}

std::vector<actors::CampaignSeed> seeds() {
  actors::CampaignSeed seed;
  seed.id = "c1";
  seed.clock = kT0;
  sim::SettlementPatch s;
  s.id = "s1";
  s.name = "Oakridge";
  s.level = 1;
  s.population = 100;
  s.resources = sim::Amounts{{"gold", 5}};
  seed.settlements.push_back(s);
  sim::StructurePatch st;
  st.id = "st1";
  st.settlement_id = "s1";
  st.type = "farm";
  st.level = 1;
  st.status = sim::StructureStatus::Active;
  st.condition = 60;
  seed.structures.push_back(st);
  return {seed};
}

std::vector<sim::CampaignSnapshot> final_state() {
  sim::CampaignSnapshot c;
  c.id = "c1";
  c.clock = kT0 + 5 * kHour;
  sim::Settlement s;
  s.id = "s1";
  s.name = "Oakridge";
  s.level = 1;
  s.population = 101;
  s.resources = sim::Amounts{{"food", 2}, {"gold", 5}};
  c.settlements.push_back(s);
  sim::Structure st;
  st.id = "st1";
  st.settlement_id = "s1";
  st.type = "farm";
  st.status = sim::StructureStatus::Damaged;
  st.condition = 55;
  c.structures.push_back(st);
  return {c};
}

using P = std::vector<std::pair<sim::WorldTime, double>>;
P pairs(const Steps& steps) {
  P out;
  for (const auto& p : steps) out.push_back({p.time_ms, p.value});
  return out;
}

}  // namespace

TEST_CASE("timelines start at the initial state, follow the records and end at the final state", "[tune][timelines]") {
  TimelineBuilder builder(seeds());
  RecordReader reader({&builder});
  reader.write(line(1, "RESOURCE_GENERATION", "Settlement", "s1", R"({"resources.food":2,"resources.gold":6})"));
  reader.write(line(1, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":101})"));
  reader.write(line(2, "MAINTENANCE_PAID", "Structure", "st1", R"({"condition":65})",
                    R"(,"settlementId":"s1","settlementChanges":{"resources.gold":5})"));
  reader.write(line(3, "MAINTENANCE_MISSED", "Structure", "st1", R"({"condition":55,"status":"DAMAGED"})",
                    R"(,"settlementId":"s1")"));
  reader.write(line(4, "UPGRADE_AVAILABLE", "Structure", "st1", "{}", R"(,"settlementId":"s1","cost":{"gold":50})"));
  REQUIRE(reader.records() == 5);
  const Timelines t = builder.finish(final_state());

  const SettlementTimeline& s = t.settlements.at(EntityKey{"c1", "s1"});
  CHECK(s.name == "Oakridge");
  const sim::WorldTime end = kT0 + 5 * kHour;
  CHECK(pairs(s.population) == P{{kT0, 100}, {kT0 + kHour, 101}, {end, 101}});
  CHECK(pairs(s.level) == P{{kT0, 1}, {end, 1}});
  CHECK(pairs(s.resources.at("food")) == P{{kT0, 0}, {kT0 + kHour, 2}, {end, 2}});
  CHECK(pairs(s.resources.at("gold")) == P{{kT0, 5}, {kT0 + kHour, 6}, {kT0 + 2 * kHour, 5}, {end, 5}});
  CHECK(s.maintenance_paid == 1);
  CHECK(s.maintenance_missed == 1);
  CHECK(s.upgrade_notices == 1);

  const StructureTimeline& st = t.structures.at(EntityKey{"c1", "st1"});
  CHECK(st.type == "farm");
  CHECK(pairs(st.condition) == P{{kT0, 60}, {kT0 + 2 * kHour, 65}, {kT0 + 3 * kHour, 55}, {end, 55}});
  CHECK(pairs(st.status) == P{{kT0, 1}, {kT0 + 3 * kHour, 2}, {end, 2}});
  CHECK(status_categories()[1] == "ACTIVE");
}

TEST_CASE("a later value at the same instant replaces the earlier one", "[tune][timelines]") {
  TimelineBuilder builder(seeds());
  RecordReader reader({&builder});
  reader.write(line(1, "RESOURCE_GENERATION", "Settlement", "s1", R"({"resources.gold":9})"));
  reader.write(line(1, "MAINTENANCE_PAID", "Structure", "st1", "{}",
                    R"(,"settlementId":"s1","settlementChanges":{"resources.gold":5})"));
  const Timelines t = builder.finish({});
  // 5 -> 9 -> 5 within one instant leaves the series at 5, with no step.
  CHECK(pairs(t.settlements.at(EntityKey{"c1", "s1"}).resources.at("gold")) == P{{kT0, 5}});
}

TEST_CASE("thinning keeps the envelope of a long step series", "[tune][thin]") {
  Steps steps;
  for (int i = 0; i < 10000; ++i) steps.push_back({kT0 + i * kHour, static_cast<double>((i * 7919) % 1000)});
  steps[5000].value = 5000;  // a spike must survive
  const Steps thin = thin_steps(steps, 100);
  CHECK(thin.size() <= 400);
  CHECK(thin.size() > 100);
  CHECK(thin.front().time_ms == steps.front().time_ms);
  CHECK(thin.back().time_ms == steps.back().time_ms);
  bool spike = false;
  for (std::size_t i = 0; i < thin.size(); ++i) {
    spike = spike || thin[i].value == 5000;
    if (i > 0) CHECK(thin[i - 1].time_ms < thin[i].time_ms);
  }
  CHECK(spike);
  const Steps few(steps.begin(), steps.begin() + 300);
  CHECK(thin_steps(few, 100).size() == 300);
}
