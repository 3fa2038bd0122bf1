// Unit tests for sim/household: the formulas of SPEC §2 for a settlement and
// its structures, the canonical order of SPEC §3 inside a household, split
// invariance (SPEC §1) and re-arming after an UPDATE. Expected values are
// worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <random>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/household.hpp"

using namespace hourglass::sim;

namespace {

// --- a sink that keeps owning copies of the records -------------------------

struct FieldValue {
  std::string key;
  std::string value;  // a number as decimal, a string quoted, a literal as is
  bool operator==(const FieldValue& o) const { return key == o.key && value == o.value; }
};
std::ostream& operator<<(std::ostream& os, const FieldValue& f) {
  return os << f.key << "=" << f.value;
}
using Fields = std::vector<FieldValue>;

std::string q(const char* s) { return std::string("\"") + s + "\""; }

Fields own(const FieldList& list) {
  Fields out;
  for (const Field& f : list) {
    std::string value;
    if (f.text && f.literal)
      value = f.text;
    else if (f.text)
      value = q(f.text);
    else
      value = std::to_string(f.number);
    out.push_back({std::string(f.prefix) + std::string(f.name), value});
  }
  return out;
}

struct Rec {
  WorldTime time = 0;
  RecordKind kind = RecordKind::ResourceGeneration;
  std::string entity_id;
  Fields changes;
  std::string settlement_id;
  bool has_settlement_changes = false;
  Fields settlement_changes;
  bool has_cost = false;
  Fields cost;
  bool operator==(const Rec& o) const {
    return time == o.time && kind == o.kind && entity_id == o.entity_id && changes == o.changes &&
           settlement_id == o.settlement_id &&
           has_settlement_changes == o.has_settlement_changes &&
           settlement_changes == o.settlement_changes && has_cost == o.has_cost && cost == o.cost;
  }
};
std::ostream& operator<<(std::ostream& os, const Rec& r) {
  os << "{" << r.time << " " << kind_name(r.kind) << " " << r.entity_id << " changes:";
  for (const auto& f : r.changes) os << " " << f;
  if (!r.settlement_id.empty()) os << " settlement:" << r.settlement_id;
  if (r.has_settlement_changes) {
    os << " settlementChanges:";
    for (const auto& f : r.settlement_changes) os << " " << f;
  }
  if (r.has_cost) {
    os << " cost:";
    for (const auto& f : r.cost) os << " " << f;
  }
  return os << "}";
}

class Collect final : public RecordSink {
 public:
  std::vector<Rec> records;
  void record(const RecordView& r) override {
    Rec o;
    o.time = r.time;
    o.kind = r.kind;
    o.entity_id = std::string(r.entity_id);
    o.changes = own(r.changes);
    o.settlement_id = std::string(r.settlement_id);
    o.has_settlement_changes = r.has_settlement_changes;
    o.settlement_changes = own(r.settlement_changes);
    o.has_cost = r.has_cost;
    o.cost = own(r.cost);
    records.push_back(std::move(o));
  }
  std::vector<Rec> of_kind(RecordKind k) const {
    std::vector<Rec> out;
    for (const auto& r : records)
      if (r.kind == k) out.push_back(r);
    return out;
  }
};

// --- fixtures ----------------------------------------------------------------

constexpr WorldTime min(std::int64_t m) { return m * kMsPerMinute; }
constexpr Duration kFar = 1'000'000 * kMsPerMinute;  // beyond every test's horizon

Settlement make_settlement_(std::int64_t population, Amounts resources, int level = 1) {
  Settlement s;
  s.id = "s1";
  s.name = "Oakridge";
  s.level = level;
  s.population = population;
  s.resources = std::move(resources);
  s.created_at = 0;
  return s;
}

// A settlement whose own timers never fire in these tests: structure tests
// then see only structure records.
Settlement quiet_settlement(Amounts resources) {
  Settlement s = make_settlement_(0, std::move(resources));
  s.overrides.resource_generation_interval = kFar;
  s.overrides.population_growth_interval = kFar;
  s.overrides.level_up_check_interval = kFar;
  return s;
}

Structure make_structure_(std::string id, std::string type, int level, StructureStatus status,
                          std::int64_t condition) {
  Structure st;
  st.id = std::move(id);
  st.settlement_id = "s1";
  st.type = std::move(type);
  st.level = level;
  st.status = status;
  st.condition = condition;
  st.created_at = 0;
  return st;
}

Household household(const Rules& rules, Settlement s, std::vector<Structure> structures,
                    WorldTime clock = 0) {
  Household h;
  h.settlement = std::move(s);
  arm_settlement(h.settlement, rules, clock);
  for (Structure& st : structures) {
    arm_structure(st, rules, clock);
    REQUIRE(h.insert_structure(std::move(st)));
  }
  return h;
}

// A copy of the default farm under another name, for tuned types.
std::shared_ptr<StructureTypeRule> farm_copy() {
  return std::make_shared<StructureTypeRule>(Rules::default_farm());
}

// Everything of a household's state that the SPEC defines, the carry in
// exact hex so that equal strings mean equal bits.
std::string describe(const Household& h) {
  std::ostringstream os;
  const Settlement& s = h.settlement;
  os << s.id << " level=" << s.level << " pop=" << s.population << " carry=" << std::hexfloat
     << s.carry << std::defaultfloat << " timers=" << s.resource_timer.next << ","
     << s.growth_timer.next << "," << s.level_up_timer.next << " res:";
  for (const auto& [name, amount] : s.resources) os << " " << name << "=" << amount;
  for (const Structure& st : h.structures)
    os << "\n" << st.id << " level=" << st.level << " " << status_name(st.status)
       << " cond=" << st.condition << " due=" << st.construction_due
       << " m=" << st.maintenance_timer.anchor << "/" << st.maintenance_timer.next
       << " u=" << st.upgrade_timer.anchor << "/" << st.upgrade_timer.next;
  return os.str();
}

const Fields kNone{};

}  // namespace

// --- RESOURCE_GENERATION -----------------------------------------------------

TEST_CASE("resource generation adds base + produces*level of ACTIVE structures", "[household]") {
  const Rules& rules = Rules::defaults();
  // base food 2, gold 1; farm produces food 5 per level.
  Household h = household(rules, make_settlement_(0, {{"food", 10}, {"gold", 5}}),
                          {make_structure_("st1", "farm", 2, StructureStatus::Active, 100),
                           make_structure_("st2", "farm", 1, StructureStatus::Damaged, 40),
                           make_structure_("st3", "mine", 1, StructureStatus::UnderConstruction, 0)});
  Collect sink;
  advance_household(h, rules, min(60), sink);

  // food = 10 + 2 + 5*2 (the DAMAGED farm and the unfinished mine add nothing)
  // gold = 5 + 1
  REQUIRE(sink.records.size() == 1);
  const Rec& r = sink.records[0];
  CHECK(r.time == min(60));
  CHECK(r.kind == RecordKind::ResourceGeneration);
  CHECK(r.entity_id == "s1");
  CHECK(r.changes == Fields{{"resources.food", "22"}, {"resources.gold", "6"}});
  CHECK_FALSE(r.has_settlement_changes);
  CHECK_FALSE(r.has_cost);
  CHECK(h.settlement.resources == Amounts{{"food", 22}, {"gold", 6}});
}

