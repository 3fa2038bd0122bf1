#include "sim/household.hpp"

#include <algorithm>
#include <cmath>

namespace hourglass::sim {
namespace {

constexpr std::string_view kResources = "resources.";

// Reused buffers for the fields of one record: the hot loop allocates nothing
// once they have grown.
struct Scratch {
  std::vector<Field> changes;
  std::vector<Field> settlement_changes;
  std::vector<Field> cost;
  std::vector<std::pair<std::string_view, std::int64_t>> deltas;
};
thread_local Scratch scratch;

FieldList list(const std::vector<Field>& v) { return {v.data(), v.size()}; }

bool is_operational(StructureStatus s) {
  return s == StructureStatus::Active || s == StructureStatus::Damaged;
}

// Adds `amount` to the delta of `name`, keeping the deltas sorted by name.
void add_delta(std::vector<std::pair<std::string_view, std::int64_t>>& deltas,
               std::string_view name, std::int64_t amount) {
  auto it = std::lower_bound(deltas.begin(), deltas.end(), name,
                             [](const auto& d, std::string_view n) { return d.first < n; });
  if (it != deltas.end() && it->first == name)
    it->second += amount;
  else
    deltas.emplace(it, name, amount);
}

// SPEC §2 settlement timer 1.
void fire_resource_generation(Household& h, WorldTime t, RecordSink& sink) {
  Settlement& s = h.settlement;
  auto& deltas = scratch.deltas;
  deltas.clear();
  for (const auto& [name, amount] : s.params.base_generation) add_delta(deltas, name, amount);
  for (const Structure& st : h.structures) {
    if (st.status != StructureStatus::Active) continue;
    for (const auto& [name, amount] : st.rule->produces) add_delta(deltas, name, amount * st.level);
  }
  if (deltas.empty()) return;
  auto& changes = scratch.changes;
  changes.clear();
  // Every name of the union is written to the settlement, even one that
  // stays 0 (SPEC reading 4); the record lists the values that changed.
  for (const auto& [name, delta] : deltas) {
    const std::int64_t before = s.resources.get(name);
    const std::int64_t after = std::max<std::int64_t>(0, before + delta);
    if (after != before || !s.resources.contains(name)) s.resources.set(name, after);
    if (after != before) changes.push_back({kResources, name, after, nullptr});
  }
  if (changes.empty()) return;
  RecordView r;
  r.time = t;
  r.kind = RecordKind::ResourceGeneration;
  r.entity_id = s.id;
  r.changes = list(changes);
  sink.record(r);
}

// SPEC §2 settlement timer 2.
void fire_population_growth(Household& h, const Rules& rules, WorldTime t, RecordSink& sink) {
  Settlement& s = h.settlement;
  if (s.population == 0) return;
  // rate + each ACTIVE structure's bonus, added in structure-id order.
  double rate = s.params.growth_rate;
  for (const Structure& st : h.structures)
    if (st.status == StructureStatus::Active) rate += st.rule->growth_bonus;
  const LevelRule& level = rules.settlement.levels[static_cast<std::size_t>(s.level - 1)];
  const double g = (static_cast<double>(s.population) * rate) * level.growth_multiplier + s.carry;
  const double added = std::floor(g);
  s.carry = g - added;
  std::int64_t population = s.population + static_cast<std::int64_t>(added);
  if (population > level.population_cap || population < 0) {
    population = std::clamp<std::int64_t>(population, 0, level.population_cap);
    s.carry = 0.0;
  }
  if (population == s.population) return;
  s.population = population;
  auto& changes = scratch.changes;
  changes.assign(1, Field{{}, "population", population, nullptr});
  RecordView r;
  r.time = t;
  r.kind = RecordKind::PopulationGrowth;
  r.entity_id = s.id;
  r.changes = list(changes);
  sink.record(r);
}

// SPEC §2 settlement timer 3.
void fire_level_up_check(Household& h, const Rules& rules, WorldTime t, RecordSink& sink) {
  Settlement& s = h.settlement;
  if (s.level >= rules.level_count()) return;
  const LevelRule& level = rules.settlement.levels[static_cast<std::size_t>(s.level - 1)];
  if (!level.level_up_population || s.population < *level.level_up_population) return;
  s.level += 1;
  auto& changes = scratch.changes;
  changes.assign(1, Field{{}, "level", s.level, nullptr});
  RecordView r;
  r.time = t;
  r.kind = RecordKind::LevelUp;
  r.entity_id = s.id;
  r.changes = list(changes);
  sink.record(r);
}

void start_periodic(Structure& st, WorldTime anchor, WorldTime clock) {
  st.maintenance_timer.start(anchor, st.rule->maintenance_interval, clock);
  st.upgrade_timer.start(anchor, st.rule->upgrade_interval, clock);
}

// SPEC §2 structure timer 1.
void fire_construction_complete(Structure& st, WorldTime t, RecordSink& sink) {
  auto& changes = scratch.changes;
  changes.clear();
  changes.push_back({{}, "status", 0, status_name(StructureStatus::Active)});
  if (st.condition != 100) changes.push_back({{}, "condition", 100, nullptr});
  st.status = StructureStatus::Active;
  st.condition = 100;
  st.construction_due = kNever;
  start_periodic(st, t, t);
  RecordView r;
  r.time = t;
  r.kind = RecordKind::ConstructionComplete;
  r.entity_id = st.id;
  r.changes = list(changes);
  sink.record(r);
}

bool holds_all(const Amounts& resources, const Amounts& cost, int level) {
  for (const auto& [name, amount] : cost)
    if (resources.get(name) < amount * level) return false;
  return true;
}

// SPEC §2 structure timer 2.
void fire_maintenance(Household& h, Structure& st, const Rules& rules, WorldTime t,
                      RecordSink& sink) {
  if (!is_operational(st.status)) return;
  Settlement& s = h.settlement;
  const MaintenanceRules& m = rules.maintenance;
  const Amounts& cost = st.rule->maintenance_cost;
  const bool paid = holds_all(s.resources, cost, st.level);
  bool debited = false;
  auto& settlement_changes = scratch.settlement_changes;
  settlement_changes.clear();
  std::int64_t condition = st.condition;
  if (paid) {
    for (const auto& [name, amount] : cost) {
      const std::int64_t due = amount * st.level;
      const std::int64_t after = s.resources.get(name) - due;
      s.resources.set(name, after);
      debited |= due != 0;
      settlement_changes.push_back({kResources, name, after, nullptr});
    }
    condition = std::min<std::int64_t>(100, condition + m.repair_per_payment);
  } else {
    condition = std::max<std::int64_t>(0, condition - m.condition_loss_per_miss);
  }
  const StructureStatus status =
      condition >= m.damaged_below ? StructureStatus::Active : StructureStatus::Damaged;
  auto& changes = scratch.changes;
  changes.clear();
  if (condition != st.condition) changes.push_back({{}, "condition", condition, nullptr});
  if (status != st.status) changes.push_back({{}, "status", 0, status_name(status)});
  st.condition = condition;
  st.status = status;
  if (paid && changes.empty() && !debited) return;  // SPEC reading 5
  RecordView r;
  r.time = t;
  r.kind = paid ? RecordKind::MaintenancePaid : RecordKind::MaintenanceMissed;
  r.entity_id = st.id;
  r.changes = list(changes);
  r.settlement_id = s.id;
  r.has_settlement_changes = paid;
  r.settlement_changes = list(settlement_changes);
  sink.record(r);
}

// SPEC §2 structure timer 3.
void fire_upgrade_check(Household& h, Structure& st, WorldTime t, RecordSink& sink) {
  if (st.status != StructureStatus::Active || st.level >= st.rule->max_level) return;
  const Amounts& cost = st.rule->upgrade_cost;
  if (!holds_all(h.settlement.resources, cost, st.level)) return;
  auto& fields = scratch.cost;
  fields.clear();
  for (const auto& [name, amount] : cost) fields.push_back({{}, name, amount * st.level, nullptr});
  RecordView r;
  r.time = t;
  r.kind = RecordKind::UpgradeAvailable;
  r.entity_id = st.id;
  r.settlement_id = h.settlement.id;
  r.has_cost = true;
  r.cost = list(fields);
  sink.record(r);
}

// Fires everything due exactly at `t`, in canonical order.
std::uint64_t fire_instant(Household& h, const Rules& rules, WorldTime t, RecordSink& sink) {
  std::uint64_t firings = 0;
  Settlement& s = h.settlement;
  if (s.resource_timer.next == t) {
    fire_resource_generation(h, t, sink);
    s.resource_timer.step();
    ++firings;
  }
  if (s.growth_timer.next == t) {
    fire_population_growth(h, rules, t, sink);
    s.growth_timer.step();
    ++firings;
  }
  if (s.level_up_timer.next == t) {
    fire_level_up_check(h, rules, t, sink);
    s.level_up_timer.step();
    ++firings;
  }
  for (Structure& st : h.structures) {
    if (st.construction_due == t) {
      fire_construction_complete(st, t, sink);
      ++firings;
    }
    if (st.maintenance_timer.next == t) {
      fire_maintenance(h, st, rules, t, sink);
      st.maintenance_timer.step();
      ++firings;
    }
    if (st.upgrade_timer.next == t) {
      fire_upgrade_check(h, st, t, sink);
      st.upgrade_timer.step();
      ++firings;
    }
  }
  return firings;
}

WorldTime construction_due_of(const Structure& st) {
  if (st.construction_completes_at) return *st.construction_completes_at;
  return st.created_at + st.rule->construction;
}

}  // namespace

Structure* Household::find_structure(std::string_view id) {
  auto it = std::lower_bound(structures.begin(), structures.end(), id,
                             [](const Structure& s, std::string_view i) { return s.id < i; });
  return it != structures.end() && it->id == id ? &*it : nullptr;
}

bool Household::insert_structure(Structure s) {
  auto it = std::lower_bound(structures.begin(), structures.end(), s.id,
                             [](const Structure& a, const std::string& i) { return a.id < i; });
  if (it != structures.end() && it->id == s.id) return false;
  structures.insert(it, std::move(s));
  return true;
}

bool Household::erase_structure(std::string_view id) {
  auto it = std::lower_bound(structures.begin(), structures.end(), id,
                             [](const Structure& s, std::string_view i) { return s.id < i; });
  if (it == structures.end() || it->id != id) return false;
  structures.erase(it);
  return true;
}

void arm_settlement(Settlement& s, const Rules& rules, WorldTime clock) {
  s.params = settlement_params(rules, s.overrides);
  s.resource_timer.start(s.created_at, s.params.resource_interval, clock);
  s.growth_timer.start(s.created_at, s.params.growth_interval, clock);
  s.level_up_timer.start(s.created_at, s.params.level_up_interval, clock);
}

void rearm_settlement(Settlement& s, const Rules& rules, WorldTime clock) {
  s.params = settlement_params(rules, s.overrides);
  s.resource_timer.retime(s.params.resource_interval, clock);
  s.growth_timer.retime(s.params.growth_interval, clock);
  s.level_up_timer.retime(s.params.level_up_interval, clock);
}

void arm_structure(Structure& st, const Rules& rules, WorldTime clock) {
  st.rule = structure_rule(rules, st.type, st.overrides);
  st.maintenance_timer.stop();
  st.upgrade_timer.stop();
  st.construction_due = kNever;
  if (st.status == StructureStatus::UnderConstruction)
    st.construction_due = construction_due_of(st);
  else
    start_periodic(st, st.active_since.value_or(st.created_at), clock);
}

void rearm_structure(Structure& st, const Rules& rules, WorldTime clock, StructureStatus was) {
  st.rule = structure_rule(rules, st.type, st.overrides);
  if (st.status == StructureStatus::UnderConstruction) {
    // Back under construction: it waits for its completion again, whose
    // firing restarts the periodic timers anchored there.
    st.maintenance_timer.stop();
    st.upgrade_timer.stop();
    st.construction_due = construction_due_of(st);
  } else if (was == StructureStatus::UnderConstruction) {
    // Declared finished without a completion firing: it is active from
    // activeSince when given, else from now.
    st.construction_due = kNever;
    start_periodic(st, st.active_since.value_or(clock), clock);
  } else {
    st.maintenance_timer.retime(st.rule->maintenance_interval, clock);
    st.upgrade_timer.retime(st.rule->upgrade_interval, clock);
  }
}

std::uint64_t fire_overdue(Household& h, const Rules& rules, WorldTime clock, RecordSink& sink) {
  std::uint64_t firings = 0;
  for (Structure& st : h.structures) {
    if (st.construction_due <= clock) {
      fire_construction_complete(st, clock, sink);
      ++firings;
    }
  }
  return firings;
}

WorldTime next_due(const Household& h) {
  const Settlement& s = h.settlement;
  WorldTime t = std::min({s.resource_timer.next, s.growth_timer.next, s.level_up_timer.next});
  for (const Structure& st : h.structures)
    t = std::min({t, st.construction_due, st.maintenance_timer.next, st.upgrade_timer.next});
  return t;
}

std::uint64_t advance_household(Household& h, const Rules& rules, WorldTime until,
                                RecordSink& sink) {
  std::uint64_t firings = 0;
  for (WorldTime t = next_due(h); t <= until; t = next_due(h)) {
    firings += fire_instant(h, rules, t, sink);
  }
  return firings;
}

}  // namespace hourglass::sim
