#include "actors/service/registry_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "actors/errors.hpp"
#include "actors/service/anchors.hpp"
#include "actors/service/registry_internal.hpp"
#include "io/stream_id.hpp"

namespace hourglass::actors {
namespace registry_detail {
namespace {

const char* channel_kind(const messages::Message& m) {
  return std::holds_alternative<messages::WorldTimeAdvanced>(m) ? "worldTimeAdvanced" : "entityModified";
}

void count(Self self, const Inbound& in, const char* outcome) {
  self->state.options.telemetry->message(channel_kind(in.message), outcome);
}

// A message off the stream input is done with — committed, or refused
// (its dead letter sent first), or found already applied: the bridge
// acknowledges it, so the stream does not give it again.
void acknowledge(Self self, const Inbound& in) {
  if (!in.stream_id.empty()) self->send(self->state.options.bridge, stream_ack_atom::value, in.stream_id);
}

void dead_letter_reason(Self self, const Inbound& in, const std::string& reason) {
  spdlog::warn("refused message on {}: {}", in.channel, reason);
  count(self, in, "refused");
  self->send(self->state.options.bridge, dead_letter_atom::value, reason, in.channel, in.payload);
  acknowledge(self, in);
}

// An advance the campaign applied moved its clock.
void follow_clock(CampaignEntry& entry, const messages::Message& m) {
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&m))
    entry.clock = std::max(entry.clock, advance->new_time);
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

bool idle(Self self) {
  for (const auto& [id, e] : self->state.campaigns)
    if (e.busy || e.failed || (!e.waiting.empty() && !e.quarantined)) return false;
  return true;
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
  self->state.options.telemetry->ownership_refused("input");
  dead_letter_reason(self, in, *why);
  return true;
}

// The clock a campaign first seen through `first` starts at: an advance's
// previousTime (the API's clock before it: the API moves its clock before it
// announces), else the API's world time (none here).
std::optional<sim::WorldTime> bootstrap_clock(const Inbound& first) {
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&first.message)) return advance->previous_time;
  return std::nullopt;
}

}  // namespace

void dead_letter(Self self, const Inbound& in, const caf::error& why) {
  dead_letter_reason(self, in, self->system().render(why));
}

void answer_drain_waiters(Self self) {
  if (self->state.drain_waiters.empty() || !idle(self)) return;
  for (auto& rp : self->state.drain_waiters) rp.deliver(true);
  self->state.drain_waiters.clear();
}

// Its sink is linked to the registry (it ends with it) and ends when its
// last handle goes: unlinked first, or the sink's end
// (exit_reason::unreachable) would end the registry too. Its campaign actor
// is told to stop (its state is in its checkpoint).
void forget_campaign(Self self, const std::string& id) {
  auto it = self->state.campaigns.find(id);
  if (it == self->state.campaigns.end()) return;
  if (it->second.sink) self->unlink_from(it->second.sink);
  if (it->second.campaign) {
    self->demonitor(it->second.campaign);
    self->send_exit(it->second.campaign, caf::exit_reason::user_shutdown);
  }
  self->state.campaigns.erase(it);
}

CampaignEntry* entry_of(Self self, const std::string& id, std::uint64_t generation) {
  auto it = self->state.campaigns.find(id);
  return it != self->state.campaigns.end() && it->second.generation == generation ? &it->second : nullptr;
}