TEST_CASE("resource generation: max(0, ...), missing names, generationRates replaces base",
          "[household]") {
  const Rules& rules = Rules::defaults();
  Settlement s = make_settlement_(0, {{"food", 5}, {"gold", 3}});
  s.overrides.generation_rates = Amounts{{"food", -20}, {"wood", 0}};
  // An ACTIVE mine produces gold 4 per level.
  Household h = household(rules, s, {make_structure_("st1", "mine", 1, StructureStatus::Active, 100)});
  Collect sink;
  advance_household(h, rules, min(60), sink);

  // Union {food, gold, wood}:
  //   food = max(0, 5 - 20) = 0          changed
  //   gold = 3 + 4 = 7 (no base gold 1: generationRates replaced the base)
  //   wood = 0 + 0 = 0 (missing counts as 0) unchanged, but written
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].changes == Fields{{"resources.food", "0"}, {"resources.gold", "7"}});
  CHECK(h.settlement.resources == Amounts{{"food", 0}, {"gold", 7}, {"wood", 0}});
  CHECK(h.settlement.resources.contains("wood"));
}

TEST_CASE("resource generation records nothing when nothing changes", "[household]") {
  const Rules& rules = Rules::defaults();
  SECTION("a zero rate on a missing name") {
    Settlement s = make_settlement_(0, {{"food", 1}});
    s.overrides.generation_rates = Amounts{{"stone", 0}};
    Household h = household(rules, s, {});
    Collect sink;
    advance_household(h, rules, min(60), sink);
    CHECK(sink.records.empty());
    // The union name is still written (SPEC reading 4); food is not in it.
    CHECK(h.settlement.resources == Amounts{{"food", 1}, {"stone", 0}});
  }
  SECTION("a negative rate on an empty store stays at 0") {
    Settlement s = make_settlement_(0, {{"food", 0}});
    s.overrides.generation_rates = Amounts{{"food", -3}};
    Household h = household(rules, s, {});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.resources == Amounts{{"food", 0}});
  }
  SECTION("an empty base and no producers") {
    Settlement s = make_settlement_(0, {{"food", 4}});
    s.overrides.generation_rates = Amounts{};
    Household h = household(rules, s, {});
    Collect sink;
    advance_household(h, rules, min(60), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.resources == Amounts{{"food", 4}});
  }
}

// --- POPULATION_GROWTH -------------------------------------------------------

namespace {
Settlement growing_settlement(std::int64_t population) {
  Settlement s = make_settlement_(population, {});
  s.overrides.generation_rates = Amounts{};  // no RESOURCE_GENERATION records
  return s;
}
}  // namespace

TEST_CASE("population growth carries the fraction between firings", "[household]") {
  const Rules& rules = Rules::defaults();  // rate 0.01, level 1: x1.0, cap 500
  Household h = household(rules, growing_settlement(120), {});
  Collect sink;
  advance_household(h, rules, min(300), sink);

  // By hand: g = 1.2, 1.21+0.2, 1.22+0.41, 1.23+0.63, 1.24+0.86 = 2.1
  // -> 121, 122, 123, 124, 126.
  const std::vector<std::int64_t> hand{121, 122, 123, 124, 126};
  REQUIRE(sink.records.size() == hand.size());
  // The carry, in the order of SPEC §2 (same expression, same bits).
  std::int64_t population = 120;
  double carry = 0.0;
  for (std::size_t i = 0; i < hand.size(); ++i) {
    const double g = (static_cast<double>(population) * 0.01) * 1.0 + carry;
    const double added = std::floor(g);
    carry = g - added;
    population += static_cast<std::int64_t>(added);
    REQUIRE(population == hand[i]);
    const Rec& r = sink.records[i];
    CHECK(r.time == min(60 * static_cast<std::int64_t>(i + 1)));
    CHECK(r.kind == RecordKind::PopulationGrowth);
    CHECK(r.changes == Fields{{"population", std::to_string(hand[i])}});
  }
  CHECK(h.settlement.population == 126);
  CHECK(h.settlement.carry == carry);  // exact, about 0.1
  CHECK(h.settlement.carry > 0.09);
  CHECK(h.settlement.carry < 0.11);
}

TEST_CASE("population growth uses the level's multiplier", "[household]") {
  const Rules& rules = Rules::defaults();  // level 2: x0.9, cap 2000
  Settlement s = growing_settlement(1000);
  s.level = 2;
  Household h = household(rules, s, {});
  Collect sink;
  advance_household(h, rules, min(60), sink);
  // g = (1000 * 0.01) * 0.9 = 9 -> 1009 (10 without the multiplier)
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].changes == Fields{{"population", "1009"}});
  const double g = (1000.0 * 0.01) * 0.9;
  CHECK(h.settlement.carry == g - std::floor(g));
}

TEST_CASE("population growth bonus comes from ACTIVE structures only", "[household]") {
  Rules rules = Rules::defaults();
  rules.settlement.population_growth_rate = 0.1;
  auto farm = farm_copy();
  farm->growth_bonus = 0.05;
  auto temple = farm_copy();
  temple->growth_bonus = 0.2;
  rules.structures["farm"] = farm;
  rules.structures["temple"] = temple;
  Household h = household(rules, growing_settlement(100),
                          {make_structure_("st1", "farm", 1, StructureStatus::Active, 100),
                           make_structure_("st2", "temple", 1, StructureStatus::Damaged, 40),
                           make_structure_("st3", "farm", 1, StructureStatus::UnderConstruction, 0)});
  Collect sink;
  advance_household(h, rules, min(60), sink);
  // rate = 0.1 + 0.05 (ACTIVE farm only): g = 100 * 0.15 = 15 -> 115.
  // (110 without any bonus, 120 with the unfinished farm, 135 with the temple.)
  const auto growth = sink.of_kind(RecordKind::PopulationGrowth);
  REQUIRE(growth.size() == 1);
  CHECK(growth[0].changes == Fields{{"population", "115"}});
  double rate = 0.1;
  rate += 0.05;
  const double g = (100.0 * rate) * 1.0 + 0.0;
  CHECK(h.settlement.carry == g - std::floor(g));
}

