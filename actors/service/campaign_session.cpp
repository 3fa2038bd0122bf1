// The campaign session's behaviour: its queue, one message at a time, its
// retries and its end. See campaign_session.hpp.
#include "actors/service/campaign_session.hpp"

#include <spdlog/spdlog.h>

#include <functional>

#include "actors/errors.hpp"
#include "actors/service/anchors.hpp"
#include "actors/service/inbound_outcome.hpp"
#include "actors/service/session_internal.hpp"
#include "io/stream_id.hpp"
#include "messages/world_span.hpp"

namespace hourglass::actors {
namespace session_detail {
namespace {

// An advance the campaign applied moved its clock.
void follow_clock(SessionState& st, const messages::Message& m) {
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&m)) st.clock = std::max(st.clock, advance->new_time);
}

// The flight recorder gets each message as its campaign takes it.
void record(Self self, const Inbound& in) {
  const flight_recorder_actor& recorder = self->state.options.recorder;
  if (!recorder) return;
  try {
    self->send(recorder, records_atom::value, recorded_message_line(in.channel, in.message, in.payload, in.fetched));
  } catch (const std::exception& e) {
    spdlog::error("flight recorder: message on {} not recorded: {}", in.channel, e.what());
  }
}

// A stream entry at or before the last one the campaign's checkpoint applied.
bool already_applied(const SessionState& st, const Inbound& in) {
  if (in.stream_id.empty() || st.stream_id.empty()) return false;
  try {
    return !io::stream_id_before(st.stream_id, in.stream_id);
  } catch (const std::invalid_argument& e) {  // the bridge passes only ids Redis gave
    spdlog::error("campaign {}: stream ids {} / {} cannot be compared: {}", st.id, st.stream_id, in.stream_id, e.what());
    return false;
  }
}

// Leaves a fetched entity's engine-owned fields to the engine (an UPDATE
// announced by the API, see sim::drop_engine_owned).
struct DropEngineOwned {
  void operator()(std::monostate&) const {}
  void operator()(sim::EffectPatch&) const {}  // never fetched: effects come inline
  template <class Patch>
  void operator()(Patch& p) const {
    sim::drop_engine_owned(p);
  }
};

bool needs_entity(const Inbound& in) {
  const auto* modified = std::get_if<messages::EntityModified>(&in.message);
  return modified && modified->kind != messages::EntityKind::Encounter &&
         modified->operation != messages::Operation::Delete && std::holds_alternative<std::monostate>(modified->entity);
}

// Done with the message in flight: the next one may go.
void done(Self self, const Inbound& in) {
  auto& st = self->state;
  st.busy = false;
  st.backoff.reset();
  finish(self, in);
  process_next(self);
}

// The campaign took `in`: the outcome is counted, an applied message is
// committed (its checkpoint and writes) before the next is taken.
void handled(Self self, const std::shared_ptr<Inbound>& in, const Handled& h,
             std::chrono::steady_clock::time_point started) {
  auto& st = self->state;
  Telemetry& t = *st.options.telemetry;
  if (h.outcome == Outcome::Refused)
    refuse_inbound(st.options.bridge, t, *in, h.note);
  else
    count_inbound(t, *in, h.outcome == Outcome::Applied ? "applied" : "ignored");
  if (std::holds_alternative<messages::WorldTimeAdvanced>(in->message))
    t.advance_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  t.computed(h.firings, h.records);
  if (h.outcome != Outcome::Applied) {  // nothing changed: nothing to commit
    if (h.outcome == Outcome::Ignored) acknowledge_inbound(st.options.bridge, *in);  // a refused one was
    return done(self, *in);
  }
  follow_clock(st, in->message);
  commit(
      self, in->stream_id,
      [=] {
        acknowledge_inbound(self->state.options.bridge, *in);
        done(self, *in);
      },
      // Its last checkpoint never got this message's effects: the
      // campaign's next session takes it again.
      [=](const caf::error& why) { commit_failed(self, *in, why); });
}

// The campaign actor failed `in`. The message that made it fail is not
// taken again (it would fail the next life too): dead-lettered, retryable by
// dlq; the campaign restarts as a new session.
void campaign_failed_on(Self self, const Inbound& in, const caf::error& err) {
  const caf::error why = make_error(hourglass_errc::campaign_failed, "campaign " + self->state.id + " failed", err);
  if (self->state.options.progress) self->state.options.progress->finished(self->state.id);
  dead_letter(self, in, why);
  finish(self, in);
  end(self, SessionEnd::Then::restart, why);
}

// The service stops in the middle of a long advance: what is done is
// committed, the message stays unacknowledged (the stream gives it again at
// the next start, which resumes from the checkpoint's clock; with pub/sub the
// start-up resync does). The drain sees the message done; intake has
// stopped, so what the session may still hold is short work.
void stop_mid_advance(Self self, const Inbound& in) {
  auto& st = self->state;
  spdlog::info("campaign {}: stopping at {} in an advance to {}; the next start resumes it", st.id,
               sim::format_world_time(st.clock),
               sim::format_world_time(std::get<messages::WorldTimeAdvanced>(in.message).new_time));
  if (st.options.progress) st.options.progress->finished(st.id);
  done(self, in);
}

// One span of a long advance (see SessionOptions::commit_span): handled,
// committed, then the next; the last goes the way of any message (handled).
void advance_span(Self self, std::shared_ptr<Inbound> in, std::shared_ptr<Handled> total,
                  std::chrono::steady_clock::time_point started, sim::WorldTime from) {
  auto& st = self->state;
  const auto& whole = std::get<messages::WorldTimeAdvanced>(in->message);
  const sim::WorldTime until = std::min(whole.new_time, st.clock + st.options.commit_span);
  // The first span carries the message's previousTime (a gap is noted once).
  const sim::WorldTime previous = st.clock == from ? whole.previous_time : st.clock;
  const messages::Message span = messages::WorldTimeAdvanced{whole.campaign_id, previous, until};
  self->request(st.campaign, caf::infinite, handle_atom::value, span)
      .then(
          [=](Handled& h) {
            auto& s = self->state;
            total->firings += h.firings;
            total->records += h.records;
            for (const auto& [id, carry] : h.carries) total->carries[id] = carry;
            if (total->note.empty()) total->note = h.note;
            total->outcome = h.outcome;
            const bool last = until >= whole.new_time || h.outcome != Outcome::Applied;
            if (s.options.progress) {
              if (last)
                s.options.progress->finished(s.id);
              else
                s.options.progress->step(s.id, from, until, whole.new_time, total->firings);
            }
            if (last) return handled(self, in, *total, started);
            s.clock = until;
            commit(
                self, "",
                [=] {
                  const auto& draining = self->state.options.draining;
                  if (draining && draining->load()) return stop_mid_advance(self, *in);
                  advance_span(self, in, total, started, from);
                },
                [=](const caf::error& why) { commit_failed(self, *in, why); });
          },
          [=](caf::error& err) { campaign_failed_on(self, *in, err); });
}

// The campaign actor handles `in` (its entity, when fetched, inline); a long
// advance, span by span.
void deliver(Self self, std::shared_ptr<Inbound> in) {
  auto& st = self->state;
  for (auto& w : anchor_created(in->message, st.clock)) st.pending_writes.push_back(std::move(w));
  record(self, *in);
  const auto started = std::chrono::steady_clock::now();
  const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&in->message);
  if (advance && st.options.commit_span > 0 && advance->new_time - st.clock > st.options.commit_span) {
    // Refused whole, before any span: the limit is the advance's, not a span's.
    if (auto refused = messages::advance_past_limit(st.clock, advance->new_time, st.options.max_advance)) {
      Handled h;
      h.outcome = Outcome::Refused;
      h.note = std::move(*refused);
      return handled(self, in, h, started);
    }
    return advance_span(self, in, std::make_shared<Handled>(), started, st.clock);
  }
  self->request(st.campaign, caf::infinite, handle_atom::value, in->message)
      .then([=](Handled& h) { handled(self, in, h, started); },
            [=](caf::error& err) { campaign_failed_on(self, *in, err); });
}

