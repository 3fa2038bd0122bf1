#include "messages/rules_codec.hpp"

#include <fstream>
#include <sstream>

namespace hourglass::messages {
namespace {

constexpr double kMinInterval = 1.0;  // SPEC §5: an interval < 1 is refused

void read_levels(const json& v, const std::string& path, std::vector<sim::LevelRule>& out) {
  expect_array(v, path);
  if (v.empty()) throw InputError(path, "the level table must not be empty");
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = index_path(path, i);
    const json& e = expect_object(v[i], p);
    reject_unknown_keys(e, p, {"growthMultiplier", "populationCap", "levelUpPopulation"});
    sim::LevelRule level;
    level.growth_multiplier = read_number(require_member(e, "growthMultiplier", p),
                                          child_path(p, "growthMultiplier"));
    level.population_cap =
        read_int(require_member(e, "populationCap", p), child_path(p, "populationCap"), 0);
    const bool last = i + 1 == v.size();
    if (const json* up = member(e, "levelUpPopulation")) {
      if (last)
        throw InputError(child_path(p, "levelUpPopulation"),
                         "the last level cannot level up (remove this field or add a level)");
      level.level_up_population = read_int(*up, child_path(p, "levelUpPopulation"), 0);
    } else if (!last) {
      throw InputError(child_path(p, "levelUpPopulation"),
                       "required on every level but the last");
    }
    if (!out.empty()) {
      const sim::LevelRule& prev = out.back();
      if (level.population_cap <= prev.population_cap)
        throw InputError(child_path(p, "populationCap"),
                         "levels must be ascending: " + std::to_string(level.population_cap) +
                             " is not above the previous level's " +
                             std::to_string(prev.population_cap));
      if (level.level_up_population && *level.level_up_population <= *prev.level_up_population)
        throw InputError(child_path(p, "levelUpPopulation"),
                         "levels must be ascending: " +
                             std::to_string(*level.level_up_population) +
                             " is not above the previous level's " +
                             std::to_string(*prev.level_up_population));
    }
    out.push_back(level);
  }
}

void read_settlement(const json& v, const std::string& path, sim::SettlementRules& s) {
  expect_object(v, path);
  reject_unknown_keys(v, path,
                      {"populationGrowthRate", "populationGrowthIntervalMinutes",
                       "resourceGenerationIntervalMinutes", "levelUpCheckIntervalMinutes",
                       "baseGeneration", "levels"});
  if (const json* x = member(v, "populationGrowthRate"))
    s.population_growth_rate = read_number(*x, child_path(path, "populationGrowthRate"));
  if (const json* x = member(v, "populationGrowthIntervalMinutes"))
    s.population_growth_interval =
        read_minutes(*x, child_path(path, "populationGrowthIntervalMinutes"), kMinInterval);
  if (const json* x = member(v, "resourceGenerationIntervalMinutes"))
    s.resource_generation_interval =
        read_minutes(*x, child_path(path, "resourceGenerationIntervalMinutes"), kMinInterval);
  if (const json* x = member(v, "levelUpCheckIntervalMinutes"))
    s.level_up_check_interval =
        read_minutes(*x, child_path(path, "levelUpCheckIntervalMinutes"), kMinInterval);
  if (const json* x = member(v, "baseGeneration"))
    s.base_generation = read_amounts(*x, child_path(path, "baseGeneration"), false);
  if (const json* x = member(v, "levels")) read_levels(*x, child_path(path, "levels"), s.levels);
}

std::shared_ptr<const sim::StructureTypeRule> read_structure_type(const json& v,
                                                                  const std::string& path) {
  expect_object(v, path);
  reject_unknown_keys(v, path,
                      {"constructionMinutes", "maintenanceIntervalMinutes",
                       "upgradeIntervalMinutes", "maintenanceCost", "upgradeCost", "produces",
                       "growthBonus", "maxLevel"});
  // A type's missing fields take the values of the built-in `farm` (SPEC §5).
  auto t = std::make_shared<sim::StructureTypeRule>(sim::Rules::default_farm());
  if (const json* x = member(v, "constructionMinutes"))
    t->construction = read_minutes(*x, child_path(path, "constructionMinutes"), 0.0);
  if (const json* x = member(v, "maintenanceIntervalMinutes"))
    t->maintenance_interval =
        read_minutes(*x, child_path(path, "maintenanceIntervalMinutes"), kMinInterval);
  if (const json* x = member(v, "upgradeIntervalMinutes"))
    t->upgrade_interval = read_minutes(*x, child_path(path, "upgradeIntervalMinutes"), kMinInterval);
  if (const json* x = member(v, "maintenanceCost"))
    t->maintenance_cost = read_amounts(*x, child_path(path, "maintenanceCost"), true);
  if (const json* x = member(v, "upgradeCost"))
    t->upgrade_cost = read_amounts(*x, child_path(path, "upgradeCost"), true);
  if (const json* x = member(v, "produces"))
    t->produces = read_amounts(*x, child_path(path, "produces"), false);
  if (const json* x = member(v, "growthBonus"))
    t->growth_bonus = read_number(*x, child_path(path, "growthBonus"));
  if (const json* x = member(v, "maxLevel"))
    t->max_level = static_cast<int>(read_int(*x, child_path(path, "maxLevel"), 1, 1'000'000));
  return t;
}

void read_maintenance(const json& v, const std::string& path, sim::MaintenanceRules& m) {
  expect_object(v, path);
  reject_unknown_keys(v, path, {"repairPerPayment", "conditionLossPerMiss", "damagedBelow"});
  if (const json* x = member(v, "repairPerPayment"))
    m.repair_per_payment = read_int(*x, child_path(path, "repairPerPayment"), 0, 100);
  if (const json* x = member(v, "conditionLossPerMiss"))
    m.condition_loss_per_miss = read_int(*x, child_path(path, "conditionLossPerMiss"), 0, 100);
  if (const json* x = member(v, "damagedBelow"))
    m.damaged_below = read_int(*x, child_path(path, "damagedBelow"), 0, 101);
}

}  // namespace