TEST_CASE("population growth bonuses are summed in structure-id order", "[household]") {
  // Bonuses whose double sum depends on the order: in id order,
  // ((0.01 + 0.1) + 0.2) + 0.03 = 0.33999999999999997, while e.g. the reverse
  // order gives 0.34. The carry must have the bits of the id order.
  Rules rules = Rules::defaults();  // rate 0.01
  auto a = farm_copy();
  a->growth_bonus = 0.1;
  auto b = farm_copy();
  b->growth_bonus = 0.2;
  auto c = farm_copy();
  c->growth_bonus = 0.03;
  rules.structures["a"] = a;
  rules.structures["b"] = b;
  rules.structures["c"] = c;
  Household h = household(rules, growing_settlement(10),
                          {make_structure_("x3", "c", 1, StructureStatus::Active, 100),
                           make_structure_("x1", "a", 1, StructureStatus::Active, 100),
                           make_structure_("x2", "b", 1, StructureStatus::Active, 100)});
  Collect sink;
  advance_household(h, rules, min(60), sink);
  double rate = 0.01;
  rate += 0.1;   // x1
  rate += 0.2;   // x2
  rate += 0.03;  // x3
  const double g = (10.0 * rate) * 1.0 + 0.0;
  double reversed = 0.01;
  reversed += 0.03;
  reversed += 0.2;
  reversed += 0.1;
  REQUIRE(g != (10.0 * reversed) * 1.0);  // the test can tell the orders apart
  // 10 * 0.34 = 3.4 -> 13
  CHECK(h.settlement.population == 13);
  CHECK(h.settlement.carry == g - std::floor(g));
}

TEST_CASE("population growth clamps to the level's cap and resets the carry", "[household]") {
  Rules rules = Rules::defaults();
  SECTION("growth over the cap") {
    rules.settlement.population_growth_rate = 0.1;
    Settlement s = growing_settlement(495);
    s.carry = 0.7;
    Household h = household(rules, s, {});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    // 60: g = 49.5 + 0.7 = 50.2 -> 545, clamped to 500, carry 0.
    // 120: g = 50 -> 550, clamped to 500: unchanged, no record.
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].time == min(60));
    CHECK(sink.records[0].changes == Fields{{"population", "500"}});
    CHECK(h.settlement.population == 500);
    CHECK(h.settlement.carry == 0.0);
  }
  SECTION("a population above the cap is clamped down") {
    rules.settlement.population_growth_rate = 0.0;
    Settlement s = growing_settlement(600);
    s.carry = 0.3;
    Household h = household(rules, s, {});
    Collect sink;
    advance_household(h, rules, min(60), sink);
    // g = 0 + 0.3 -> +0 = 600, clamped to 500 -> carry 0.
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].changes == Fields{{"population", "500"}});
    CHECK(h.settlement.carry == 0.0);
  }
  SECTION("a negative rate clamps at 0") {
    rules.settlement.population_growth_rate = -2.0;
    Household h = household(rules, growing_settlement(10), {});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    // 60: g = -20 -> -10, clamped to 0. 120: population 0, nothing happens.
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].changes == Fields{{"population", "0"}});
    CHECK(h.settlement.population == 0);
    CHECK(h.settlement.carry == 0.0);
  }
}

TEST_CASE("population growth with population 0 does nothing", "[household]") {
  const Rules& rules = Rules::defaults();
  Settlement s = growing_settlement(0);
  s.carry = 0.5;
  Household h = household(rules, s, {});
  Collect sink;
  advance_household(h, rules, min(600), sink);
  CHECK(sink.records.empty());
  CHECK(h.settlement.population == 0);
  CHECK(h.settlement.carry == 0.5);  // not even the carry moves
}

TEST_CASE("population growth records only when the population changes", "[household]") {
  const Rules& rules = Rules::defaults();
  Household h = household(rules, growing_settlement(10), {});
  Collect sink;
  advance_household(h, rules, min(60), sink);
  // g = 10 * 0.01 = 0.1: +0, no record, but the carry keeps 0.1.
  CHECK(sink.records.empty());
  CHECK(h.settlement.population == 10);
  const double g = (10.0 * 0.01) * 1.0 + 0.0;
  CHECK(h.settlement.carry == g);
  CHECK(h.settlement.carry > 0.0);
}

// --- LEVEL_UP_CHECK ----------------------------------------------------------

namespace {
Rules four_level_rules() {
  Rules rules = Rules::defaults();
  rules.settlement.population_growth_rate = 0.0;
  rules.settlement.levels = {{1.0, 10000, 100}, {1.0, 20000, 200}, {1.0, 30000, 300},
                             {1.0, 40000, std::nullopt}};
  return rules;
}
}  // namespace

TEST_CASE("level-up: one level per check, never past the last level", "[household]") {
  const Rules rules = four_level_rules();
  Household h = household(rules, growing_settlement(1000), {});
  Collect sink;
  advance_household(h, rules, min(360 * 4), sink);
  // 1000 passes every threshold, but each check (every 360 min) adds one level;
  // at 1440 the settlement is at the last level (4): nothing.
  REQUIRE(sink.records.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(sink.records[i].kind == RecordKind::LevelUp);
    CHECK(sink.records[i].time == min(360 * static_cast<std::int64_t>(i + 1)));
    CHECK(sink.records[i].changes == Fields{{"level", std::to_string(i + 2)}});
  }
  CHECK(h.settlement.level == 4);
}

TEST_CASE("level-up needs population >= levelUpPopulation of the current level", "[household]") {
  const Rules rules = four_level_rules();
  SECTION("just below") {
    Household h = household(rules, growing_settlement(99), {});
    Collect sink;
    advance_household(h, rules, min(720), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.level == 1);
  }
  SECTION("exactly at the threshold, then below the next") {
    Household h = household(rules, growing_settlement(100), {});
    Collect sink;
    advance_household(h, rules, min(720), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].time == min(360));
    CHECK(sink.records[0].changes == Fields{{"level", "2"}});
    CHECK(h.settlement.level == 2);  // 100 < 200 at 720
  }
}

// --- CONSTRUCTION_COMPLETE ---------------------------------------------------

