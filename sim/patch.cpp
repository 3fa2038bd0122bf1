#include "sim/patch.hpp"

namespace hourglass::sim {
namespace {

template <class T>
void replace(T& field, const std::optional<T>& given) {
  if (given) field = *given;
}

}  // namespace

Settlement make_settlement(const SettlementPatch& p, WorldTime clock) {
  Settlement s;
  s.id = p.id;
  s.created_at = clock;
  apply_patch(s, p);
  if (p.carry) s.carry = *p.carry;
  return s;
}

Structure make_structure(const StructurePatch& p, WorldTime clock) {
  Structure s;
  s.id = p.id;
  s.created_at = clock;
  apply_patch(s, p);
  return s;
}

Event make_event(const EventPatch& p) {
  Event e;
  e.id = p.id;
  apply_patch(e, p);
  return e;
}

Effect make_effect(const EffectPatch& p) {
  Effect e;
  e.id = p.id;
  apply_patch(e, p);
  return e;
}

void drop_engine_owned(SettlementPatch& p) {
  p.population.reset();
  p.resources.reset();
  p.level.reset();
  p.carry.reset();
}

void drop_engine_owned(StructurePatch& p) {
  p.status.reset();
  p.condition.reset();
  p.active_since.reset();
}

void drop_engine_owned(EventPatch& p) { p.completed.reset(); }

void apply_patch(Settlement& s, const SettlementPatch& p) {
  replace(s.name, p.name);
  replace(s.level, p.level);
  replace(s.population, p.population);
  replace(s.resources, p.resources);  // replaced whole (SPEC reading 6)
  replace(s.created_at, p.created_at);
  replace(s.overrides, p.variables);  // replaced whole (SPEC reading 6)
}

void apply_patch(Structure& s, const StructurePatch& p) {
  replace(s.settlement_id, p.settlement_id);
  replace(s.type, p.type);
  replace(s.level, p.level);
  replace(s.status, p.status);
  replace(s.condition, p.condition);
  replace(s.created_at, p.created_at);
  if (p.construction_completes_at) s.construction_completes_at = p.construction_completes_at;
  if (p.active_since) s.active_since = p.active_since;
  replace(s.overrides, p.variables);
}

void apply_patch(Event& e, const EventPatch& p) {
  replace(e.scheduled_at, p.scheduled_at);
  replace(e.completed, p.completed);
}

void apply_patch(Effect& e, const EffectPatch& p) { replace(e.execute_at, p.execute_at); }

}  // namespace hourglass::sim
