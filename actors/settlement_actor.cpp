#include "actors/settlement_actor.hpp"

#include <algorithm>
#include <functional>
#include <memory>

#include "actors/exception_handler.hpp"
#include "actors/protocol.hpp"
#include "actors/step_gather.hpp"
#include "actors/structure_actor.hpp"
#include "messages/record_json.hpp"

namespace hourglass::actors {
namespace {

using Self = caf::stateful_actor<SettlementState>*;

// Runs `then`; should it throw, `fail` answers the request first (a promise
// dropped by a dying actor is never answered) and the actor dies of it.
void run_or_fail(const std::function<void()>& then, const std::function<void(const caf::error&)>& fail) {
  try {
    then();
  } catch (const std::exception& e) {
    fail(caf::make_error(caf::sec::runtime_error, e.what()));
    throw;
  }
}

// Runs `then` once the household holds all its structures, borrowing them
// from their actors first if needed. `fail` gets the error of a lost lend.
void with_structures(Self self, std::function<void()> then,
                     std::function<void(const caf::error&)> fail) {
  auto& st = self->state;
  if (st.holding || st.structure_actors.empty()) {
    st.holding = true;
    run_or_fail(then, fail);
    return;
  }
  auto pending = std::make_shared<std::size_t>(st.structure_actors.size());
  auto failed = std::make_shared<bool>(false);
  for (const auto& entry : st.structure_actors) {
    self->request(entry.second, caf::infinite, lend_atom::value)
        .then(
            [=](sim::Structure& s) {
              self->state.household.structures.push_back(std::move(s));
              if (--*pending > 0 || *failed) return;
              auto& list = self->state.household.structures;
              std::sort(list.begin(), list.end(),
                        [](const sim::Structure& a, const sim::Structure& b) { return a.id < b.id; });
              self->state.holding = true;
              run_or_fail(then, fail);
            },
            [=](caf::error& err) {
              if (*failed) return;
              *failed = true;
              fail(err);
            });
  }
}

// Gives every borrowed structure back to its actor: the message is committed.
// The campaign (who sent the commit) gets a copy of the committed household.
void commit(Self self) {
  auto& st = self->state;
  if (!st.holding) return;
  self->send(caf::actor_cast<caf::actor>(self->current_sender()), committed_atom::value,
             SettlementSnapshot{st.household.settlement, st.household.structures});
  for (sim::Structure& s : st.household.structures) {
    auto it = st.structure_actors.find(s.id);
    if (it != st.structure_actors.end()) self->send(it->second, restore_atom::value, std::move(s));
  }
  st.household.structures.clear();
  st.holding = false;
}

// Runs `body` with a record writer into a fresh batch: one step's answer.
template <class Body>
StepResult run_step(Self self, Body& body) {
  auto& st = self->state;
  StepResult result;
  result.batch.text.reserve_tail(st.last_batch_bytes);
  result.batch.groups.reserve(st.last_batch_groups);
  messages::BatchWriter writer(st.campaign_id, result.batch, st.capture);
  result.firings = body(writer);
  check_fault(st.faults, "settlement", st.household.settlement.id, st.firings, st.firings + result.firings);
  st.firings += result.firings;
  result.carry = st.household.settlement.carry;
  if (writer.writes_text()) {  // a step without text says nothing of the next one's size
    st.last_batch_bytes = result.batch.text.size() + result.batch.text.size() / 8;
    st.last_batch_groups = result.batch.groups.size() + result.batch.groups.size() / 8;
  }
  return result;
}

// The common shape of a step: borrow, run `body` with a record writer, reply.
// A settlement that holds its structures already (every step of a message
// after its first) answers at once; else it answers once they are back.
template <class Body>
caf::result<StepResult> step(Self self, Body body) {
  auto& st = self->state;
  if (st.holding || st.structure_actors.empty()) {
    st.holding = true;
    try {
      return run_step(self, body);
    } catch (const std::exception& e) {
      // Answered with the error, then the actor dies of it (as run_or_fail:
      // a dying actor's request would otherwise never be answered).
      caf::error err = caf::make_error(caf::sec::runtime_error, e.what());
      self->quit(err);
      return err;
    }
  }
  auto rp = self->make_response_promise<StepResult>();
  with_structures(
      self, [=]() mutable { rp.deliver(run_step(self, body)); },
      [=](const caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

// A step a campaign fans out (StepOrder), done to the household with a
// record writer: its firings.
std::uint64_t run_order(Self self, const StepOrder& order, messages::BatchWriter& w) {
  auto& st = self->state;
  switch (order.kind) {
    case StepKind::Advance: return sim::advance_household(st.household, *st.rules, order.time, w);
    case StepKind::Overdue: return sim::fire_overdue(st.household, *st.rules, order.time, w);
    case StepKind::Rules:
      // Like an UPDATE of every member: intervals and amounts re-read,
      // anchors kept, nothing fires (the campaign commits afterwards).
      st.rules = order.rules;
      sim::rearm_settlement(st.household.settlement, *order.rules, order.time);
      for (sim::Structure& s : st.household.structures) sim::rearm_structure(s, *order.rules, order.time, s.status);
      return 0;
  }
  return 0;
}

// The same as a request's answer (the campaign's retries, and supervision's
// catch-up of a fresh actor).
caf::result<StepResult> ordered_step(Self self, StepOrder order) {
  return step(self, [=](messages::BatchWriter& w) { return run_order(self, order, w); });
}

// A step of a gather (step_gather.hpp): the answer goes into the gather's
// slot, and the settlement that completes it tells the campaign. A failure
// is not answered: the actor dies of it, and its campaign asks a fresh one.
void gathered_step(Self self, const StepGatherPtr& g, std::size_t pos) {
  auto& st = self->state;
  auto answer = [self, g, pos]() {
    auto body = [&](messages::BatchWriter& w) { return run_order(self, g->order(), w); };
    if (!g->answer(pos, run_step(self, body))) return;
    if (auto campaign = caf::actor_cast<caf::actor>(g->campaign())) self->send(campaign, gathered_atom::value, g);
  };
  if (st.holding || st.structure_actors.empty()) {
    st.holding = true;
    answer();  // an exception kills the actor (exception_to_error)
    return;
  }
  with_structures(self, answer, [=](const caf::error& err) { self->quit(err); });
}

caf::actor spawn_structure(Self self, const std::string& id) {
  auto a = self->spawn<caf::linked + caf::lazy_init>(structure_actor, true, self->state.faults);
  self->state.structure_actors[id] = a;
  return a;
}

}  // namespace

caf::behavior settlement_actor(Self self, SettlementInit init) {
  auto& st = self->state;
  st.campaign_id = std::move(init.campaign_id);
  st.rules = std::move(init.rules);
  st.household.settlement = std::move(init.settlement);
  st.household.structures = std::move(init.structures);
  st.holding = true;  // the actors start lent; the first commit hands them over
  st.faults = std::move(init.faults);
  st.capture = init.capture;
  self->set_exception_handler(exception_to_error);
  for (const sim::Structure& s : st.household.structures) spawn_structure(self, s.id);

  return {
      [=](step_atom, const StepGatherPtr& g, std::size_t pos) { gathered_step(self, g, pos); },
      [=](advance_atom, sim::WorldTime until) { return ordered_step(self, {StepKind::Advance, until}); },
      [=](overdue_atom, sim::WorldTime clock) { return ordered_step(self, {StepKind::Overdue, clock}); },
      [=](commit_atom) { commit(self); },
      [=](rules_atom, sim::WorldTime clock, const sim::RulesPtr& rules) {
        return ordered_step(self, {StepKind::Rules, clock, rules});
      },
      [=](update_atom, sim::WorldTime clock, const sim::SettlementPatch& p) {
        return step(self, [=](messages::BatchWriter&) {
          sim::Settlement& s = self->state.household.settlement;
          sim::apply_patch(s, p);
          sim::rearm_settlement(s, *self->state.rules, clock);
          return std::uint64_t{0};
        });
      },
      [=](create_atom, sim::WorldTime clock, const sim::StructurePatch& p) {
        return step(self, [=](messages::BatchWriter& w) {
          auto& h = self->state.household;
          sim::Structure s = sim::make_structure(p, clock);
          sim::arm_structure(s, *self->state.rules, clock);
          if (!h.insert_structure(std::move(s))) return std::uint64_t{0};
          spawn_structure(self, p.id);
          return sim::fire_overdue(h, *self->state.rules, clock, w);
        });
      },
      [=](update_atom, sim::WorldTime clock, const sim::StructurePatch& p) {
        return step(self, [=](messages::BatchWriter& w) {
          auto& h = self->state.household;
          sim::Structure* s = h.find_structure(p.id);
          if (!s) return std::uint64_t{0};
          const sim::StructureStatus was = s->status;
          sim::apply_patch(*s, p);
          sim::rearm_structure(*s, *self->state.rules, clock, was);
          return sim::fire_overdue(h, *self->state.rules, clock, w);
        });
      },
      [=](delete_atom, const std::string& structure_id) {
        return step(self, [=](messages::BatchWriter&) {
          auto& st = self->state;
          st.household.erase_structure(structure_id);
          auto it = st.structure_actors.find(structure_id);
          if (it != st.structure_actors.end()) {
            self->send(it->second, delete_atom::value);
            st.structure_actors.erase(it);
          }
          return std::uint64_t{0};
        });
      },
      [=](delete_atom) {
        // A normal exit does not travel along links: each structure is told.
        for (const auto& entry : self->state.structure_actors)
          self->send(entry.second, delete_atom::value);
        self->quit();
      },
      [=](detach_atom, const std::string& structure_id) -> caf::result<MovingStructure> {
        auto rp = self->make_response_promise<MovingStructure>();
        with_structures(
            self,
            [=]() mutable {
              auto& st = self->state;
              sim::Structure* s = st.household.find_structure(structure_id);
              auto it = st.structure_actors.find(structure_id);
              if (!s || it == st.structure_actors.end()) {
                rp.deliver(caf::make_error(caf::sec::runtime_error, "no such structure"));
                return;
              }
              // Copied, not moved: erase_structure finds it by its id (a
              // moved-from entry would stay behind, nameless and without
              // its rule, in the copy a restart starts from).
              MovingStructure moving{*s};
              st.household.erase_structure(structure_id);
              // Its actor is linked to this settlement, whose restart would
              // kill it: it ends here, and the new settlement spawns its own.
              self->send(it->second, delete_atom::value);
              st.structure_actors.erase(it);
              rp.deliver(std::move(moving));
            },
            [=](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](attach_atom, sim::WorldTime clock, MovingStructure& moving, const sim::StructurePatch& p) {
        auto m = std::make_shared<MovingStructure>(std::move(moving));
        return step(self, [=](messages::BatchWriter& w) {
          auto& st = self->state;
          const sim::StructureStatus was = m->structure.status;
          sim::apply_patch(m->structure, p);
          sim::rearm_structure(m->structure, *st.rules, clock, was);
          const std::string id = m->structure.id;
          if (!st.household.insert_structure(std::move(m->structure))) return std::uint64_t{0};
          // Its own actor, linked to this settlement (not the one it came
          // from), lent until the commit like a created structure's.
          spawn_structure(self, id);
          return sim::fire_overdue(st.household, *st.rules, clock, w);
        });
      },
      [=](snapshot_atom) -> caf::result<SettlementSnapshot> {
        auto rp = self->make_response_promise<SettlementSnapshot>();
        with_structures(
            self,
            [=]() mutable {
              const auto& h = self->state.household;
              rp.deliver(SettlementSnapshot{h.settlement, h.structures});
            },
            [=](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
  };
}

}  // namespace hourglass::actors