TEST_CASE("construction completes and anchors the periodic timers there", "[household]") {
  const Rules& rules = Rules::defaults();  // farm: 2880 min, maintenance 120, upgrade 360
  Structure st1 = make_structure_("st1", "farm", 1, StructureStatus::UnderConstruction, 0);
  st1.construction_completes_at = min(90);
  Structure st2 = make_structure_("st2", "farm", 1, StructureStatus::UnderConstruction, 100);
  Household h = household(rules, quiet_settlement({{"gold", 1000}}), {st1, st2});
  REQUIRE_FALSE(h.find_structure("st1")->maintenance_timer.running());

  Collect sink;
  advance_household(h, rules, min(90), sink);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].time == min(90));
  CHECK(sink.records[0].kind == RecordKind::ConstructionComplete);
  CHECK(sink.records[0].entity_id == "st1");
  CHECK(sink.records[0].changes == Fields{{"status", q("ACTIVE")}, {"condition", "100"}});
  CHECK(sink.records[0].settlement_id.empty());
  const Structure& a = *h.find_structure("st1");
  CHECK(a.status == StructureStatus::Active);
  CHECK(a.condition == 100);
  CHECK(a.maintenance_timer.anchor == min(90));
  CHECK(a.maintenance_timer.next == min(210));
  CHECK(a.upgrade_timer.next == min(450));

  // st2 completes at createdAt + constructionMinutes; its condition was
  // already 100, so only the status is a change.
  advance_household(h, rules, min(2880), sink);
  const auto done = sink.of_kind(RecordKind::ConstructionComplete);
  REQUIRE(done.size() == 2);
  CHECK(done[1].time == min(2880));
  CHECK(done[1].entity_id == "st2");
  CHECK(done[1].changes == Fields{{"status", q("ACTIVE")}});
  CHECK(h.find_structure("st2")->maintenance_timer.anchor == min(2880));
  // st1's first maintenance was at 90 + 120, not at 120 or 240.
  const auto paid = sink.of_kind(RecordKind::MaintenancePaid);
  REQUIRE_FALSE(paid.empty());
  CHECK(paid[0].entity_id == "st1");
  CHECK(paid[0].time == min(210));
}

TEST_CASE("fire_overdue completes an overdue construction at the clock", "[household]") {
  const Rules& rules = Rules::defaults();
  Structure late = make_structure_("st1", "farm", 1, StructureStatus::UnderConstruction, 0);
  late.construction_completes_at = min(30);
  Structure future = make_structure_("st2", "farm", 1, StructureStatus::UnderConstruction, 0);
  future.construction_completes_at = min(500);
  Household h = household(rules, quiet_settlement({}), {late, future}, min(100));

  Collect sink;
  CHECK(fire_overdue(h, rules, min(100), sink) == 1);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].time == min(100));  // the clock, not 30
  CHECK(sink.records[0].entity_id == "st1");
  CHECK(h.find_structure("st1")->maintenance_timer.next == min(220));
  CHECK(h.find_structure("st2")->status == StructureStatus::UnderConstruction);
  // Nothing left overdue.
  CHECK(fire_overdue(h, rules, min(100), sink) == 0);
  CHECK(sink.records.size() == 1);
}

// --- MAINTENANCE_DUE ---------------------------------------------------------

TEST_CASE("maintenance: paid, then missed when the cost is not held", "[household]") {
  const Rules& rules = Rules::defaults();  // farm: gold 1 per level; +5 / -10; damaged below 50
  Household h = household(rules, quiet_settlement({{"food", 7}, {"gold", 5}}),
                          {make_structure_("st1", "farm", 2, StructureStatus::Active, 80)});
  Collect sink;
  advance_household(h, rules, min(360), sink);
  // 120: cost gold 2: 5 -> 3, condition 85.  240: 3 -> 1, 90.
  // 360: 1 < 2: missed, condition 80; the upgrade (gold 100) is not held.
  REQUIRE(sink.records.size() == 3);
  const Rec& p1 = sink.records[0];
  CHECK(p1.time == min(120));
  CHECK(p1.kind == RecordKind::MaintenancePaid);
  CHECK(p1.entity_id == "st1");
  CHECK(p1.changes == Fields{{"condition", "85"}});
  CHECK(p1.settlement_id == "s1");
  CHECK(p1.has_settlement_changes);
  CHECK(p1.settlement_changes == Fields{{"resources.gold", "3"}});
  CHECK_FALSE(p1.has_cost);

  CHECK(sink.records[1].kind == RecordKind::MaintenancePaid);
  CHECK(sink.records[1].changes == Fields{{"condition", "90"}});
  CHECK(sink.records[1].settlement_changes == Fields{{"resources.gold", "1"}});

  const Rec& m = sink.records[2];
  CHECK(m.time == min(360));
  CHECK(m.kind == RecordKind::MaintenanceMissed);
  CHECK(m.changes == Fields{{"condition", "80"}});
  CHECK(m.settlement_id == "s1");
  CHECK_FALSE(m.has_settlement_changes);
  CHECK(h.settlement.resources == Amounts{{"food", 7}, {"gold", 1}});
  CHECK(h.find_structure("st1")->condition == 80);
  CHECK(h.find_structure("st1")->status == StructureStatus::Active);
}

TEST_CASE("maintenance debits only when every cost is held", "[household]") {
  Rules rules = Rules::defaults();
  auto well = farm_copy();
  well->maintenance_cost = Amounts{{"food", 3}, {"gold", 1}};
  rules.structures["well"] = well;
  Household h = household(rules, quiet_settlement({{"food", 2}, {"gold", 10}}),
                          {make_structure_("st1", "well", 1, StructureStatus::Active, 80)});
  Collect sink;
  advance_household(h, rules, min(120), sink);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].kind == RecordKind::MaintenanceMissed);
  CHECK(sink.records[0].changes == Fields{{"condition", "70"}});
  CHECK(h.settlement.resources == Amounts{{"food", 2}, {"gold", 10}});  // gold not taken

  // With enough food, both are debited; settlementChanges lists every cost
  // resource in byte order.
  h.settlement.resources.set("food", 3);
  advance_household(h, rules, min(240), sink);
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[1].kind == RecordKind::MaintenancePaid);
  CHECK(sink.records[1].changes == Fields{{"condition", "75"}});
  CHECK(sink.records[1].settlement_changes ==
        Fields{{"resources.food", "0"}, {"resources.gold", "9"}});
}