// Fetches the entity the message names but does not carry, then delivers.
void take(Self self, std::shared_ptr<Inbound> in) {
  if (!needs_entity(*in)) return deliver(self, in);
  const auto& m = std::get<messages::EntityModified>(in->message);
  auto& st = self->state;
  self->request(st.options.reader, caf::infinite, fetch_atom::value, m.kind, m.entity_id, st.id, st.options.rules)
      .then(
          [=](FetchedEntity& fetched) {
            auto& modified = std::get<messages::EntityModified>(in->message);
            modified.entity = std::move(fetched.patch);
            in->fetched = std::move(fetched.json);
            if (in->from_api) {
              std::visit(DropEngineOwned{}, modified.entity);
              messages::drop_engine_owned_fields(modified.kind, *in->fetched);
            }
            deliver(self, in);
          },
          [=](caf::error& err) {
            if (in->from_api && is(err, hourglass_errc::entity_not_found)) {
              // The API announced a change of an entity it no longer has.
              std::get<messages::EntityModified>(in->message).operation = messages::Operation::Delete;
              return deliver(self, in);
            }
            const caf::error why =
                make_error(hourglass_errc::fetch_failed, "entity could not be fetched from the API", err);
            if (classify(err) == failure_class::transient) return wait_and_retry(self, why, [=] { take(self, in); });
            dead_letter(self, *in, why);
            done(self, *in);
          });
}

