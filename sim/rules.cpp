#include "sim/rules.hpp"

namespace hourglass::sim {
namespace {

std::shared_ptr<const StructureTypeRule> make_type(Duration construction_min,
                                                   Duration maintenance_min,
                                                   Duration upgrade_min, Amounts maintenance,
                                                   Amounts upgrade, Amounts produces,
                                                   double bonus, int max_level) {
  auto r = std::make_shared<StructureTypeRule>();
  r->construction = construction_min * kMsPerMinute;
  r->maintenance_interval = maintenance_min * kMsPerMinute;
  r->upgrade_interval = upgrade_min * kMsPerMinute;
  r->maintenance_cost = std::move(maintenance);
  r->upgrade_cost = std::move(upgrade);
  r->produces = std::move(produces);
  r->growth_bonus = bonus;
  r->max_level = max_level;
  return r;
}

Rules build_defaults() {
  Rules r;
  r.version = "default-1";
  r.settlement.base_generation = {{"food", 2}, {"gold", 1}};
  r.settlement.levels = {
      {1.0, 500, 250}, {0.9, 2000, 1000}, {0.8, 8000, 4000}, {0.7, 25000, 12000},
      {0.6, 100000, std::nullopt},
  };
  r.structures["farm"] =
      make_type(2880, 120, 360, {{"gold", 1}}, {{"gold", 50}}, {{"food", 5}}, 0.002, 3);
  r.structures["mine"] =
      make_type(4320, 120, 360, {{"food", 3}}, {{"gold", 80}}, {{"gold", 4}}, 0.0, 3);
  r.structures["temple"] =
      make_type(10080, 240, 720, {{"gold", 3}}, {{"gold", 200}}, {}, 0.004, 2);
  return r;
}

}  // namespace

const Rules& Rules::defaults() {
  static const Rules rules = build_defaults();
  return rules;
}

const StructureTypeRule& Rules::default_farm() { return *defaults().structures.at("farm"); }

}  // namespace hourglass::sim
