#include "actors/campaign_actor.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "actors/exception_handler.hpp"
#include "actors/settlement_actor.hpp"
#include "messages/record_json.hpp"

namespace hourglass::actors {
namespace {

using Self = caf::stateful_actor<CampaignState>*;
using Done = std::function<void(Handled)>;
using messages::EntityKind;
using messages::Operation;

// --- the queue: one inbound message at a time --------------------------------

void run_next(Self self) {
  auto& st = self->state;
  if (st.busy || st.queue.empty()) return;
  st.busy = true;
  st.message_clock = st.clock;
  auto job = std::move(st.queue.front());
  st.queue.pop_front();
  job();
}

// Every request not answered yet, so that a campaign that fails answers
// them all with its error (a promise dropped by a dying actor never is).
std::uint64_t remember(Self self, caf::response_promise rp) {
  auto& st = self->state;
  st.unanswered.emplace(st.next_ticket, std::move(rp));
  return st.next_ticket++;
}

void answer(Self self, std::uint64_t ticket, Handled h) {
  auto it = self->state.unanswered.find(ticket);
  if (it == self->state.unanswered.end()) return;
  it->second.deliver(std::move(h));
  self->state.unanswered.erase(it);
}

// The settlements whose hidden carry the message changed go to the sink
// before the message ends (the service writes them back to the API).
void send_changed_carries(Self self, const Carries& after) {
  auto& st = self->state;
  Carries changed;
  for (const auto& [id, carry] : after) {
    auto it = st.last_carry.find(id);
    if (it != st.last_carry.end() && it->second == carry) continue;
    st.last_carry[id] = carry;
    changed.emplace(id, carry);
  }
  if (!changed.empty()) self->send(st.sink, carry_atom::value, st.clock, std::move(changed));
}

// Queues `work`; its Done answers the request and lets the next job run.
void enqueue(Self self, caf::response_promise rp, std::function<void(Done)> work) {
  const std::uint64_t ticket = remember(self, std::move(rp));
  self->state.queue.push_back([=]() mutable {
    work([=](Handled h) mutable {
      send_changed_carries(self, h.carries);
      self->send(self->state.sink, message_done_atom::value);
      answer(self, ticket, std::move(h));
      self->state.busy = false;
      run_next(self);
    });
  });
  run_next(self);
}

// --- records -----------------------------------------------------------------

void emit(Self self, const sim::TextBuffer& text) {
  if (!text.empty()) self->send(self->state.sink, records_atom::value, text.str());
}

constexpr int kMaxStepsAtSink = 2;

// Hands one step's records, in canonical order, to the sink.
void emit_step(Self self, sim::OrderedRecords records) {
  if (records.slices.empty()) return;
  auto& st = self->state;
  ++st.steps_at_sink;
  auto written = [=]() {
    auto& st = self->state;
    if (--st.steps_at_sink < kMaxStepsAtSink && st.on_sink_ready) {
      auto resume = std::move(st.on_sink_ready);
      st.on_sink_ready = nullptr;
      resume();
    }
  };
  self->request(st.sink, caf::infinite, records_atom::value, std::move(records))
      .then([=](bool) { written(); }, [=](caf::error&) { written(); });
}

// Runs `next` now, or once the sink has caught up.
void when_sink_ready(Self self, std::function<void()> next) {
  if (self->state.steps_at_sink < kMaxStepsAtSink)
    next();
  else
    self->state.on_sink_ready = std::move(next);
}

void commit_all(Self self) {
  for (const auto& entry : self->state.settlements) self->send(entry.second, commit_atom::value);
}

// --- supervising the settlement actors ---------------------------------------

void spawn_settlement(Self self, sim::Settlement s, std::vector<sim::Structure> structures);

// Fails the campaign: its own supervisor (the registry, or the replay
// driver) takes over.
void escalate(Self self, const std::string& why) {
  spdlog::error("campaign {}: {}; too many settlement restarts, the campaign fails", self->state.id, why);
  const caf::error err = caf::make_error(caf::sec::runtime_error, "campaign " + self->state.id + ": " + why);
  for (auto& [ticket, rp] : self->state.unanswered) rp.deliver(err);
  self->state.unanswered.clear();
  self->quit(err);
}

// Replaces settlement `id`'s actor by a fresh one started from the copy of
// its last committed state. False when the restart limit is reached.
bool restart_settlement(Self self, const std::string& id, const std::string& why) {
  auto& st = self->state;
  auto copy = st.committed.find(id);
  if (copy == st.committed.end()) return false;
  if (!st.restarts.try_spend(std::chrono::steady_clock::now())) return false;
  // The old actor may still run (it answered with an error): it must go,
  // and its structure actors with it (they are linked to it).
  self->send_exit(st.settlements.at(id), caf::exit_reason::kill);
  SettlementSnapshot from = copy->second;
  spawn_settlement(self, std::move(from.settlement), std::move(from.structures));
  spdlog::warn("campaign {}: settlement {} restarted from its last committed state ({})", st.id, id, why);
  if (st.on_restart) st.on_restart(why);
  return true;
}

// Asks settlement `id` (the request made by `make`) and hands its answer to
// `ok`. A settlement that fails is restarted from its last committed state,
// brought up to `from` without writing records when this message had already
// advanced it that far (split invariance makes that state the same), and
// asked again: the answer is the one the failed actor would have given.
// When restarts run out, `fail` gets the reason and the campaign escalates.
template <class Result>
void ask_settlement(Self self, const std::string& id, sim::WorldTime from, std::function<caf::message()> make,
                    std::function<void(Result&)> ok, std::function<void(const std::string&)> fail) {
  auto it = self->state.settlements.find(id);
  if (it == self->state.settlements.end()) return fail("settlement " + id + " does not exist");
  const caf::actor asked = it->second;
  self->request(asked, caf::infinite, make())
      .then([=](Result& r) { ok(r); },
            [=](caf::error& err) {
              auto& st = self->state;
              const std::string why = "settlement " + id + " failed: " + self->system().render(err);
              auto current = st.settlements.find(id);
              if (current == st.settlements.end()) return fail(why);
              // The exit handler may have restarted it already.
              if (current->second == asked && !restart_settlement(self, id, why)) {
                fail(why);
                return escalate(self, why);
              }
              if (from > st.message_clock)
                self->request(st.settlements.at(id), caf::infinite, advance_atom::value, from)
                    .then([](StepResult&) {}, [](caf::error&) {});  // a failure shows in the retry
              ask_settlement<Result>(self, id, from, make, ok, fail);
            });
}

// What a fan-out gathered: the batches by rank (rank 0: the campaign's
// effects, 1..n: settlements by id, n+1: its events).
struct Gathered {
  std::vector<sim::RecordBatch> batches;
  Carries carries;  // by settlement id, after the step
  std::uint64_t firings = 0;
  std::string failure;  // empty when every settlement answered
};

// Asks every settlement for one step that starts at `from` (`ask` builds
// the request) and hands their batches, with the campaign's own effects and
// events around them, to `then`.
void fan_out(Self self, sim::WorldTime from, sim::RecordBatch effects, sim::RecordBatch events,
             std::function<caf::message()> ask, std::function<void(Gathered&)> then) {
  struct Pending {
    Gathered gathered;
    std::size_t waiting = 0;
    bool failed = false;
  };
  auto p = std::make_shared<Pending>();
  const std::size_t n = self->state.settlements.size();
  p->gathered.batches.resize(n + 2);
  p->gathered.batches.front() = std::move(effects);
  p->gathered.batches.back() = std::move(events);
  p->waiting = n;
  if (n == 0) return then(p->gathered);
  std::size_t rank = 1;
  for (const auto& entry : self->state.settlements) {
    ask_settlement<StepResult>(
        self, entry.first, from, ask,
        [=](StepResult& r) {
          p->gathered.batches[rank] = std::move(r.batch);
          p->gathered.firings += r.firings;
          p->gathered.carries[entry.first] = r.carry;
          if (--p->waiting == 0 && !p->failed) then(p->gathered);
        },
        [=](const std::string& why) {
          if (p->failed) return;
          p->failed = true;
          p->gathered.failure = why;
          then(p->gathered);
        });
    ++rank;
  }
}

// Orders a gathered step canonically and hands it to the sink.
std::uint64_t emit_gathered(Self self, Gathered& g) {
  sim::OrderedRecords ordered = sim::order_canonically(std::move(g.batches));
  const std::uint64_t records = ordered.records;
  emit_step(self, std::move(ordered));
  return records;
}

// --- advancing world time ----------------------------------------------------

void advance_step(Self self, sim::WorldTime target, std::shared_ptr<Handled> total, Done done) {
  auto& st = self->state;
  const sim::WorldTime until = std::min(target, st.clock + st.max_step);
  sim::RecordBatch effects, events;
  messages::BatchWriter fx_writer(st.id, effects), ev_writer(st.id, events);
  std::uint64_t own = st.schedule.fire_effects(st.clock, until, fx_writer);
  own += st.schedule.fire_events(st.clock, until, ev_writer);
  check_fault(st.faults, "campaign", st.id, st.firings, st.firings + own);
  st.firings += own;
  fan_out(
      self, st.clock, std::move(effects), std::move(events),
      [=] { return caf::make_message(advance_atom::value, until); },
      [=](Gathered& g) {
        total->firings += g.firings + own;
        for (const auto& [id, carry] : g.carries) total->carries[id] = carry;
        if (!g.failure.empty()) {
          total->outcome = Outcome::Refused;
          total->note = g.failure;
          commit_all(self);
          return done(*total);
        }
        self->state.clock = until;
        const bool more = until < target;
        // The settlements start on the next step while this one is ordered
        // and written; its records still go out first, as the next step's
        // arrive in a later handler.
        if (more) when_sink_ready(self, [=] { advance_step(self, target, total, done); });
        total->records += emit_gathered(self, g);
        if (!more) {
          commit_all(self);
          done(*total);
        }
      });
}

void handle_advance(Self self, const messages::WorldTimeAdvanced& m, Done done) {
  auto& st = self->state;
  auto total = std::make_shared<Handled>();
  if (m.new_time <= st.clock) {
    total->outcome = Outcome::Ignored;
    total->note = "newTime " + sim::format_world_time(m.new_time) + " is not after the clock " +
                  sim::format_world_time(st.clock) + " (duplicate, stale or backwards)";
    done(*total);
    return;
  }
  if (m.previous_time != st.clock)
    total->note = "gap: previousTime " + sim::format_world_time(m.previous_time) +
                  " differs from the clock " + sim::format_world_time(st.clock) +
                  "; advancing to newTime anyway";
  advance_step(self, m.new_time, total, std::move(done));
}

// --- entity modifications ----------------------------------------------------

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

// Sends one step request to one settlement, emits its records, commits it.
template <class... Ts>
void settlement_step(Self self, const std::string& id, Done done, Ts... args) {
  ask_settlement<StepResult>(
      self, id, self->state.clock, [=] { return caf::make_message(args...); },
      [=](StepResult& r) {
        Handled h;
        h.records = r.batch.records;
        h.firings = r.firings;
        h.carries[id] = r.carry;
        emit(self, r.batch.text);
        self->send(self->state.settlements.at(id), commit_atom::value);
        done(std::move(h));
      },
      [=](const std::string& why) { done(refused(why)); });
}

sim::Settlement armed_settlement(const sim::SettlementPatch& p, const sim::Rules& rules,
                                 sim::WorldTime clock) {
  sim::Settlement s = sim::make_settlement(p, clock);
  sim::arm_settlement(s, rules, clock);
  return s;
}

void spawn_settlement(Self self, sim::Settlement s, std::vector<sim::Structure> structures) {
  auto& st = self->state;
  for (const auto& structure : structures) st.structure_home[structure.id] = s.id;
  const std::string id = s.id;
  st.committed[id] = SettlementSnapshot{s, structures};
  st.last_carry.emplace(id, s.carry);  // a restart keeps the last one sent
  SettlementInit init{st.id, st.rules, st.clock, std::move(s), std::move(structures), st.faults};
  st.settlements[id] = self->spawn<caf::linked>(settlement_actor, std::move(init));
}

void modify_settlement(Self self, const messages::EntityModified& m, Done done) {
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
      for (auto s = st.structure_home.begin(); s != st.structure_home.end();)
        s = s->second == m.entity_id ? st.structure_home.erase(s) : std::next(s);
      st.settlements.erase(it);
      st.committed.erase(m.entity_id);
      st.last_carry.erase(m.entity_id);
      return done(Handled{});
  }
}

void move_structure(Self self, const std::string& from, const sim::StructurePatch& p, Done done) {
  ask_settlement<MovingStructure>(
      self, from, self->state.clock, [=] { return caf::make_message(detach_atom::value, p.id); },
      [=](MovingStructure& moving) {
        self->send(self->state.settlements.at(from), commit_atom::value);
        self->state.structure_home[p.id] = *p.settlement_id;
        settlement_step(self, *p.settlement_id, done, attach_atom::value, self->state.clock, moving, p);
      },
      [=](const std::string& why) { done(refused("structure move failed: " + why)); });
}

void modify_structure(Self self, const messages::EntityModified& m, Done done) {
  auto& st = self->state;
  auto home = st.structure_home.find(m.entity_id);
  switch (m.operation) {
    case Operation::Create: {
      if (home != st.structure_home.end()) return done(ignored(m, "already exists"));
      const auto& p = std::get<sim::StructurePatch>(m.entity);
      auto owner = st.settlements.find(*p.settlement_id);
      if (owner == st.settlements.end())
        return done(refused("payload.entity.settlementId: settlement \"" + *p.settlement_id +
                            "\" does not exist in campaign " + st.id));
      st.structure_home[p.id] = *p.settlement_id;
      return settlement_step(self, owner->first, done, create_atom::value, st.clock, p);
    }
    case Operation::Update: {
      if (home == st.structure_home.end()) return done(ignored(m, "does not exist"));
      const auto& p = std::get<sim::StructurePatch>(m.entity);
      if (p.settlement_id && *p.settlement_id != home->second) {
        if (!st.settlements.count(*p.settlement_id))
          return done(refused("payload.entity.settlementId: settlement \"" + *p.settlement_id +
                              "\" does not exist in campaign " + st.id));
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

// Events and effects are the campaign's own: a one-shot already due fires at
// once, at the clock.
template <class Fire>
Handled fire_now(Self self, Fire fire) {
  sim::RecordBatch batch;
  messages::BatchWriter writer(self->state.id, batch);
  Handled h;
  h.firings = fire(writer);
  h.records = batch.records;
  emit(self, batch.text);
  return h;
}

Handled modify_event(Self self, const messages::EntityModified& m) {
  auto& st = self->state;
  sim::Event* e = st.schedule.find_event(m.entity_id);
  switch (m.operation) {
    case Operation::Create:
      if (e) return ignored(m, "already exists");
      st.schedule.add_event(sim::make_event(std::get<sim::EventPatch>(m.entity)), st.rules->event_grace);
      break;
    case Operation::Update:
      if (!e) return ignored(m, "does not exist");
      sim::apply_patch(*e, std::get<sim::EventPatch>(m.entity));
      sim::Schedule::rearm_event(*e, st.rules->event_grace);
      break;
    case Operation::Delete:
      if (!e) return ignored(m, "does not exist");
      st.schedule.erase_event(m.entity_id);
      return Handled{};
  }
  return fire_now(self, [&](sim::RecordSink& w) { return st.schedule.fire_events(st.clock, st.clock, w); });
}

Handled modify_effect(Self self, const messages::EntityModified& m) {
  auto& st = self->state;
  sim::Effect* fx = st.schedule.find_effect(m.entity_id);
  switch (m.operation) {
    case Operation::Create:
      if (fx) return ignored(m, "already exists");
      st.schedule.add_effect(sim::make_effect(std::get<sim::EffectPatch>(m.entity)));
      break;
    case Operation::Update:
      if (!fx) return ignored(m, "does not exist");
      sim::apply_patch(*fx, std::get<sim::EffectPatch>(m.entity));
      break;
    case Operation::Delete:
      if (!fx) return ignored(m, "does not exist");
      st.schedule.erase_effect(m.entity_id);
      return Handled{};
  }
  return fire_now(self, [&](sim::RecordSink& w) { return st.schedule.fire_effects(st.clock, st.clock, w); });
}

void handle_modified(Self self, const messages::EntityModified& m, Done done) {
  switch (m.kind) {
    case EntityKind::Settlement: return modify_settlement(self, m, std::move(done));
    case EntityKind::Structure: return modify_structure(self, m, std::move(done));
    case EntityKind::Event: return done(modify_event(self, m));
    case EntityKind::Effect: return done(modify_effect(self, m));
    case EntityKind::Encounter: return done(ignored(m, "encounters are not simulated"));
  }
}

// --- start-up ------------------------------------------------------------------

void seed_campaign(Self self, CampaignSeed& seed) {
  auto& st = self->state;
  std::map<std::string, std::vector<sim::Structure>> by_settlement;
  for (const auto& p : seed.structures) {
    sim::Structure s = sim::make_structure(p, st.clock);
    sim::arm_structure(s, *st.rules, st.clock);
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

// One-shots already due at load fire at the clock (SPEC reading 3).
void fire_load_overdue(Self self, Done done) {
  auto& st = self->state;
  sim::RecordBatch effects, events;
  messages::BatchWriter fx_writer(st.id, effects), ev_writer(st.id, events);
  std::uint64_t own = st.schedule.fire_effects(st.clock, st.clock, fx_writer);
  own += st.schedule.fire_events(st.clock, st.clock, ev_writer);
  check_fault(st.faults, "campaign", st.id, st.firings, st.firings + own);
  st.firings += own;
  const sim::WorldTime clock = st.clock;
  fan_out(
      self, clock, std::move(effects), std::move(events),
      [=] { return caf::make_message(overdue_atom::value, clock); },
      [=](Gathered& g) {
        Handled h;
        h.firings = g.firings + own;
        h.carries = g.carries;
        if (!g.failure.empty()) {
          h.outcome = Outcome::Refused;
          h.note = g.failure;
        }
        h.records = emit_gathered(self, g);
        commit_all(self);
        done(std::move(h));
      });
}

// New rules between two messages: the campaign's events follow the new
// grace, every settlement re-reads its intervals and amounts at the clock
// (anchors kept, as for an UPDATE), and entities created later use them.
void change_rules(Self self, const sim::RulesPtr& rules, Done done) {
  auto& st = self->state;
  st.rules = rules;
  st.schedule.rearm_all(rules->event_grace);
  const sim::WorldTime clock = st.clock;
  fan_out(
      self, clock, {}, {}, [=] { return caf::make_message(rules_atom::value, clock, rules); },
      [=](Gathered& g) {
        commit_all(self);
        Handled h;
        if (!g.failure.empty()) {
          h.outcome = Outcome::Refused;
          h.note = g.failure;
        }
        done(std::move(h));
      });
}

void take_snapshot(Self self, caf::response_promise rp, Done done) {
  auto& st = self->state;
  auto snap = std::make_shared<sim::CampaignSnapshot>();
  snap->id = st.id;
  snap->clock = st.clock;
  for (const auto& [id, e] : st.schedule.events()) snap->events.push_back(e);
  for (const auto& [id, fx] : st.schedule.effects()) snap->effects.push_back(fx);
  auto pending = std::make_shared<std::size_t>(st.settlements.size());
  auto parts = std::make_shared<std::map<std::string, SettlementSnapshot>>();
  auto finish = [=]() mutable {
    for (auto& [id, part] : *parts) {
      snap->settlements.push_back(std::move(part.settlement));
      for (auto& s : part.structures) snap->structures.push_back(std::move(s));
    }
    std::sort(snap->structures.begin(), snap->structures.end(),
              [](const sim::Structure& a, const sim::Structure& b) { return a.id < b.id; });
    commit_all(self);
    rp.deliver(std::move(*snap));
    done(Handled{});
  };
  if (*pending == 0) return finish();
  for (const auto& entry : st.settlements) {
    const std::string id = entry.first;
    ask_settlement<SettlementSnapshot>(
        self, id, st.clock, [] { return caf::make_message(snapshot_atom::value); },
        [=](SettlementSnapshot& part) mutable {
          (*parts)[id] = std::move(part);
          if (--*pending == 0) finish();
        },
        [=](const std::string& why) mutable {
          rp.deliver(caf::make_error(caf::sec::runtime_error, why));
          done(Handled{});
        });
  }
}

}  // namespace

caf::behavior campaign_actor(Self self, CampaignInit init) {
  auto& st = self->state;
  st.id = init.seed.id;
  st.clock = init.seed.clock;
  st.rules = std::move(init.rules);
  st.sink = std::move(init.sink);
  st.max_step = init.max_step;
  st.restarts = RestartBudget(init.restart_limit, init.restart_window);
  st.on_restart = std::move(init.on_restart);
  st.faults = std::move(init.faults);
  self->set_exception_handler([=](caf::scheduled_actor* a, std::exception_ptr& e) {
    caf::error err = exception_to_error(a, e);
    for (auto& [ticket, rp] : self->state.unanswered) rp.deliver(err);
    self->state.unanswered.clear();
    return err;
  });
  // A settlement actor that dies outside a request (the requests recover
  // their own) is restarted from its copy; deleted ones end normally.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    if (msg.reason == caf::exit_reason::normal) return;
    for (const auto& [id, actor] : self->state.settlements) {
      if (actor.address() != msg.source) continue;
      const std::string sid = id;
      const std::string why = "settlement " + sid + " failed: " + self->system().render(msg.reason);
      if (!restart_settlement(self, sid, why)) escalate(self, why);
      return;
    }
  });
  seed_campaign(self, init.seed);

  return {
      [=](committed_atom, SettlementSnapshot& copy) {
        auto& st = self->state;
        const std::string& id = copy.settlement.id;
        auto it = st.settlements.find(id);
        // From the current actor only: a deleted or replaced one is history.
        if (it == st.settlements.end() || it->second.address() != caf::actor_cast<caf::actor_addr>(self->current_sender())) return;
        st.committed[id] = std::move(copy);
      },
      [=](handle_atom, const messages::Message& m) -> caf::result<Handled> {
        auto rp = self->make_response_promise();
        enqueue(self, rp, [=](Done done) {
          if (auto* advance = std::get_if<messages::WorldTimeAdvanced>(&m))
            handle_advance(self, *advance, std::move(done));
          else
            handle_modified(self, std::get<messages::EntityModified>(m), std::move(done));
        });
        return caf::delegated<Handled>{};
      },
      [=](rules_atom, const sim::RulesPtr& rules) -> caf::result<Handled> {
        auto rp = self->make_response_promise();
        enqueue(self, rp, [=](Done done) { change_rules(self, rules, std::move(done)); });
        return caf::delegated<Handled>{};
      },
      [=](load_atom) -> caf::result<Handled> {
        auto rp = self->make_response_promise();
        enqueue(self, rp, [=](Done done) { fire_load_overdue(self, std::move(done)); });
        return caf::delegated<Handled>{};
      },
      [=](snapshot_atom) -> caf::result<sim::CampaignSnapshot> {
        auto rp = self->make_response_promise();
        const std::uint64_t ticket = remember(self, rp);
        self->state.queue.push_back([=]() mutable {
          take_snapshot(self, rp, [=](Handled) {
            self->state.unanswered.erase(ticket);  // take_snapshot answered
            self->state.busy = false;
            run_next(self);
          });
        });
        run_next(self);
        return caf::delegated<sim::CampaignSnapshot>{};
      },
  };
}

}  // namespace hourglass::actors