// Stops its actors (linked, but a normal exit does not end them) and itself.
void stop(Self self) {
  auto& st = self->state;
  if (st.campaign) self->send_exit(st.campaign, caf::exit_reason::user_shutdown);
  if (st.sink) self->send_exit(st.sink, caf::exit_reason::user_shutdown);
  self->quit();
}

}  // namespace

void report(Self self) {
  auto& st = self->state;
  self->send(st.parent, session_report_atom::value, st.id, SessionReport{st.finished, st.ready});
}

void finish(Self self, const Inbound& in) {
  auto& st = self->state;
  ++st.finished;
  if (in.resync) self->send(st.parent, resync_done_atom::value, st.id);
  report(self);
}

void dead_letter(Self self, const Inbound& in, const caf::error& why) {
  auto& st = self->state;
  refuse_inbound(st.options.bridge, *st.options.telemetry, in, self->system().render(why));
}

void wait_and_retry(Self self, const caf::error& why, std::function<void()> step) {
  auto& st = self->state;
  const auto delay = st.backoff.next();
  // Logged while the wait grows, then every 12th try at the cap (about a
  // minute): an outage of an hour is not a line per second.
  if (st.backoff.base() < st.options.retry_cap || ++st.waits_at_cap % 12 == 0)
    spdlog::warn("campaign {}: waiting {} ms for the API or Redis: {}", st.id, delay.count(),
                 self->system().render(why));
  st.options.telemetry->transient_wait();
  st.retry = std::move(step);
  self->delayed_send(self, delay, session_retry_atom::value);
}

void end(Self self, SessionEnd::Then then, const caf::error& why, std::optional<Inbound> retake) {
  auto& st = self->state;
  if (st.ending) return;
  st.ending = true;
  st.retry = nullptr;
  SessionEnd e;
  e.then = then;
  e.why = why;
  e.retake = std::move(retake);
  e.waiting.assign(std::make_move_iterator(st.queue.begin()), std::make_move_iterator(st.queue.end()));
  st.queue.clear();
  self->request(st.parent, caf::infinite, session_ended_atom::value, st.id, std::move(e))
      .then([=](bool) { stop(self); }, [=](caf::error&) { stop(self); });
}

