#include "actors/campaign_actor.hpp"

#include <algorithm>
#include <memory>

#include "actors/campaign_entities.hpp"
#include "actors/campaign_fanout.hpp"
#include "actors/campaign_sink.hpp"
#include "actors/exception_handler.hpp"
#include "actors/settlement_supervision.hpp"
#include "actors/step_length.hpp"

namespace hourglass::actors {
namespace {

using Self = CampaignSelf;

// --- one inbound message at a time --------------------------------------------
//
// While a message is handled the campaign runs a busy behaviour on top of
// its own: it takes what the message needs (settlements' answers arrive as
// responses, their committed copies as messages) and skips the inbound
// requests, which stay in the mailbox. CAF 0.17 puts a skipped message
// back in front of the queue after every message it consumes
// (drr_cached_queue::new_round), so the skipped ones are tried again in
// arrival order and, once the busy behaviour is gone, the next request
// runs. Should the campaign fail, the request in flight is answered with
// the error (exception handler, escalate: a promise dropped by a dying
// actor is never answered) and CAF bounces the ones still in the mailbox
// (request_receiver_down). tests/actors/test_campaign_queue checks both.

caf::behavior busy_behavior(Self self) {
  return {
      [=](committed_atom, SettlementSnapshot& copy) { keep_committed_copy(self, copy); },
      [=](gathered_atom, const StepGatherPtr& g) { on_gathered(self, g); },
      [](handle_atom, const messages::Message&) -> caf::result<Handled> { return caf::skip; },
      [](rules_atom, const sim::RulesPtr&) -> caf::result<Handled> { return caf::skip; },
      [](load_atom) -> caf::result<Handled> { return caf::skip; },
      [](snapshot_atom) -> caf::result<sim::CampaignSnapshot> { return caf::skip; },
  };
}

// Called from an inbound request's handler: the request is answered later,
// by finish_job.
void begin_job(Self self) {
  auto& st = self->state;
  st.current = self->make_response_promise();
  st.message_clock = st.clock;
  self->become(caf::keep_behavior, busy_behavior(self));
}

template <class Answer>
void finish_job(Self self, Answer&& answer) {
  auto& st = self->state;
  if (!st.current) return;  // answered already: a failure came first
  caf::response_promise rp = std::move(*st.current);
  st.current.reset();
  rp.deliver(std::forward<Answer>(answer));
  self->unbecome();
}

// Runs `work` as the current job; its Done ends the message at the sink
// and answers the request.
void run_message(Self self, std::function<void(Done)> work) {
  begin_job(self);
  work([=](Handled h) {
    end_message_at_sink(self, h.carries);
    finish_job(self, std::move(h));
  });
}

// --- advancing world time ----------------------------------------------------

// After each step: how far the advance from `from` has got (AdvanceProgress).
void note_progress(Self self, sim::WorldTime from, sim::WorldTime target, const Handled& total, bool over) {
  const auto& progress = self->state.init.progress;
  if (!progress) return;
  if (over)
    progress->finished(self->state.id());
  else
    progress->step(self->state.id(), from, self->state.clock, target, total.firings);
}

// Each settlement's latest carry during an advance, by position (Gathered).
using CarriesByPosition = std::vector<std::optional<double>>;

void advance_step(Self self, sim::WorldTime from, sim::WorldTime target, std::shared_ptr<Handled> total,
                  std::shared_ptr<CarriesByPosition> carries, Done done) {
  auto& st = self->state;
  const sim::WorldTime until = std::min(target, st.clock + st.step_length);
  fan_out(
      self, st.clock, fire_own(self, st.clock, until),
      StepOrder{StepKind::Advance, until},
      [=](Gathered& g) {
        total->firings += g.firings;
        if (carries->size() < g.carries.size()) carries->resize(g.carries.size());
        for (std::size_t i = 0; i < g.carries.size(); ++i)
          if (g.carries[i]) (*carries)[i] = g.carries[i];
        if (refuse_on_failure(g, *total)) {
          put_carries(self, *carries, total->carries);
          commit_all(self);
          note_progress(self, from, target, *total, true);
          return done(*total);
        }
        // A step cut short by the target says less of the rate than a whole one.
        auto& state = self->state;
        if (until - state.clock == state.step_length)
          state.step_length =
              next_step_length(state.init.max_step, state.init.step_firings, state.step_length, g.firings);
        state.clock = until;
        const bool more = until < target;
        note_progress(self, from, target, *total, !more);
        // The settlements start on the next step while this one is ordered
        // and written; its records still go out first, as the next step's
        // arrive in a later handler.
        if (more) when_sink_ready(self, [=] { advance_step(self, from, target, total, carries, done); });
        total->records += emit_gathered(self, g);
        if (!more) {
          put_carries(self, *carries, total->carries);
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
  if (auto refused = messages::advance_past_limit(st.clock, m.new_time, st.init.max_advance)) {
    total->outcome = Outcome::Refused;
    total->note = std::move(*refused);
    done(*total);
    return;
  }
  if (m.previous_time != st.clock)
    total->note = "gap: previousTime " + sim::format_world_time(m.previous_time) +
                  " differs from the clock " + sim::format_world_time(st.clock) +
                  "; advancing to newTime anyway";
  advance_step(self, st.clock, m.new_time, total, std::make_shared<CarriesByPosition>(), std::move(done));
}

// --- load, rules, snapshot -------------------------------------------------------

// One-shots already due at load fire at the clock (SPEC reading 3).
void fire_load_overdue(Self self, Done done) {
  const sim::WorldTime clock = self->state.clock;
  fan_out(
      self, clock, fire_own(self, clock, clock), StepOrder{StepKind::Overdue, clock},
      [=](Gathered& g) {
        Handled h;
        h.firings = g.firings;
        put_carries(self, g.carries, h.carries);
        refuse_on_failure(g, h);
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
      self, clock, OwnFirings{}, StepOrder{StepKind::Rules, clock, rules},
      [=](Gathered& g) {
        commit_all(self);
        Handled h;
        refuse_on_failure(g, h);
        done(std::move(h));
      });
}

// The campaign's state as of the clock; not a message, so the sink hears
// nothing of it.
void take_snapshot(Self self) {
  begin_job(self);
  auto& st = self->state;
  auto snap = std::make_shared<sim::CampaignSnapshot>();
  snap->id = st.id();
  snap->clock = st.clock;
  for (const auto& [id, e] : st.schedule.events()) snap->events.push_back(e);
  for (const auto& [id, fx] : st.schedule.effects()) snap->effects.push_back(fx);
  auto pending = std::make_shared<std::size_t>(st.settlements.size());
  auto parts = std::make_shared<std::map<std::string, SettlementSnapshot>>();
  auto finish = [=]() {
    for (auto& [id, part] : *parts) {
      snap->settlements.push_back(std::move(part.settlement));
      for (auto& s : part.structures) snap->structures.push_back(std::move(s));
    }
    std::sort(snap->structures.begin(), snap->structures.end(),
              [](const sim::Structure& a, const sim::Structure& b) { return a.id < b.id; });
    commit_all(self);
    finish_job(self, std::move(*snap));
  };
  if (*pending == 0) return finish();
  for (const auto& entry : st.settlements) {
    const std::string id = entry.first;
    ask_settlement<SettlementSnapshot>(
        self, id, st.clock, [] { return caf::make_message(snapshot_atom::value); },
        [=](SettlementSnapshot& part) {
          (*parts)[id] = std::move(part);
          if (--*pending == 0) finish();
        },
        [=](const std::string& why) { finish_job(self, caf::make_error(caf::sec::runtime_error, why)); });
  }
}

}  // namespace

caf::behavior campaign_actor(Self self, CampaignInit init) {
  auto& st = self->state;
  st.init = std::move(init);
  st.clock = st.init.seed.clock;
  st.step_length = std::min(kFirstStep, st.init.max_step);
  st.rules = std::move(st.init.rules);
  st.restarts = RestartBudget(st.init.restart_limit, st.init.restart_window);
  self->set_exception_handler([=](caf::scheduled_actor* a, std::exception_ptr& e) {
    caf::error err = exception_to_error(a, e);
    // A promise dropped by a dying actor is never answered.
    if (self->state.current) self->state.current->deliver(err);
    self->state.current.reset();
    return err;
  });
  self->set_exit_handler([=](caf::exit_msg& msg) {
    if (auto restarted = on_settlement_exit(self, msg)) retry_gathered_step(self, *restarted);
  });
  // The entities live in the actors from now on; the seed keeps its id and clock.
  CampaignSeed entities = std::move(st.init.seed);
  st.init.seed = CampaignSeed{};
  st.init.seed.id = entities.id;
  st.init.seed.clock = entities.clock;
  seed_campaign(self, std::move(entities));

  return {
      [=](committed_atom, SettlementSnapshot& copy) { keep_committed_copy(self, copy); },
      [=](handle_atom, const messages::Message& m) -> caf::result<Handled> {
        run_message(self, [=](Done done) {
          if (auto* advance = std::get_if<messages::WorldTimeAdvanced>(&m))
            handle_advance(self, *advance, std::move(done));
          else
            handle_modified(self, std::get<messages::EntityModified>(m), std::move(done));
        });
        return caf::delegated<Handled>{};
      },
      [=](rules_atom, const sim::RulesPtr& rules) -> caf::result<Handled> {
        run_message(self, [=](Done done) { change_rules(self, rules, std::move(done)); });
        return caf::delegated<Handled>{};
      },
      [=](load_atom) -> caf::result<Handled> {
        run_message(self, [=](Done done) { fire_load_overdue(self, std::move(done)); });
        return caf::delegated<Handled>{};
      },
      [=](snapshot_atom) -> caf::result<sim::CampaignSnapshot> {
        take_snapshot(self);
        return caf::delegated<sim::CampaignSnapshot>{};
      },
  };
}

}  // namespace hourglass::actors