namespace {

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

// A stream entry at or before the last one the campaign's checkpoint applied.
bool already_applied(const CampaignEntry& entry, const Inbound& in) {
  if (in.stream_id.empty() || entry.stream_id.empty()) return false;
  try {
    return !io::stream_id_before(entry.stream_id, in.stream_id);
  } catch (const std::invalid_argument& e) {  // the bridge passes only ids Redis gave
    spdlog::error("campaign: stream ids {} / {} cannot be compared: {}", entry.stream_id, in.stream_id, e.what());
    return false;
  }
}

caf::error quarantined(const std::string& id) {
  return make_error(hourglass_errc::quarantined, "campaign " + id + " is quarantined");
}

// The campaign's actor failed a message (or its commit): its down message
// restarts or quarantines it; until then it takes nothing.
void campaign_failed(Self self, const std::string& id, std::uint64_t generation) {
  if (CampaignEntry* e = entry_of(self, id, generation)) {
    e->busy = false;
    e->failed = !e->quarantined;
  }
  answer_drain_waiters(self);
}

// Campaign `id` failed — its actor died, or a commit failed for good: it
// starts again from its last checkpoint, taking `retake` (when given) and
// then what waited behind it; past its restart budget it is quarantined
// instead, `retake` dead-lettered with `why` and the others as quarantined.
// The budget outlives the entry, or a campaign that keeps failing would be
// restarted for ever.
void restart_or_quarantine(Self self, std::string id, std::optional<Inbound> retake, const caf::error& why) {
  CampaignEntry& entry = self->state.campaigns.at(id);
  const auto& o = self->state.options;
  RestartBudget& budget = self->state.restarts.try_emplace(id, o.restart_limit, o.restart_window).first->second;
  auto waiting = std::move(entry.waiting);
  entry.waiting.clear();
  if (!budget.try_spend(std::chrono::steady_clock::now())) {
    entry.quarantined = true;
    entry.failed = false;
    entry.busy = false;
    spdlog::error("campaign {} quarantined after {} failures", id, o.restart_limit + 1);
    if (retake) dead_letter(self, *retake, why);
    for (const auto& in : waiting) dead_letter(self, in, quarantined(id));
    return answer_drain_waiters(self);
  }
  o.telemetry->restart("campaign");
  forget_campaign(self, id);
  if (retake) route(self, std::move(*retake));
  for (auto& in : waiting) route(self, std::move(in));
  answer_drain_waiters(self);
}

// The campaign took `in`: the outcome is counted, an applied message is
// committed (its checkpoint and writes) before the campaign takes its next.
void handled(Self self, const std::string& id, std::uint64_t generation, const std::shared_ptr<Inbound>& in,
             const Handled& h, std::chrono::steady_clock::time_point started, std::function<void()> next) {
  if (h.outcome == Outcome::Refused)
    dead_letter_reason(self, *in, h.note);
  else
    count(self, *in, h.outcome == Outcome::Applied ? "applied" : "ignored");
  Telemetry& t = *self->state.options.telemetry;
  if (std::holds_alternative<messages::WorldTimeAdvanced>(in->message))
    t.advance_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  t.computed(h.firings, h.records);
  CampaignEntry* e = entry_of(self, id, generation);
  if (!e || h.outcome != Outcome::Applied) {  // nothing changed: nothing to commit
    if (h.outcome == Outcome::Ignored) acknowledge(self, *in);  // a refused one was, with its dead letter
    return next();
  }
  follow_clock(*e, in->message);
  auto committed = [=] {
    acknowledge(self, *in);
    next();
  };
  commit_campaign(self, id, generation, in->stream_id, committed, [=](const caf::error& why) {
    // Its last checkpoint never got this message's effects: the campaign's
    // next life takes the message again.
    if (!entry_of(self, id, generation)) return answer_drain_waiters(self);
    restart_or_quarantine(self, id, std::move(*in), why);
  });
}

}  // namespace

// Sends the next waiting message to the campaign actor, fetching its entity
// from the API first when the message did not carry it.
void process_next(Self self, const std::string& id) {
  auto it = self->state.campaigns.find(id);
  if (it == self->state.campaigns.end()) return answer_drain_waiters(self);
  CampaignEntry& entry = it->second;
  if (!entry.ready || entry.busy || entry.failed || entry.waiting.empty()) return answer_drain_waiters(self);
  entry.busy = true;
  const std::uint64_t generation = entry.generation;
  auto in = std::make_shared<Inbound>(std::move(entry.waiting.front()));
  entry.waiting.pop_front();
  // Done with `in`: the campaign takes its next message.
  auto next = [=] {
    resync_done(self, *in);
    if (CampaignEntry* e = entry_of(self, id, generation)) {
      e->busy = false;
      e->last_active = std::chrono::steady_clock::now();
      process_next(self, id);
    } else {
      answer_drain_waiters(self);
    }
  };
  if (already_applied(entry, *in)) {
    // Given again by the stream after a crash between the commit and its
    // acknowledgement: the checkpoint has it.
    count(self, *in, "ignored");
    acknowledge(self, *in);
    spdlog::info("campaign {}: stream entry {} was applied before (checkpoint at {}); skipped", id, in->stream_id,
                 entry.stream_id);
    entry.busy = false;
    return process_next(self, id);
  }
  auto deliver = [=]() {
    CampaignEntry* current = entry_of(self, id, generation);
    if (!current) return route(self, std::move(*in));  // restarted meanwhile: to the new life, in turn
    auto& e = *current;
    for (auto& w : anchor_created(in->message, e.clock)) e.pending_writes.push_back(std::move(w));
    record(self, *in);
    const auto started = std::chrono::steady_clock::now();
    self->request(e.campaign, caf::infinite, handle_atom::value, in->message)
        .then([=](Handled& h) { handled(self, id, generation, in, h, started, next); },
              [=](caf::error& err) {
                dead_letter(self, *in,
                            make_error(hourglass_errc::campaign_failed,
                                       "campaign " + id + " failed: " + self->system().render(err)));
                resync_done(self, *in);
                campaign_failed(self, id, generation);
              });
  };
  auto* modified = std::get_if<messages::EntityModified>(&in->message);
  const bool needs_entity = modified && modified->kind != messages::EntityKind::Encounter &&
                            modified->operation != messages::Operation::Delete &&
                            std::holds_alternative<std::monostate>(modified->entity);
  if (!needs_entity) return deliver();
  self->request(self->state.options.reader, caf::infinite, fetch_atom::value, modified->kind,
                modified->entity_id, id, self->state.options.rules)
      .then(
          [=](FetchedEntity& fetched) {
            auto& m = std::get<messages::EntityModified>(in->message);
            m.entity = std::move(fetched.patch);
            in->fetched = std::move(fetched.json);
            if (in->from_api) {
              std::visit(DropEngineOwned{}, m.entity);
              messages::drop_engine_owned_fields(m.kind, *in->fetched);
            }
            deliver();
          },
          [=](caf::error& err) {
            if (in->from_api && is(err, hourglass_errc::entity_not_found)) {
              // The API announced a change of an entity it no longer has.
              std::get<messages::EntityModified>(in->message).operation = messages::Operation::Delete;
              return deliver();
            }
            dead_letter(self, *in,
                        make_error(hourglass_errc::fetch_failed,
                                   "entity could not be fetched from the API: " + self->system().render(err)));
            next();
          });
}

