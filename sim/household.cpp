#include "sim/household.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace hourglass::sim {
namespace {

constexpr std::string_view kResources = "resources.";

bool is_operational(StructureStatus s) {
  return s == StructureStatus::Active || s == StructureStatus::Damaged;
}

// What a household's ACTIVE structures add to its settlement's timers:
// resource deltas (base + produces * level, by name) and the growth rate
// (rate + each bonus, in structure-id order). Recomputed only when a
// structure's status changes, not at every firing.
struct Plan {
  std::vector<std::pair<std::string_view, std::int64_t>> deltas;  // sorted by name
  double growth_rate = 0;
  bool stale = true;
  // Where each delta's resource sits in the settlement's, while its names
  // stay those of `layout`.
  std::vector<std::size_t> at;
  Amounts::Layout layout = 0;
  bool placed = false;
};

void add_delta(std::vector<std::pair<std::string_view, std::int64_t>>& deltas,
               std::string_view name, std::int64_t amount) {
  auto it = std::lower_bound(deltas.begin(), deltas.end(), name,
                             [](const auto& d, std::string_view n) { return name_less(d.first, n); });
  if (it != deltas.end() && it->first == name)
    it->second += amount;
  else
    deltas.emplace(it, name, amount);
}

void refresh(Plan& plan, const Household& h) {
  if (!plan.stale) return;
  plan.deltas.clear();
  for (const auto& [name, amount] : h.settlement.params.base_generation) add_delta(plan.deltas, name, amount);
  double rate = h.settlement.params.growth_rate;
  for (const Structure& st : h.structures) {
    if (st.status != StructureStatus::Active) continue;
    for (const auto& [name, amount] : st.rule->produces) add_delta(plan.deltas, name, amount * st.level);
    rate += st.rule->growth_bonus;
  }
  plan.growth_rate = rate;
  plan.stale = false;
  plan.placed = false;
}

// Every name of the deltas is given a slot in the settlement's resources
// (generation writes them all, SPEC reading 4), and the plan notes where.
void place(Plan& plan, Amounts& resources) {
  for (const auto& d : plan.deltas) resources.slot(d.first);
  plan.at.clear();
  std::size_t v = 0;
  for (const auto& d : plan.deltas) {
    while (!name_equal(resources.at(v).first, d.first)) ++v;  // both sorted, every name there
    plan.at.push_back(v);
  }
  plan.layout = resources.layout();
  plan.placed = true;
}

// A timer in the firing queue, as one 64-bit key: the due time (relative to
// the queue's base) above the slot. Slots number the household's timers in
// canonical order (settlement timers 0-2, then structure j's timers
// 3+3j .. 5+3j), so ordering keys is ordering by (time, slot): SPEC §3's
// order. One integer compare keeps the heap cheap.
constexpr int kSlotBits = 20;  // up to ~350,000 structures per settlement
using Due = std::uint64_t;

enum : std::uint32_t { kResourceSlot = 0, kGrowthSlot = 1, kLevelUpSlot = 2, kFirstStructureSlot = 3 };
enum : std::uint32_t { kConstruction = 0, kMaintenance = 1, kUpgrade = 2 };

// Reused buffers: the hot loop allocates nothing once they have grown.
struct Scratch {
  std::vector<Field> changes;
  std::vector<Field> settlement_changes;
  std::vector<Field> cost;
  std::vector<Due> queue;  // a min-heap (std::greater)
  WorldTime base = 0;      // the queue's keys count from here
  Plan plan;
};
thread_local Scratch scratch;

FieldList list(const std::vector<Field>& v) { return {v.data(), v.size()}; }

// Appends a field written in place. One built aside and copied in was read
// back 16 bytes at a time right after its 8-byte stores, which the CPU cannot
// forward: a stall at every field of every record.
void add_field(std::vector<Field>& v, std::string_view prefix, std::string_view name, std::int64_t number,
               const char* text = nullptr) {
  Field& f = v.emplace_back();
  f.prefix = prefix;
  f.name = name;
  f.number = number;
  f.text = text;
}

// SPEC §2 settlement timer 1.
void fire_resource_generation(Household& h, Plan& plan, WorldTime t, RecordSink& sink) {
  refresh(plan, h);
  if (plan.deltas.empty()) return;
  Settlement& s = h.settlement;
  auto& changes = scratch.changes;
  changes.clear();
  // Every name of the union is written to the settlement, even one that
  // stays 0 (SPEC reading 4); the record lists the values that changed.
  if (!plan.placed || plan.layout != s.resources.layout()) place(plan, s.resources);
  for (std::size_t i = 0; i < plan.deltas.size(); ++i) {
    const auto& [name, delta] = plan.deltas[i];
    std::int64_t& value = s.resources.value_at(plan.at[i]);
    const std::int64_t after = std::max<std::int64_t>(0, value + delta);
    if (after == value) continue;
    value = after;
    add_field(changes, kResources, name, after);
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
void fire_population_growth(Household& h, Plan& plan, const Rules& rules, WorldTime t,
                            RecordSink& sink) {
  Settlement& s = h.settlement;
  if (s.population == 0) return;
  refresh(plan, h);
  const LevelRule& level = rules.settlement.levels[static_cast<std::size_t>(s.level - 1)];
  const double g =
      (static_cast<double>(s.population) * plan.growth_rate) * level.growth_multiplier + s.carry;
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
  changes.clear();
  add_field(changes, {}, "population", population);
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
  changes.clear();
  add_field(changes, {}, "level", s.level);
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
  add_field(changes, {}, "status", 0, status_name(StructureStatus::Active));
  if (st.condition != 100) add_field(changes, {}, "condition", 100);
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

// Whether `resources` hold `cost` `level` times over (a missing name counts
// as 0), reading them at the positions `at` of the cost's names.
bool holds_at(const Amounts& resources, const Amounts& cost, const std::int8_t* at, int level) {
  std::size_t i = 0;
  for (const auto& [name, amount] : cost) {
    const std::int8_t p = at[i++];
    if ((p == SlotIndex::kAbsent ? 0 : resources.at(static_cast<std::size_t>(p)).second) < amount * level)
      return false;
  }
  return true;
}

// The same through `at` when the cost is indexed (not null), else by name.
bool holds_all(const Amounts& resources, const Amounts& cost, const std::int8_t* at, int level) {
  return at ? holds_at(resources, cost, at, level) : resources.covers(cost, level);
}

// SPEC §2 structure timer 2. Returns whether the status changed.
bool fire_maintenance(Household& h, Structure& st, const Rules& rules, WorldTime t,
                      RecordSink& sink) {
  if (!is_operational(st.status)) return false;
  Settlement& s = h.settlement;
  const MaintenanceRules& m = rules.maintenance;
  const Amounts& cost = st.rule->maintenance_cost;
  const std::int8_t* at = st.maintenance_slots.positions(s.resources, cost);
  const bool paid = holds_all(s.resources, cost, at, st.level);
  bool debited = false;
  auto& settlement_changes = scratch.settlement_changes;
  settlement_changes.clear();
  std::int64_t condition = st.condition;
  if (paid) {
    // Debited through the positions found above when every name is there;
    // else by name (a 0 cost of a resource the settlement never had adds it).
    const bool by_position = at && st.maintenance_slots.complete();
    std::size_t i = 0;
    for (const auto& [name, amount] : cost) {
      const std::int64_t due = amount * st.level;
      std::int64_t& value =
          by_position ? s.resources.value_at(static_cast<std::size_t>(at[i++])) : s.resources.slot(name);
      value -= due;
      debited |= due != 0;
      add_field(settlement_changes, kResources, name, value);
    }
    condition = std::min<std::int64_t>(100, condition + m.repair_per_payment);
  } else {
    condition = std::max<std::int64_t>(0, condition - m.condition_loss_per_miss);
  }
  const StructureStatus status =
      condition >= m.damaged_below ? StructureStatus::Active : StructureStatus::Damaged;
  auto& changes = scratch.changes;
  changes.clear();
  if (condition != st.condition) add_field(changes, {}, "condition", condition);
  const bool status_changed = status != st.status;
  if (status_changed) add_field(changes, {}, "status", 0, status_name(status));
  st.condition = condition;
  st.status = status;
  if (paid && changes.empty() && !debited) return false;  // SPEC reading 5
  RecordView r;
  r.time = t;
  r.kind = paid ? RecordKind::MaintenancePaid : RecordKind::MaintenanceMissed;
  r.entity_id = st.id;
  r.changes = list(changes);
  r.settlement_id = s.id;
  r.has_settlement_changes = paid;
  r.settlement_changes = list(settlement_changes);
  sink.record(r);
  return status_changed;
}

// SPEC §2 structure timer 3.
void fire_upgrade_check(Household& h, Structure& st, WorldTime t, RecordSink& sink) {
  if (st.status != StructureStatus::Active || st.level >= st.rule->max_level) return;
  const Amounts& cost = st.rule->upgrade_cost;
  const Amounts& resources = h.settlement.resources;
  if (!holds_all(resources, cost, st.upgrade_slots.positions(resources, cost), st.level)) return;
  auto& fields = scratch.cost;
  fields.clear();
  for (const auto& [name, amount] : cost) add_field(fields, {}, name, amount * st.level);
  RecordView r;
  r.time = t;
  r.kind = RecordKind::UpgradeAvailable;
  r.entity_id = st.id;
  r.settlement_id = h.settlement.id;
  r.has_cost = true;
  r.cost = list(fields);
  sink.record(r);
}

WorldTime construction_due_of(const Structure& st) {
  if (st.construction_completes_at) return *st.construction_completes_at;
  return st.created_at + st.rule->construction;
}

// --- the firing queue ------------------------------------------------------

Due key_of(WorldTime time, std::uint32_t slot) {
  return static_cast<std::uint64_t>(time - scratch.base) << kSlotBits | slot;
}

void push(std::vector<Due>& q, WorldTime time, std::uint32_t slot) {
  if (time == kNever) return;
  q.push_back(key_of(time, slot));
  std::push_heap(q.begin(), q.end(), std::greater<Due>{});
}

// Puts `key` in the place of the earliest key and sifts it down: the heap of
// std::push_heap with std::greater, kept in one pass where a pop then a push
// would take two.
void replace_top(std::vector<Due>& q, Due key) {
  const std::size_t n = q.size();
  Due* a = q.data();
  std::size_t i = 0;
  std::size_t child = 1;
  // Where both children exist, the smaller is chosen without a branch (which
  // child it is cannot be predicted; a mispredicted branch per level cost
  // more than the compare).
  for (; child + 1 < n; child = 2 * i + 1) {
    child += static_cast<std::size_t>(a[child + 1] < a[child]);
    if (key <= a[child]) {
      a[i] = key;
      return;
    }
    a[i] = a[child];
    i = child;
  }
  if (child < n && a[child] < key) {  // a last, lone left child
    a[i] = a[child];
    i = child;
  }
  a[i] = key;
}

void pop_top(std::vector<Due>& q) {
  const Due last = q.back();
  q.pop_back();
  if (!q.empty()) replace_top(q, last);
}

// The firing timer (the queue's top) is due again at `time` (kNever: not
// again), in the same slot.
void requeue_top(std::vector<Due>& q, WorldTime time, std::uint32_t slot) {
  if (time == kNever)
    pop_top(q);
  else
    replace_top(q, key_of(time, slot));
}

std::uint32_t structure_slot(std::size_t index, std::uint32_t timer) {
  return kFirstStructureSlot + 3 * static_cast<std::uint32_t>(index) + timer;
}

void fill_queue(const Household& h, std::vector<Due>& q) {
  q.clear();
  const Settlement& s = h.settlement;
  push(q, s.resource_timer.next, kResourceSlot);
  push(q, s.growth_timer.next, kGrowthSlot);
  push(q, s.level_up_timer.next, kLevelUpSlot);
  for (std::size_t i = 0; i < h.structures.size(); ++i) {
    const Structure& st = h.structures[i];
    push(q, st.construction_due, structure_slot(i, kConstruction));
    push(q, st.maintenance_timer.next, structure_slot(i, kMaintenance));
    push(q, st.upgrade_timer.next, structure_slot(i, kUpgrade));
  }
}

// Fires the timer in `slot` at `t`, the queue's top, and puts its next due
// time in its place.
void fire_slot(Household& h, Plan& plan, const Rules& rules, std::uint32_t slot, WorldTime t,
               std::vector<Due>& q, RecordSink& sink) {
  Settlement& s = h.settlement;
  switch (slot) {
    case kResourceSlot:
      fire_resource_generation(h, plan, t, sink);
      s.resource_timer.step();
      return requeue_top(q, s.resource_timer.next, slot);
    case kGrowthSlot:
      fire_population_growth(h, plan, rules, t, sink);
      s.growth_timer.step();
      return requeue_top(q, s.growth_timer.next, slot);
    case kLevelUpSlot:
      fire_level_up_check(h, rules, t, sink);
      s.level_up_timer.step();
      return requeue_top(q, s.level_up_timer.next, slot);
  }
  const std::size_t index = (slot - kFirstStructureSlot) / 3;
  Structure& st = h.structures[index];
  switch ((slot - kFirstStructureSlot) % 3) {
    case kConstruction:
      fire_construction_complete(st, t, sink);
      plan.stale = true;
      pop_top(q);
      push(q, st.maintenance_timer.next, structure_slot(index, kMaintenance));
      push(q, st.upgrade_timer.next, structure_slot(index, kUpgrade));
      return;
    case kMaintenance:
      if (fire_maintenance(h, st, rules, t, sink)) plan.stale = true;
      st.maintenance_timer.step();
      return requeue_top(q, st.maintenance_timer.next, slot);
    case kUpgrade:
      fire_upgrade_check(h, st, t, sink);
      st.upgrade_timer.step();
      return requeue_top(q, st.upgrade_timer.next, slot);
  }
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

void arm_settlement(Settlement& s, const Rules& rules, WorldTime clock, std::optional<WorldTime> periodic_anchor) {
  s.params = settlement_params(rules, s.overrides);
  const WorldTime anchor = periodic_anchor.value_or(s.created_at);
  s.resource_timer.start(anchor, s.params.resource_interval, clock);
  s.growth_timer.start(anchor, s.params.growth_interval, clock);
  s.level_up_timer.start(anchor, s.params.level_up_interval, clock);
}

void rearm_settlement(Settlement& s, const Rules& rules, WorldTime clock) {
  s.params = settlement_params(rules, s.overrides);
  s.resource_timer.retime(s.params.resource_interval, clock);
  s.growth_timer.retime(s.params.growth_interval, clock);
  s.level_up_timer.retime(s.params.level_up_interval, clock);
}

void arm_structure(Structure& st, const Rules& rules, WorldTime clock, std::optional<WorldTime> periodic_anchor) {
  st.rule = structure_rule(rules, st.type, st.overrides);
  st.maintenance_timer.stop();
  st.upgrade_timer.stop();
  st.construction_due = kNever;
  if (st.status == StructureStatus::UnderConstruction)
    st.construction_due = construction_due_of(st);
  else
    start_periodic(st, periodic_anchor.value_or(st.active_since.value_or(st.created_at)), clock);
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
  // Every due time lies after the earliest one, so it is the base of the keys;
  // a due time more than 2^43 ms (~280 years) past it waits for a later call.
  const WorldTime first = next_due(h);
  if (first > until) return 0;
  constexpr WorldTime kReach = WorldTime{1} << (64 - kSlotBits - 1);
  if (h.structures.size() * 3 + kFirstStructureSlot >= (1u << kSlotBits))
    throw std::length_error("too many structures in one settlement");
  scratch.base = first;
  const WorldTime horizon = until - first < kReach ? until : first + kReach - 1;
  std::vector<Due>& q = scratch.queue;
  Plan& plan = scratch.plan;
  plan.stale = true;  // entities may have changed since the last call
  fill_queue(h, q);
  const Due last = static_cast<std::uint64_t>(horizon - first) << kSlotBits | ((1u << kSlotBits) - 1);
  std::uint64_t firings = 0;
  while (!q.empty() && q.front() <= last) {
    const Due due = q.front();  // fire_slot replaces it by the timer's next due time
    const auto slot = static_cast<std::uint32_t>(due & ((1u << kSlotBits) - 1));
    fire_slot(h, plan, rules, slot, first + static_cast<WorldTime>(due >> kSlotBits), q, sink);
    ++firings;
  }
  if (horizon < until) firings += advance_household(h, rules, until, sink);
  return firings;
}

}  // namespace hourglass::sim