TEST_CASE("maintenance: condition clamps to 0..100, status follows damagedBelow", "[household]") {
  const Rules& rules = Rules::defaults();
  struct Case {
    const char* name;
    StructureStatus status;
    std::int64_t condition;
    std::int64_t gold;
    RecordKind kind;
    Fields changes;
    StructureStatus status_after;
  };
  const std::vector<Case> cases{
      {"paid, clamped at 100", StructureStatus::Active, 98, 5, RecordKind::MaintenancePaid,
       {{"condition", "100"}}, StructureStatus::Active},
      {"missed, clamped at 0", StructureStatus::Damaged, 5, 0, RecordKind::MaintenanceMissed,
       {{"condition", "0"}}, StructureStatus::Damaged},
      {"paid up to exactly damagedBelow: ACTIVE", StructureStatus::Damaged, 45, 5,
       RecordKind::MaintenancePaid, {{"condition", "50"}, {"status", q("ACTIVE")}},
       StructureStatus::Active},
      {"paid but still below: DAMAGED", StructureStatus::Damaged, 40, 5,
       RecordKind::MaintenancePaid, {{"condition", "45"}}, StructureStatus::Damaged},
      {"missed below damagedBelow: DAMAGED", StructureStatus::Active, 55, 0,
       RecordKind::MaintenanceMissed, {{"condition", "45"}, {"status", q("DAMAGED")}},
       StructureStatus::Damaged},
      {"missed, still at damagedBelow: ACTIVE", StructureStatus::Active, 60, 0,
       RecordKind::MaintenanceMissed, {{"condition", "50"}}, StructureStatus::Active},
      {"a DAMAGED status with a good condition becomes ACTIVE", StructureStatus::Damaged, 80, 5,
       RecordKind::MaintenancePaid, {{"condition", "85"}, {"status", q("ACTIVE")}},
       StructureStatus::Active},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Household h = household(rules, quiet_settlement({{"gold", c.gold}}),
                            {make_structure_("st1", "farm", 1, c.status, c.condition)});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].kind == c.kind);
    CHECK(sink.records[0].changes == c.changes);
    CHECK(h.find_structure("st1")->status == c.status_after);
  }
}

TEST_CASE("MAINTENANCE_PAID only when something changes - MISSED always", "[household]") {
  Rules rules = Rules::defaults();
  SECTION("a debit alone is a change") {
    Household h = household(rules, quiet_settlement({{"gold", 5}}),
                            {make_structure_("st1", "farm", 1, StructureStatus::Active, 100)});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].kind == RecordKind::MaintenancePaid);
    CHECK(sink.records[0].changes == kNone);
    CHECK(sink.records[0].has_settlement_changes);
    CHECK(sink.records[0].settlement_changes == Fields{{"resources.gold", "4"}});
  }
  SECTION("no cost and condition 100: no record") {
    Structure st = make_structure_("st1", "farm", 1, StructureStatus::Active, 100);
    st.overrides.maintenance_cost = Amounts{};
    Household h = household(rules, quiet_settlement({{"gold", 5}}), {st});
    Collect sink;
    advance_household(h, rules, min(240), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.resources == Amounts{{"gold", 5}});
  }
  SECTION("a zero cost and condition 100: no record") {
    Structure st = make_structure_("st1", "farm", 1, StructureStatus::Active, 100);
    st.overrides.maintenance_cost = Amounts{{"gold", 0}};
    Household h = household(rules, quiet_settlement({{"gold", 5}}), {st});
    Collect sink;
    advance_household(h, rules, min(240), sink);
    CHECK(sink.records.empty());
  }
  SECTION("MISSED with no change at all is still recorded") {
    Household h = household(rules, quiet_settlement({{"gold", 0}}),
                            {make_structure_("st1", "farm", 1, StructureStatus::Damaged, 0)});
    Collect sink;
    advance_household(h, rules, min(240), sink);
    REQUIRE(sink.records.size() == 2);
    for (const Rec& r : sink.records) {
      CHECK(r.kind == RecordKind::MaintenanceMissed);
      CHECK(r.changes == kNone);
      CHECK(r.settlement_id == "s1");
    }
  }
}

TEST_CASE("maintenance and upgrade skip a structure under construction", "[household]") {
  const Rules& rules = Rules::defaults();
  SECTION("its periodic timers do not run") {
    Structure st = make_structure_("st1", "farm", 1, StructureStatus::UnderConstruction, 0);
    st.construction_completes_at = min(10000);
    Household h = household(rules, quiet_settlement({{"gold", 500}}), {st});
    CHECK_FALSE(h.find_structure("st1")->maintenance_timer.running());
    CHECK_FALSE(h.find_structure("st1")->upgrade_timer.running());
    Collect sink;
    advance_household(h, rules, min(9999), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.resources == Amounts{{"gold", 500}});
  }
  SECTION("a running timer checks the status when it fires") {
    Household h = household(rules, quiet_settlement({{"gold", 500}}),
                            {make_structure_("st1", "farm", 1, StructureStatus::Active, 80)});
    h.find_structure("st1")->status = StructureStatus::UnderConstruction;  // timers kept
    Collect sink;
    advance_household(h, rules, min(720), sink);
    CHECK(sink.records.empty());
    CHECK(h.settlement.resources == Amounts{{"gold", 500}});
    CHECK(h.find_structure("st1")->condition == 80);
  }
}

// --- UPGRADE_AVAILABLE -------------------------------------------------------

namespace {
// A farm whose maintenance never comes due in these tests.
Structure upgradable(int level, StructureStatus status, std::int64_t condition = 100) {
  Structure st = make_structure_("st1", "farm", level, status, condition);
  st.overrides.maintenance_interval = kFar;
  return st;
}
}  // namespace

TEST_CASE("upgrade available: ACTIVE, below maxLevel, cost*level held", "[household]") {
  const Rules& rules = Rules::defaults();  // farm: upgrade gold 50 per level, maxLevel 3
  SECTION("held: a notice with the cost, nothing changes") {
    Household h = household(rules, quiet_settlement({{"gold", 100}}),
                            {upgradable(2, StructureStatus::Active)});
    Collect sink;
    advance_household(h, rules, min(360), sink);
    REQUIRE(sink.records.size() == 1);
    const Rec& r = sink.records[0];
    CHECK(r.time == min(360));
    CHECK(r.kind == RecordKind::UpgradeAvailable);
    CHECK(r.entity_id == "st1");
    CHECK(r.changes == kNone);
    CHECK(r.settlement_id == "s1");
    CHECK(r.has_cost);
    CHECK(r.cost == Fields{{"gold", "100"}});
    CHECK_FALSE(r.has_settlement_changes);
    CHECK(h.settlement.resources == Amounts{{"gold", 100}});
    CHECK(h.find_structure("st1")->level == 2);
  }
  SECTION("one short: nothing") {
    Household h = household(rules, quiet_settlement({{"gold", 99}}),
                            {upgradable(2, StructureStatus::Active)});
    Collect sink;
    advance_household(h, rules, min(720), sink);
    CHECK(sink.records.empty());
  }
  SECTION("at maxLevel: nothing") {
    Household h = household(rules, quiet_settlement({{"gold", 10000}}),
                            {upgradable(3, StructureStatus::Active)});
    Collect sink;
    advance_household(h, rules, min(720), sink);
    CHECK(sink.records.empty());
  }
  SECTION("a maxLevel override lifts the limit") {
    Structure st = upgradable(3, StructureStatus::Active);
    st.overrides.max_level = 5;
    Household h = household(rules, quiet_settlement({{"gold", 10000}}), {st});
    Collect sink;
    advance_household(h, rules, min(360), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].cost == Fields{{"gold", "150"}});
  }
  SECTION("DAMAGED: nothing") {
    Household h = household(rules, quiet_settlement({{"gold", 10000}}),
                            {upgradable(1, StructureStatus::Damaged, 30)});
    Collect sink;
    advance_household(h, rules, min(720), sink);
    CHECK(sink.records.empty());
  }
}