void route(Self self, Inbound in) {
  const std::string id = std::visit([](const auto& m) { return m.campaign_id; }, in.message);
  if (refuse_foreign_entity(self, in)) return;  // before the index could re-home it
  index_message(self, in.message);
  auto& campaigns = self->state.campaigns;
  const bool known = campaigns.count(id) > 0;
  CampaignEntry& entry = campaigns[id];
  if (!known) entry.generation = ++self->state.generations;
  if (entry.quarantined) {
    dead_letter(self, in, quarantined(id));
    return resync_done(self, in);
  }
  entry.waiting.push_back(std::move(in));
  if (!known) return start_campaign(self, id, bootstrap_clock(entry.waiting.front()));
  process_next(self, id);
}

namespace {
// How often idle campaigns are looked for: a quarter of the delay, within
// [10 ms, 10 s].
std::chrono::milliseconds passivation_tick(std::chrono::milliseconds after) {
  return std::clamp(after / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(10'000));
}

// Campaigns with nothing in flight or waiting for `passivate_after` stop
// their actors; their checkpoints hold all they did (each message is
// committed before the next is taken), so reactivation from it gives the
// records a campaign never passivated gives.
void passivate_idle(Self self) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> idle;
  for (const auto& [id, e] : st.campaigns)
    if (e.ready && !e.busy && !e.failed && !e.quarantined && e.waiting.empty() &&
        now - e.last_active >= st.options.passivate_after)
      idle.push_back(id);
  for (const std::string& id : idle) {
    forget_campaign(self, id);
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

}  // namespace
}  // namespace registry_detail

using namespace registry_detail;

registry_actor::behavior_type registry(Self self, RegistryOptions options) {
  self->state.options = std::move(options);
  // A campaign actor that dies is restarted from its checkpoint (all it
  // committed); too many deaths in the window quarantine it.
  self->set_down_handler([=](caf::down_msg& down) {
    for (auto& [id, entry] : self->state.campaigns) {
      if (entry.campaign.address() != down.source) continue;
      spdlog::error("campaign {} failed: {}", id, self->system().render(down.reason));
      // The message it failed was dead-lettered with its reply.
      return restart_or_quarantine(self, id, std::nullopt, down.reason);
    }
  });
  if (self->state.options.passivate_after.count() > 0)
    self->delayed_send(self, passivation_tick(self->state.options.passivate_after), passivate_atom::value);
  return {
      [=](passivate_atom) {
        passivate_idle(self);
        self->delayed_send(self, passivation_tick(self->state.options.passivate_after), passivate_atom::value);
      },
      [=](route_atom, Inbound& in) { route(self, std::move(in)); },
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
        // Campaigns take them between two messages (before any message routed
        // after this answer); campaigns started later start with them.
        self->state.options.rules = rules;
        for (const auto& [id, entry] : self->state.campaigns)
          if (entry.campaign)
            self->request(entry.campaign, caf::infinite, rules_atom::value, rules)
                .then([](Handled&) {}, [](caf::error&) {});  // a failed campaign restarts with the new rules
        return true;
      },
      [=](registry_drain_atom) -> caf::result<bool> {
        if (idle(self)) return true;
        self->state.drain_waiters.push_back(self->make_response_promise<bool>());
        return caf::delegated<bool>{};
      },
      [=](registry_status_atom) {
        RegistryStatus s;
        for (const auto& [id, e] : self->state.campaigns) {
          ++s.campaigns;
          s.ready += e.ready;
          s.quarantined += e.quarantined;
        }
        s.passivations = self->state.passivations;
        return s;
      },
  };
}

}  // namespace hourglass::actors
