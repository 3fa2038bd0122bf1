#include "actors/campaign_entities.hpp"

#include <algorithm>

#include "actors/campaign_sink.hpp"
#include "actors/settlement_supervision.hpp"
#include "messages/record_json.hpp"
#include "sim/household.hpp"

namespace hourglass::actors {
namespace {

using messages::EntityKind;
using messages::Operation;

Handled ignored(const messages::EntityModified& m, const char* why) {
  Handled h;
  h.outcome = Outcome::Ignored;
  h.note = std::string(messages::operation_name(m.operation)) + " " +
           messages::entity_kind_name(m.kind) + " " + m.entity_id + ": " + why;
  return h;
}

Handled refused(std::string why) {
  Handled h;
  h.outcome = Outcome::Refused;
  h.note = std::move(why);
  return h;
}

Handled no_such_settlement(CampaignSelf self, const std::string& id) {
  return refused("payload.entity.settlementId: settlement \"" + id + "\" does not exist in campaign " +
                 self->state.id());
}

// Sends one step request to one settlement, emits its records, commits it.
template <class... Ts>
void settlement_step(CampaignSelf self, const std::string& id, Done done, Ts... args) {
  ask_settlement<StepResult>(
      self, id, self->state.clock, [=] { return caf::make_message(args...); },
      [=](StepResult& r) {
        Handled h;
        h.records = r.batch.records;
        h.firings = r.firings;
        h.carries[id] = r.carry;
        emit(self, r.batch);
        self->send(self->state.settlements.at(id), commit_atom::value);
        done(std::move(h));
      },
      [=](const std::string& why) { done(refused(why)); });
}

sim::Settlement armed_settlement(const sim::SettlementPatch& p, const sim::Rules& rules,
                                 sim::WorldTime clock) {
  sim::Settlement s = sim::make_settlement(p, clock);
  sim::arm_settlement(s, rules, clock, p.periodic_anchor);
  return s;
}

void modify_settlement(CampaignSelf self, const messages::EntityModified& m, Done done) {
  auto& st = self->state;
  auto it = st.settlements.find(m.entity_id);
  switch (m.operation) {
    case Operation::Create:
      if (it != st.settlements.end()) return done(ignored(m, "already exists"));
      spawn_settlement(self, armed_settlement(std::get<sim::SettlementPatch>(m.entity), *st.rules, st.clock), {});
      return done(Handled{});
    case Operation::Update:
      if (it == st.settlements.end()) return done(ignored(m, "does not exist"));
      return settlement_step(self, m.entity_id, done, update_atom::value, st.clock,
                             std::get<sim::SettlementPatch>(m.entity));
    case Operation::Delete:
      if (it == st.settlements.end()) return done(ignored(m, "does not exist"));
      self->send(it->second, delete_atom::value);  // its structures go with it
      retire_settlement(self, m.entity_id);
      return done(Handled{});
  }
}

// A structure's move: detached from its settlement `from` (committed there
// at once), then attached to its new one as a step of that settlement.
void move_structure(CampaignSelf self, const std::string& from, const sim::StructurePatch& p, Done done) {
  ask_settlement<MovingStructure>(
      self, from, self->state.clock, [=] { return caf::make_message(detach_atom::value, p.id); },
      [=](MovingStructure& moving) {
        self->send(self->state.settlements.at(from), commit_atom::value);
        self->state.structure_home[p.id] = *p.settlement_id;
        settlement_step(self, *p.settlement_id, done, attach_atom::value, self->state.clock, moving, p);
      },
      [=](const std::string& why) { done(refused("structure move failed: " + why)); });
}

void modify_structure(CampaignSelf self, const messages::EntityModified& m, Done done) {
  auto& st = self->state;
  auto home = st.structure_home.find(m.entity_id);
  switch (m.operation) {
    case Operation::Create: {
      if (home != st.structure_home.end()) return done(ignored(m, "already exists"));
      const auto& p = std::get<sim::StructurePatch>(m.entity);
      auto owner = st.settlements.find(*p.settlement_id);
      if (owner == st.settlements.end()) return done(no_such_settlement(self, *p.settlement_id));
      st.structure_home[p.id] = *p.settlement_id;
      return settlement_step(self, owner->first, done, create_atom::value, st.clock, p);
    }
    case Operation::Update: {
      if (home == st.structure_home.end()) return done(ignored(m, "does not exist"));
      const auto& p = std::get<sim::StructurePatch>(m.entity);
      if (p.settlement_id && *p.settlement_id != home->second) {
        if (!st.settlements.count(*p.settlement_id)) return done(no_such_settlement(self, *p.settlement_id));
        return move_structure(self, home->second, p, done);
      }
      return settlement_step(self, home->second, done, update_atom::value, st.clock, p);
    }
    case Operation::Delete: {
      if (home == st.structure_home.end()) return done(ignored(m, "does not exist"));
      const std::string owner = home->second;
      st.structure_home.erase(home);
      return settlement_step(self, owner, done, delete_atom::value, m.entity_id);
    }
  }
}

// Events and effects are the campaign's own, and are modified alike: what
// differs is how each kind is found, added, patched, erased and fired.
struct OwnEvents {
  using Patch = sim::EventPatch;
  static sim::Event* find(CampaignState& st, const std::string& id) { return st.schedule.find_event(id); }
  static void add(CampaignState& st, const Patch& p) {
    st.schedule.add_event(sim::make_event(p), st.rules->event_grace);
  }
  static void patch(CampaignState& st, sim::Event& e, const Patch& p) {
    sim::apply_patch(e, p);
    sim::Schedule::rearm_event(e, st.rules->event_grace);
  }
  static void erase(CampaignState& st, const std::string& id) { st.schedule.erase_event(id); }
  static std::uint64_t fire_due(CampaignState& st, sim::RecordSink& w) {
    return st.schedule.fire_events(st.clock, st.clock, w);
  }
};

struct OwnEffects {
  using Patch = sim::EffectPatch;
  static sim::Effect* find(CampaignState& st, const std::string& id) { return st.schedule.find_effect(id); }
  static void add(CampaignState& st, const Patch& p) { st.schedule.add_effect(sim::make_effect(p)); }
  static void patch(CampaignState&, sim::Effect& fx, const Patch& p) { sim::apply_patch(fx, p); }
  static void erase(CampaignState& st, const std::string& id) { st.schedule.erase_effect(id); }
  static std::uint64_t fire_due(CampaignState& st, sim::RecordSink& w) {
    return st.schedule.fire_effects(st.clock, st.clock, w);
  }
};

// A created or updated one-shot already due fires at once, at the clock.
template <class Kind>
Handled modify_own(CampaignSelf self, const messages::EntityModified& m) {
  auto& st = self->state;
  auto* existing = Kind::find(st, m.entity_id);
  switch (m.operation) {
    case Operation::Create:
      if (existing) return ignored(m, "already exists");
      Kind::add(st, std::get<typename Kind::Patch>(m.entity));
      break;
    case Operation::Update:
      if (!existing) return ignored(m, "does not exist");
      Kind::patch(st, *existing, std::get<typename Kind::Patch>(m.entity));
      break;
    case Operation::Delete:
      if (!existing) return ignored(m, "does not exist");
      Kind::erase(st, m.entity_id);
      return Handled{};
  }
  sim::RecordBatch batch;
  messages::BatchWriter writer(st.id(), batch, st.init.capture);
  Handled h;
  h.firings = Kind::fire_due(st, writer);
  h.records = batch.records;
  emit(self, batch);
  return h;
}

}  // namespace

void seed_campaign(CampaignSelf self, CampaignSeed seed) {
  auto& st = self->state;
  std::map<std::string, std::vector<sim::Structure>> by_settlement;
  for (const auto& p : seed.structures) {
    sim::Structure s = sim::make_structure(p, st.clock);
    sim::arm_structure(s, *st.rules, st.clock, p.periodic_anchor);
    by_settlement[s.settlement_id].push_back(std::move(s));
  }
  for (auto& [id, list] : by_settlement)
    std::sort(list.begin(), list.end(),
              [](const sim::Structure& a, const sim::Structure& b) { return a.id < b.id; });
  for (const auto& p : seed.settlements)
    spawn_settlement(self, armed_settlement(p, *st.rules, st.clock), std::move(by_settlement[p.id]));
  for (const auto& p : seed.events) st.schedule.add_event(sim::make_event(p), st.rules->event_grace);
  for (const auto& p : seed.effects) st.schedule.add_effect(sim::make_effect(p));
}

void handle_modified(CampaignSelf self, const messages::EntityModified& m, Done done) {
  switch (m.kind) {
    case EntityKind::Settlement: return modify_settlement(self, m, std::move(done));
    case EntityKind::Structure: return modify_structure(self, m, std::move(done));
    case EntityKind::Event: return done(modify_own<OwnEvents>(self, m));
    case EntityKind::Effect: return done(modify_own<OwnEffects>(self, m));
    case EntityKind::Encounter: return done(ignored(m, "encounters are not simulated"));
  }
}

}  // namespace hourglass::actors