TEST_CASE("upgrade available needs every cost resource", "[household]") {
  Rules rules = Rules::defaults();
  auto tower = farm_copy();
  tower->upgrade_cost = Amounts{{"stone", 10}, {"gold", 50}};
  rules.structures["tower"] = tower;
  Structure st = make_structure_("st1", "tower", 1, StructureStatus::Active, 100);
  st.overrides.maintenance_interval = kFar;
  SECTION("stone one short") {
    Household h = household(rules, quiet_settlement({{"gold", 50}, {"stone", 9}}), {st});
    Collect sink;
    advance_household(h, rules, min(360), sink);
    CHECK(sink.records.empty());
  }
  SECTION("all held") {
    Household h = household(rules, quiet_settlement({{"gold", 50}, {"stone", 10}}), {st});
    Collect sink;
    advance_household(h, rules, min(360), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].cost == Fields{{"gold", "50"}, {"stone", "10"}});
  }
}

// --- canonical order (SPEC §3) -----------------------------------------------

TEST_CASE("canonical order inside a household at one instant", "[household][order]") {
  Rules rules = Rules::defaults();
  rules.settlement.resource_generation_interval = min(60);
  rules.settlement.population_growth_interval = min(60);
  rules.settlement.level_up_check_interval = min(60);
  auto hall = farm_copy();
  hall->maintenance_interval = min(60);
  hall->upgrade_interval = min(60);
  hall->growth_bonus = 0.0;
  hall->produces = Amounts{};
  rules.structures["hall"] = hall;

  Structure building = make_structure_("st1a", "hall", 1, StructureStatus::UnderConstruction, 0);
  building.construction_completes_at = min(60);
  // Inserted out of order: the household keeps byte order st10 < st1a < st2.
  Household h = household(rules, make_settlement_(300, {{"food", 0}, {"gold", 1000}}),
                          {make_structure_("st2", "hall", 1, StructureStatus::Active, 80), building,
                           make_structure_("st10", "hall", 1, StructureStatus::Active, 80)});
  REQUIRE(h.structures.size() == 3);
  CHECK(h.structures[0].id == "st10");
  CHECK(h.structures[1].id == "st1a");
  CHECK(h.structures[2].id == "st2");

  Collect sink;
  advance_household(h, rules, min(60), sink);
  struct Expect {
    RecordKind kind;
    const char* id;
  };
  const std::vector<Expect> order{
      {RecordKind::ResourceGeneration, "s1"},  {RecordKind::PopulationGrowth, "s1"},
      {RecordKind::LevelUp, "s1"},             {RecordKind::MaintenancePaid, "st10"},
      {RecordKind::UpgradeAvailable, "st10"},  {RecordKind::ConstructionComplete, "st1a"},
      {RecordKind::MaintenancePaid, "st2"},    {RecordKind::UpgradeAvailable, "st2"},
  };
  REQUIRE(sink.records.size() == order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    INFO("record " << i << ": " << sink.records[i]);
    CHECK(sink.records[i].time == min(60));
    CHECK(sink.records[i].kind == order[i].kind);
    CHECK(sink.records[i].entity_id == order[i].id);
  }
  // Growth before the level check: 300 * 0.01 = 3 -> 303 >= 250 -> level 2.
  CHECK(sink.records[1].changes == Fields{{"population", "303"}});
  CHECK(sink.records[2].changes == Fields{{"level", "2"}});
  // The structure completed at 60 starts its timers there: nothing else at 60.
  CHECK(h.find_structure("st1a")->maintenance_timer.next == min(120));
}

TEST_CASE("structures are kept in byte order of their ids", "[household][order]") {
  Household h;
  for (const char* id : {"st\xC3\xA9", "stz", "st10", "st2", "stA"}) {
    INFO(id);
    CHECK(h.insert_structure(make_structure_(id, "farm", 1, StructureStatus::Active, 100)));
  }
  // A duplicate id is refused and changes nothing.
  CHECK_FALSE(h.insert_structure(make_structure_("st2", "mine", 3, StructureStatus::Active, 1)));
  std::vector<std::string> ids;
  for (const Structure& st : h.structures) ids.push_back(st.id);
  CHECK(ids == std::vector<std::string>{"st10", "st2", "stA", "stz", "st\xC3\xA9"});
  REQUIRE(h.find_structure("st2"));
  CHECK(h.find_structure("st2")->type == "farm");
  CHECK(h.find_structure("st3") == nullptr);
  CHECK(h.erase_structure("stA"));
  CHECK_FALSE(h.erase_structure("stA"));
  CHECK(h.find_structure("stA") == nullptr);
  CHECK(h.structures.size() == 4);
}

