#include "actors/service/registry_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "actors/errors.hpp"
#include "actors/service/inbound_outcome.hpp"
#include "actors/service/registry_internal.hpp"

namespace hourglass::actors {
namespace registry_detail {
namespace {

constexpr std::size_t kQuarantineReasonsShown = 20;

bool idle(Self self) {
  for (const auto& [id, e] : self->state.campaigns)
    if (!e.idle()) return false;
  return true;
}

// The one place the drain is answered: after every change of what is in
// flight (a report, a session's end, a route to a quarantined campaign).
void answer_drain_waiters(Self self) {
  if (self->state.drain_waiters.empty() || !idle(self)) return;
  for (auto& rp : self->state.drain_waiters) rp.deliver(true);
  self->state.drain_waiters.clear();
}

void dead_letter(Self self, const Inbound& in, const caf::error& why) {
  const auto& o = self->state.options;
  refuse_inbound(o.bridge, *o.telemetry, in, self->system().render(why));
  if (in.resync) campaign_resynced(self, campaign_of(in));
}

caf::error quarantined(const std::string& id) {
  return make_error(hourglass_errc::quarantined, "campaign " + id + " is quarantined");
}

// CREATE and DELETE keep the entity index up to date (a DELETE of a
// settlement leaves its structures listed: a later change of one finds
// nothing in the API and is a DELETE the campaign ignores).
void index_message(Self self, const messages::Message& m) {
  const auto* modified = std::get_if<messages::EntityModified>(&m);
  if (!modified) return;
  if (modified->operation == messages::Operation::Create)
    self->state.campaign_of_entity[modified->entity_id] = modified->campaign_id;
  else if (modified->operation == messages::Operation::Delete)
    self->state.campaign_of_entity.erase(modified->entity_id);
}

// Why an entityModified on campaign C is refused when its entity is one the
// index holds for another campaign (a message on one campaign's channel must
// never act on another's entity, nor re-home it in the index); nullopt when
// it is C's or unknown. Cheap, no API: the gateway asks the API before any
// write (io/entity_ownership) for what the index has not seen.
std::optional<std::string> foreign_entity(const RegistryState& st, const messages::Message& m) {
  const auto* modified = std::get_if<messages::EntityModified>(&m);
  if (!modified) return std::nullopt;
  auto it = st.campaign_of_entity.find(modified->entity_id);
  if (it == st.campaign_of_entity.end() || it->second == modified->campaign_id) return std::nullopt;
  std::string kind = messages::entity_kind_name(modified->kind);
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
  return kind + " " + modified->entity_id + " belongs to campaign " + it->second + ", not " + modified->campaign_id +
         " (entity index); refused";
}

bool refuse_foreign_entity(Self self, const Inbound& in) {
  const std::optional<std::string> why = foreign_entity(self->state, in.message);
  if (!why) return false;
  const auto& o = self->state.options;
  o.telemetry->ownership_refused("input");
  refuse_inbound(o.bridge, *o.telemetry, in, *why);
  if (in.resync) campaign_resynced(self, campaign_of(in));
  return true;
}

// The clock a campaign first seen through `first` starts at: an advance's
// previousTime (the API's clock before it: the API moves its clock before it
// announces), else the API's world time (none here).
std::optional<sim::WorldTime> bootstrap_clock(const Inbound& first) {
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&first.message)) return advance->previous_time;
  return std::nullopt;
}


// Quarantines campaign `id`: no session, its messages (`retake` first, with
// `why`; the others as quarantined) dead-lettered, and those routed later too.
void quarantine(Self self, const std::string& id, const caf::error& why, std::optional<Inbound> retake,
                std::vector<Inbound> waiting) {
  CampaignEntry& entry = self->state.campaigns[id];
  entry.session = campaign_session_actor{};
  entry.quarantined = true;
  entry.quarantine_reason = self->system().render(why);
  spdlog::error("campaign {} quarantined: {}", id, entry.quarantine_reason);
  self->state.options.telemetry->quarantined();
  // What it held is dead-lettered with why (retryable by dlq once mended);
  // what comes later, as quarantined.
  const caf::error held = make_error(hourglass_errc::quarantined, "campaign " + id + " is quarantined", why);
  if (retake) dead_letter(self, *retake, held);
  for (const auto& in : waiting) dead_letter(self, in, held);
  self->state.options.telemetry->campaigns(self->state.campaigns.size());
}

// Campaign `id`'s session ended because its campaign failed: a new session
// starts from its last checkpoint, taking `retake` (when given) and then what
// waited; past its restart budget the campaign is quarantined instead.
void restart_or_quarantine(Self self, const std::string& id, std::optional<Inbound> retake,
                           std::vector<Inbound> waiting, const caf::error& why) {
  const auto& o = self->state.options;
  RestartBudget& budget = self->state.restarts.try_emplace(id, o.restart_limit, o.restart_window).first->second;
  if (!budget.try_spend(std::chrono::steady_clock::now()))
    return quarantine(self, id, why, std::move(retake), std::move(waiting));
  o.telemetry->restart("campaign");
  self->state.campaigns.erase(id);
  if (retake) route(self, std::move(*retake));
  for (auto& in : waiting) route(self, std::move(in));
}

// Campaign `id`'s session has ended; what it asked for.
void session_ended(Self self, const std::string& id, SessionEnd& e) {
  switch (e.then) {
    case SessionEnd::Then::restart: return restart_or_quarantine(self, id, std::move(e.retake), std::move(e.waiting), e.why);
    case SessionEnd::Then::quarantine: return quarantine(self, id, e.why, std::move(e.retake), std::move(e.waiting));
    case SessionEnd::Then::fenced: return drop_fenced(self, id, e);
    case SessionEnd::Then::forget:
      self->state.campaigns.erase(id);
      if (e.retake) route(self, std::move(*e.retake));
      for (auto& in : e.waiting) route(self, std::move(in));
      return;
  }
}

// How often idle campaigns are looked for: a quarter of the delay, within
// [10 ms, 10 s].
std::chrono::milliseconds passivation_tick(std::chrono::milliseconds after) {
  return std::clamp(after / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(10'000));
}

// Sessions with nothing in flight or waiting for `passivate_after` stop
// (with their campaign actors); their checkpoints hold all they did (each
// message is committed before the next is taken), so reactivation from it
// gives the records a campaign never passivated gives.
void passivate_idle(Self self) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> idle;
  for (const auto& [id, e] : st.campaigns)
    if (!e.quarantined && e.idle() && now - e.last_active >= st.options.passivate_after) idle.push_back(id);
  for (const std::string& id : idle) {
    self->send_exit(st.campaigns.at(id).session, caf::exit_reason::user_shutdown);
    st.campaigns.erase(id);
    ++st.passivations;
    st.options.telemetry->passivated();
    spdlog::debug("campaign {} passivated after {} ms idle", id, st.options.passivate_after.count());
  }
  if (idle.empty()) return;
  st.options.telemetry->campaigns(st.campaigns.size());
#ifdef __GLIBC__
  // The passivated actors' memory is free but stays in glibc's per-thread
  // arenas (CAF's workers freed it) unless handed back: without this, 10,000
  // campaigns passivated after all were active kept ~90 % of their RSS
  // (hourglass-bench passivation, docs/PERFORMANCE.md).
  ::malloc_trim(0);
#endif
}

// A linked actor ended. A session that stops normally (its end handed over,
// or passivated) needs nothing; one that died otherwise (a bug) restarts
// from its checkpoint — what it held is lost with it, so the stream input
// gives those entries again at the next start. Anyone else: the registry
// is being stopped.
void on_exit(Self self, caf::exit_msg& msg) {
  if (msg.reason == caf::exit_reason::normal) return;
  for (auto& [id, entry] : self->state.campaigns) {
    if (!entry.session || entry.session.address() != msg.source) continue;
    spdlog::error("campaign {}: its session died: {}", id, self->system().render(msg.reason));
    const std::string cid = id;
    restart_or_quarantine(self, cid, std::nullopt, {}, msg.reason);
    return answer_drain_waiters(self);
  }
  self->quit(msg.reason);
}

RegistryStatus status(Self self) {
  RegistryStatus s;
  for (const auto& [id, e] : self->state.campaigns) {
    ++s.campaigns;
    s.ready += e.session && e.report.ready;
    if (!e.quarantined) continue;
    ++s.quarantined;
    if (s.quarantine_reasons.size() < kQuarantineReasonsShown) s.quarantine_reasons[id] = e.quarantine_reason;
  }
  s.passivations = self->state.passivations;
  return s;
}

}  // namespace

void route(Self self, Inbound in) {
  const std::string id = campaign_of(in);
  std::uint64_t fence = 0;
  if (!owned(self, id, fence)) return leave_to_owner(self, in);  // before any refusal: the owner decides
  if (refuse_foreign_entity(self, in)) return answer_drain_waiters(self);  // before the index could re-home it
  index_message(self, in.message);
  auto& st = self->state;
  CampaignEntry& entry = st.campaigns[id];
  if (entry.quarantined) {
    dead_letter(self, in, quarantined(id));
    return answer_drain_waiters(self);
  }
  if (!entry.session) {
    SessionOptions session_options = st.options;
    session_options.fence = fence;
    entry.fence = fence;
    entry.session = self->spawn<caf::linked>(campaign_session, id, std::move(session_options),
                                             caf::actor_cast<session_parent_actor>(self), bootstrap_clock(in));
    entry.routed = 0;
    entry.report = {};
    st.options.telemetry->campaigns(st.campaigns.size());
  }
  ++entry.routed;
  self->send(entry.session, route_atom::value, std::move(in));
}

}  // namespace registry_detail