void commit_failed(Self self, std::optional<Inbound> retake, const caf::error& why) {
  switch (classify(why)) {
    case failure_class::fenced: return fenced_out(self, why, std::move(retake));
    case failure_class::campaign_keys:
      spdlog::error("campaign {}: not committed: {}", self->state.id, self->system().render(why));
      return end(self, SessionEnd::Then::quarantine, why, std::move(retake));
    default:
      spdlog::error("campaign {}: not committed: {}", self->state.id, self->system().render(why));
      return end(self, SessionEnd::Then::restart, why, std::move(retake));
  }
}

void fenced_out(Self self, const caf::error& why, std::optional<Inbound> retake) {
  // A long advance in flight ends here with the campaign (no session of
  // this instance resumes it): not shown as running for ever.
  if (self->state.options.progress) self->state.options.progress->finished(self->state.id);
  // The registry logs it (once, with what it drops).
  end(self, SessionEnd::Then::fenced, why, std::move(retake));
}

void process_next(Self self) {
  auto& st = self->state;
  while (st.ready && !st.busy && !st.ending && !st.queue.empty()) {
    auto in = std::make_shared<Inbound>(std::move(st.queue.front()));
    st.queue.pop_front();
    if (already_applied(st, *in)) {
      // Given again by the stream after a crash between the commit and its
      // acknowledgement: the checkpoint has it.
      count_inbound(*st.options.telemetry, *in, "ignored");
      acknowledge_inbound(st.options.bridge, *in);
      spdlog::info("campaign {}: stream entry {} was applied before (checkpoint at {}); skipped", st.id, in->stream_id,
                   st.stream_id);
      finish(self, *in);
      continue;
    }
    st.busy = true;
    take(self, in);
  }
}

}  // namespace session_detail

using namespace session_detail;

campaign_session_actor::behavior_type campaign_session(Self self, std::string id, SessionOptions options,
                                                       session_parent_actor parent,
                                                       std::optional<sim::WorldTime> first_as_of) {
  auto& st = self->state;
  st.id = std::move(id);
  st.options = std::move(options);
  st.parent = std::move(parent);
  st.backoff = io::Backoff(st.options.retry_initial, st.options.retry_cap, 0.2, std::hash<std::string>{}(st.id));
  // Its campaign actor or sink ended: the campaign failed (the message in
  // flight, if any, was answered with the error first). Anyone else asking
  // it to stop (the registry passivating it, the service stopping): it stops.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    auto& s = self->state;
    const bool own = msg.source == s.campaign.address() || msg.source == s.sink.address();
    if (!own) return stop(self);
    if (s.ending) return;
    spdlog::error("campaign {} failed: {}", s.id, self->system().render(msg.reason));
    end(self, SessionEnd::Then::restart,
        make_error(hourglass_errc::campaign_failed, "campaign " + s.id + " failed", msg.reason));
  });
  start(self, first_as_of);
  return {
      [=](route_atom, Inbound& in) {
        auto& s = self->state;
        if (s.ending) return self->send(s.parent, route_atom::value, std::move(in));  // to its next session, in order
        s.queue.push_back(std::move(in));
        process_next(self);
      },
      [=](rules_atom, const sim::RulesPtr& rules) {
        auto& s = self->state;
        s.options.rules = rules;
        if (s.campaign)
          self->request(s.campaign, caf::infinite, rules_atom::value, rules)
              .then([](Handled&) {}, [](caf::error&) {});  // a failed campaign restarts with the new rules
      },
      [=](session_retry_atom) {
        auto step = std::move(self->state.retry);
        self->state.retry = nullptr;
        if (step && !self->state.ending) step();
      },
  };
}

}  // namespace hourglass::actors