TEST_CASE("each firing sees the state the earlier ones left", "[household][order]") {
  const Rules& rules = Rules::defaults();
  SECTION("maintenance debits before the next structure's checks") {
    Structure a = make_structure_("st10", "farm", 1, StructureStatus::Active, 100);
    Structure b = make_structure_("st2", "farm", 1, StructureStatus::Active, 100);
    a.overrides.upgrade_interval = min(120);
    b.overrides.upgrade_interval = min(120);
    Household h = household(rules, quiet_settlement({{"gold", 51}}), {b, a});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    // st10: pays 1 (51 -> 50), upgrade needs 50: held.
    // st2: pays 1 (50 -> 49), upgrade needs 50: not held.
    REQUIRE(sink.records.size() == 3);
    CHECK(sink.records[0].kind == RecordKind::MaintenancePaid);
    CHECK(sink.records[0].entity_id == "st10");
    CHECK(sink.records[0].settlement_changes == Fields{{"resources.gold", "50"}});
    CHECK(sink.records[1].kind == RecordKind::UpgradeAvailable);
    CHECK(sink.records[1].entity_id == "st10");
    CHECK(sink.records[2].kind == RecordKind::MaintenancePaid);
    CHECK(sink.records[2].entity_id == "st2");
    CHECK(sink.records[2].settlement_changes == Fields{{"resources.gold", "49"}});
  }
  SECTION("a construction completed at t is not yet ACTIVE for the settlement's firings at t") {
    Structure farm = make_structure_("st1", "farm", 1, StructureStatus::UnderConstruction, 0);
    farm.construction_completes_at = min(60);
    Settlement s = make_settlement_(0, {});
    s.overrides.generation_rates = Amounts{};
    Household h = household(rules, s, {farm});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    // 60: RG sees no ACTIVE producer (nothing), then the farm completes.
    // 120: RG adds the farm's food 5.
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].kind == RecordKind::ConstructionComplete);
    CHECK(sink.records[0].time == min(60));
    CHECK(sink.records[1].kind == RecordKind::ResourceGeneration);
    CHECK(sink.records[1].time == min(120));
    CHECK(sink.records[1].changes == Fields{{"resources.food", "5"}});
  }
  SECTION("resource generation at t funds maintenance at t") {
    Settlement s = quiet_settlement({{"gold", 0}});
    s.overrides.resource_generation_interval = min(120);
    s.overrides.generation_rates = Amounts{{"gold", 1}};
    Household h = household(rules, s, {make_structure_("st1", "farm", 1, StructureStatus::Active, 80)});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    // RG: food 0 + 5 (ACTIVE farm), gold 0 + 1; then maintenance pays gold 1.
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].kind == RecordKind::ResourceGeneration);
    CHECK(sink.records[0].changes == Fields{{"resources.food", "5"}, {"resources.gold", "1"}});
    CHECK(sink.records[1].kind == RecordKind::MaintenancePaid);
    CHECK(sink.records[1].settlement_changes == Fields{{"resources.gold", "0"}});
  }
}

TEST_CASE("a structure repaired to ACTIVE at t gets its upgrade check at t (SPEC 8.2)",
          "[household][order]") {
  const Rules& rules = Rules::defaults();
  SECTION("repaired: the check sees ACTIVE") {
    Structure st = make_structure_("st1", "farm", 1, StructureStatus::Damaged, 45);
    st.overrides.upgrade_interval = min(120);  // due with maintenance
    Household h = household(rules, quiet_settlement({{"gold", 100}}), {st});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].kind == RecordKind::MaintenancePaid);
    CHECK(sink.records[0].changes == Fields{{"condition", "50"}, {"status", q("ACTIVE")}});
    CHECK(sink.records[0].settlement_changes == Fields{{"resources.gold", "99"}});
    CHECK(sink.records[1].kind == RecordKind::UpgradeAvailable);
    CHECK(sink.records[1].time == min(120));
    CHECK(sink.records[1].cost == Fields{{"gold", "50"}});
  }
  SECTION("damaged: the check sees DAMAGED") {
    Structure st = make_structure_("st1", "farm", 1, StructureStatus::Active, 55);
    st.overrides.upgrade_interval = min(120);
    st.overrides.maintenance_cost = Amounts{{"food", 1}};
    Household h = household(rules, quiet_settlement({{"food", 0}, {"gold", 100}}), {st});
    Collect sink;
    advance_household(h, rules, min(120), sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].kind == RecordKind::MaintenanceMissed);
    CHECK(sink.records[0].changes == Fields{{"condition", "45"}, {"status", q("DAMAGED")}});
  }
}

// --- split invariance (SPEC §1) ----------------------------------------------

namespace {
Household busy_household(const Rules& rules) {
  Structure mine = make_structure_("st2", "mine", 1, StructureStatus::UnderConstruction, 0);
  mine.construction_completes_at = min(500);
  return household(rules, make_settlement_(120, {{"food", 3}, {"gold", 2}}),
                   {make_structure_("st1", "farm", 1, StructureStatus::Active, 60), mine,
                    make_structure_("st3", "temple", 2, StructureStatus::Damaged, 48)});
}
}  // namespace

TEST_CASE("advancing A->C equals A->B->C at the household level", "[household][split]") {
  const Rules& rules = Rules::defaults();
  const WorldTime c = min(3 * 24 * 60);
  Household whole = busy_household(rules);
  Collect whole_sink;
  advance_household(whole, rules, c, whole_sink);
  // The run must be rich enough for the comparison to mean something.
  REQUIRE(whole_sink.records.size() > 50);
  for (RecordKind k : {RecordKind::ResourceGeneration, RecordKind::PopulationGrowth,
                       RecordKind::ConstructionComplete, RecordKind::MaintenancePaid,
                       RecordKind::MaintenanceMissed, RecordKind::UpgradeAvailable}) {
    INFO(kind_name(k));
    CHECK_FALSE(whole_sink.of_kind(k).empty());
  }

  for (std::int64_t b_min : {1, 59, 60, 61, 120, 360, 499, 500, 501, 2000, 4319}) {
    INFO("B = " << b_min << " min");
    Household split = busy_household(rules);
    Collect split_sink;
    advance_household(split, rules, min(b_min), split_sink);
    advance_household(split, rules, c, split_sink);
    CHECK(split_sink.records == whole_sink.records);
    CHECK(describe(split) == describe(whole));
  }

  // Many small steps, some of them empty or repeated.
  Household steps = busy_household(rules);
  Collect steps_sink;
  for (WorldTime t = 0; t <= c; t += min(37)) {
    advance_household(steps, rules, t, steps_sink);
    advance_household(steps, rules, t, steps_sink);
  }
  advance_household(steps, rules, c, steps_sink);
  CHECK(steps_sink.records == whole_sink.records);
  CHECK(describe(steps) == describe(whole));
}

// --- re-arming after an UPDATE -----------------------------------------------

TEST_CASE("rearm_settlement: a changed interval keeps the anchor", "[household][rearm]") {
  const Rules& rules = Rules::defaults();
  Household h = household(rules, growing_settlement(100), {});
  Collect sink;
  advance_household(h, rules, min(90), sink);  // growth at 60
  REQUIRE(h.settlement.growth_timer.next == min(120));

  h.settlement.overrides.population_growth_interval = min(45);
  rearm_settlement(h.settlement, rules, min(90));
  // Anchor 00:00, clock 01:30, 45 min: 02:15.
  CHECK(h.settlement.growth_timer.anchor == 0);
  CHECK(h.settlement.growth_timer.next == min(135));
  CHECK(h.settlement.resource_timer.next == min(120));   // unchanged interval
  CHECK(h.settlement.level_up_timer.next == min(360));

  sink.records.clear();
  advance_household(h, rules, min(180), sink);
  // 135: 101 * 0.01 + carry -> +1; 180: 102 * 0.01 + carry -> +1.
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[0].time == min(135));
  CHECK(sink.records[1].time == min(180));
}