sim::Rules parse_rules(const json& doc, const std::string& where) {
  expect_object(doc, where);
  reject_unknown_keys(doc, where,
                      {"version", "description", "settlement", "structures", "maintenance",
                       "events"});
  sim::Rules rules = sim::Rules::defaults();
  if (const json* x = member(doc, "version"))
    rules.version = read_string(*x, child_path(where, "version"), true);
  if (const json* x = member(doc, "description"))
    read_string(*x, child_path(where, "description"), true);
  if (const json* x = member(doc, "settlement"))
    read_settlement(*x, child_path(where, "settlement"), rules.settlement);
  if (const json* x = member(doc, "structures")) {
    const std::string path = child_path(where, "structures");
    expect_object(*x, path);
    rules.structures.clear();  // the table replaces the default whole
    for (auto it = x->begin(); it != x->end(); ++it) {
      if (it.key().empty()) throw InputError(path, "a structure type name must not be empty");
      rules.structures[it.key()] = read_structure_type(*it, child_path(path, it.key()));
    }
  }
  if (const json* x = member(doc, "maintenance"))
    read_maintenance(*x, child_path(where, "maintenance"), rules.maintenance);
  if (const json* x = member(doc, "events")) {
    const std::string path = child_path(where, "events");
    expect_object(*x, path);
    reject_unknown_keys(*x, path, {"graceMinutes"});
    if (const json* g = member(*x, "graceMinutes"))
      rules.event_grace = read_minutes(*g, child_path(path, "graceMinutes"), 0.0);
  }
  return rules;
}

sim::Rules load_rules_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, "cannot open the rules file");
  std::stringstream buf;
  buf << in.rdbuf();
  json doc;
  try {
    doc = json::parse(buf.str());
  } catch (const json::parse_error& e) {
    throw InputError(file, std::string("not valid JSON: ") + e.what());
  }
  return parse_rules(doc, file + ":$");
}

}  // namespace hourglass::messages