using namespace registry_detail;

registry_actor::behavior_type registry(Self self, RegistryOptions options) {
  self->state.options = std::move(options);
  self->set_exit_handler([=](caf::exit_msg& msg) { on_exit(self, msg); });
  if (self->state.options.passivate_after.count() > 0)
    self->delayed_send(self, passivation_tick(self->state.options.passivate_after), passivate_atom::value);
  return {
      [=](passivate_atom) {
        passivate_idle(self);
        self->delayed_send(self, passivation_tick(self->state.options.passivate_after), passivate_atom::value);
      },
      [=](route_atom, Inbound& in) { route(self, std::move(in)); },
      [=](handoff_atom, std::uint32_t) { continue_handoffs(self); },
      [=](acquired_atom, std::uint32_t partition, bool resync) { taken_over(self, partition, resync); },
      [=](intake_mark_atom, std::uint64_t mark) { intake_marked(self, mark); },
      [=](mark_tick_atom) { mark_tick(self); },
      [=](api_change_atom, ApiChange& c) {
        auto it = self->state.campaign_of_entity.find(c.change.entity_id);
        if (it == self->state.campaign_of_entity.end()) {
          // A new entity reaches Hourglass through a CREATE on
          // campaign.{id}.entityModified, or at its campaign's next bootstrap.
          spdlog::debug("entity.modified of {}: no campaign Hourglass knows holds it", c.change.entity_id);
          return self->state.options.telemetry->message("api", "ignored");
        }
        messages::EntityModified m{it->second, c.change.kind, messages::Operation::Update, c.change.entity_id, {}};
        Inbound in{std::move(m), std::move(c.channel), std::move(c.payload)};
        in.from_api = true;
        route(self, std::move(in));
      },
      [=](resync_atom) { resync(self); },
      [=](resync_atom, const std::vector<std::string>& ids) { resume(self, ids); },
      [=](rules_atom, const sim::RulesPtr& rules) {
        // Sessions take them between two messages (before any message routed
        // after this answer); sessions started later start with them.
        self->state.options.rules = rules;
        for (const auto& [id, entry] : self->state.campaigns)
          if (entry.session) self->send(entry.session, rules_atom::value, rules);
        return true;
      },
      [=](registry_drain_atom) -> caf::result<bool> {
        if (idle(self)) return true;
        self->state.drain_waiters.push_back(self->make_response_promise<bool>());
        return caf::delegated<bool>{};
      },
      [=](registry_status_atom) { return status(self); },
      [=](session_report_atom, const std::string& id, const SessionReport& r) {
        auto it = self->state.campaigns.find(id);
        // From a session the registry has replaced (its report was on its way).
        if (it == self->state.campaigns.end() || it->second.session.address() != self->current_sender()) return;
        it->second.report = r;
        if (it->second.idle()) it->second.last_active = std::chrono::steady_clock::now();
        continue_handoffs(self);
        answer_drain_waiters(self);
      },
      [=](session_ended_atom, const std::string& id, SessionEnd& e) {
        auto it = self->state.campaigns.find(id);
        if (it != self->state.campaigns.end() && it->second.session.address() == self->current_sender())
          session_ended(self, id, e);
        continue_handoffs(self);
        answer_drain_waiters(self);
        return true;
      },
      [=](resync_done_atom, const std::string& id) { campaign_resynced(self, id); },
      [=](index_atom, const std::string& id, const std::vector<std::string>& entities) {
        for (const auto& e : entities) self->state.campaign_of_entity[e] = id;
      },
  };
}

}  // namespace hourglass::actors