TEST_CASE("rearm_settlement follows a rules change", "[household][rearm]") {
  Rules rules = Rules::defaults();
  Household h = household(rules, growing_settlement(100), {});
  rules.settlement.level_up_check_interval = min(100);
  rules.settlement.population_growth_rate = 0.5;
  rearm_settlement(h.settlement, rules, min(150));
  CHECK(h.settlement.level_up_timer.next == min(200));
  CHECK(h.settlement.params.growth_rate == 0.5);
  // An override wins over the rule.
  h.settlement.overrides.population_growth_rate = 0.25;
  rearm_settlement(h.settlement, rules, min(150));
  CHECK(h.settlement.params.growth_rate == 0.25);
}

TEST_CASE("arm_structure anchors an ACTIVE structure at activeSince, else createdAt",
          "[household][rearm]") {
  const Rules& rules = Rules::defaults();
  Structure a = make_structure_("st1", "farm", 1, StructureStatus::Active, 100);
  a.created_at = min(10);
  Structure b = a;
  b.id = "st2";
  b.active_since = min(50);
  Household h = household(rules, quiet_settlement({}), {a, b}, min(100));
  CHECK(h.find_structure("st1")->maintenance_timer.next == min(130));  // 10 + 120
  CHECK(h.find_structure("st2")->maintenance_timer.next == min(170));  // 50 + 120
  CHECK(h.find_structure("st2")->upgrade_timer.next == min(410));      // 50 + 360
  CHECK(h.find_structure("st1")->construction_due == kNever);
}

TEST_CASE("rearm_structure after an UPDATE", "[household][rearm]") {
  const Rules& rules = Rules::defaults();
  Household h = household(rules, quiet_settlement({{"gold", 1000}}),
                          {make_structure_("st1", "farm", 1, StructureStatus::UnderConstruction, 0),
                           make_structure_("st2", "farm", 1, StructureStatus::Active, 100)});
  Structure& building = *h.find_structure("st1");
  Structure& active = *h.find_structure("st2");
  REQUIRE(building.construction_due == min(2880));

  SECTION("UNDER_CONSTRUCTION -> ACTIVE: active from now") {
    building.status = StructureStatus::Active;
    building.condition = 100;
    rearm_structure(building, rules, min(100), StructureStatus::UnderConstruction);
    CHECK(building.construction_due == kNever);
    CHECK(building.maintenance_timer.next == min(220));
    CHECK(building.upgrade_timer.next == min(460));
    Collect sink;
    advance_household(h, rules, min(3000), sink);
    CHECK(sink.of_kind(RecordKind::ConstructionComplete).empty());
  }
  SECTION("UNDER_CONSTRUCTION -> ACTIVE with activeSince") {
    building.status = StructureStatus::Active;
    building.active_since = min(30);
    rearm_structure(building, rules, min(100), StructureStatus::UnderConstruction);
    CHECK(building.maintenance_timer.next == min(150));
    CHECK(building.upgrade_timer.next == min(390));
  }
  SECTION("type change: the new type's intervals, anchor kept") {
    active.type = "temple";  // maintenance 240, upgrade 720, cost gold 3
    rearm_structure(active, rules, min(100), StructureStatus::Active);
    CHECK(active.maintenance_timer.anchor == 0);
    CHECK(active.maintenance_timer.next == min(240));
    CHECK(active.upgrade_timer.next == min(720));
    CHECK(active.rule->maintenance_cost == Amounts{{"gold", 3}});
    Collect sink;
    advance_household(h, rules, min(240), sink);
    const auto paid = sink.of_kind(RecordKind::MaintenancePaid);
    REQUIRE(paid.size() == 1);
    CHECK(paid[0].time == min(240));
    CHECK(paid[0].settlement_changes == Fields{{"resources.gold", "997"}});
  }
  SECTION("an interval override: next on the anchor grid after the clock") {
    active.overrides.maintenance_interval = min(50);
    rearm_structure(active, rules, min(100), StructureStatus::Active);
    CHECK(active.maintenance_timer.next == min(150));  // 0 + 3*50 (100 is the clock)
    CHECK(active.upgrade_timer.next == min(360));      // unchanged
  }
  SECTION("ACTIVE -> UNDER_CONSTRUCTION: periodic timers stop") {
    active.status = StructureStatus::UnderConstruction;
    active.construction_completes_at = min(400);
    rearm_structure(active, rules, min(100), StructureStatus::Active);
    CHECK_FALSE(active.maintenance_timer.running());
    CHECK_FALSE(active.upgrade_timer.running());
    CHECK(active.construction_due == min(400));
  }
}

TEST_CASE("Amounts: covers and a SlotIndex's positions agree with a lookup per name", "[amounts]") {
  // Random small maps over a few names, some absent, some sharing a prefix.
  const std::vector<std::string> names{"food", "foo", "gold", "stone", "wood", "zinc", "\xc3\xa9ther"};
  std::mt19937 random(7);
  SlotIndex index;  // one index across rounds: it must notice every new layout
  for (int round = 0; round < 2000; ++round) {
    Amounts have, need;
    for (const std::string& n : names) {
      if (random() % 2) have.set(n, static_cast<std::int64_t>(random() % 50));
      if (random() % 3 == 0) need.set(n, static_cast<std::int64_t>(random() % 20));
    }
    const std::int64_t times = 1 + random() % 3;
    bool reference = true;
    bool all_present = true;
    for (const auto& [n, amount] : need) {
      reference &= have.get(n) >= amount * times;
      all_present &= have.contains(n);
    }
    CHECK(have.covers(need, times) == reference);
    const std::int8_t* at = index.positions(have, need);
    REQUIRE(at != nullptr);
    CHECK(index.complete() == all_present);
    std::size_t i = 0;
    for (const auto& [n, amount] : need) {
      if (at[i] == SlotIndex::kAbsent)
        CHECK_FALSE(have.contains(n));
      else
        CHECK(have.at(static_cast<std::size_t>(at[i])).first == n);
      ++i;
    }
  }
}

TEST_CASE("Amounts: a layout is shared by copies and renewed by a new name", "[amounts]") {
  Amounts a{{"food", 1}, {"gold", 2}};
  const Amounts copy = a;
  CHECK(copy.layout() == a.layout());
  a.set("food", 5);  // a value, not a name: the layout stays
  CHECK(a.layout() == copy.layout());
  a.slot("stone");
  CHECK(a.layout() != copy.layout());
  Amounts moved = std::move(a);
  CHECK(a.layout() == Amounts{}.layout());  // NOLINT: the moved-from list is empty, and says so
  CHECK(a.empty());
  SlotIndex index;
  const Amounts cost{{"stone", 1}};
  const std::int8_t* at = index.positions(moved, cost);
  REQUIRE(at != nullptr);
  CHECK(at[0] == 2);
  CHECK(index.positions(a, cost)[0] == SlotIndex::kAbsent);  // a different layout: found again
}
