#include "actors/service/registry_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/campaign_actor.hpp"
#include "actors/errors.hpp"
#include "actors/service/anchors.hpp"
#include "actors/service/service_sink.hpp"

namespace hourglass::actors {
namespace {

using Self = registry_actor::stateful_pointer<RegistryState>;

const char* channel_kind(const messages::Message& m) {
  return std::holds_alternative<messages::WorldTimeAdvanced>(m) ? "worldTimeAdvanced" : "entityModified";
}

void count(Self self, const Inbound& in, const char* outcome) {
  self->state.options.telemetry->message(channel_kind(in.message), outcome);
}

// A message off the stream input is handled: the bridge acknowledges it, so
// the stream does not give it again.
void acknowledge(Self self, const Inbound& in) {
  if (!in.stream_id.empty()) self->send(self->state.options.bridge, stream_ack_atom::value, in.stream_id);
}

void dead_letter(Self self, const Inbound& in, const std::string& reason) {
  spdlog::warn("refused message on {}: {}", in.channel, reason);
  count(self, in, "refused");
  self->send(self->state.options.bridge, dead_letter_atom::value, reason, in.channel, in.payload);
  acknowledge(self, in);  // acknowledged once handled; to move after the durable commit
}

// A message refused for a failure: its reason is the rendered error.
void dead_letter(Self self, const Inbound& in, const caf::error& why) {
  dead_letter(self, in, self->system().render(why));
}

void process_next(Self self, const std::string& id);
void route(Self self, Inbound in);

// Anchors Hourglass chose go to the API with the campaign's writes (actors/service/anchors).
void store_anchors(Self self, const std::string& id, std::vector<io::EntityWrite> writes) {
  if (!writes.empty() && self->state.options.gateway) self->send(self->state.options.gateway, writes_atom::value, id, std::move(writes));
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

void answer_drain_waiters(Self self) {
  if (self->state.drain_waiters.empty() || !idle(self)) return;
  for (auto& rp : self->state.drain_waiters) rp.deliver(true);
  self->state.drain_waiters.clear();
}

// Drops a campaign's entry. Its sink is linked to the registry (it ends
// with it) and ends when its last handle goes: unlinked first, or the
// sink's end (exit_reason::unreachable) would end the registry too.
void forget_campaign(Self self, const std::string& id) {
  auto it = self->state.campaigns.find(id);
  if (it == self->state.campaigns.end()) return;
  if (it->second.sink) self->unlink_from(it->second.sink);
  self->state.campaigns.erase(it);
}

void index_seed(Self self, const CampaignSeed& seed) {
  auto& index = self->state.campaign_of_entity;
  for (const auto& s : seed.settlements) index[s.id] = seed.id;
  for (const auto& s : seed.structures) index[s.id] = seed.id;
  for (const auto& e : seed.events) index[e.id] = seed.id;
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

// The clock a campaign first seen through `first` starts at: an advance's
// previousTime (the API's clock before it: the API moves its clock before it
// announces), else the API's world time (none here).
std::optional<sim::WorldTime> bootstrap_clock(const Inbound& first) {
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&first.message)) return advance->previous_time;
  return std::nullopt;
}

// Campaign `id`'s entry if it is still life `generation`: an answer that
// arrives after a restart dropped that entry (a reply, an error, a fetch)
// must neither touch the new one nor make an empty one, which would never
// be bootstrapped and would hold every later message.
CampaignEntry* entry_of(Self self, const std::string& id, std::uint64_t generation) {
  auto it = self->state.campaigns.find(id);
  return it != self->state.campaigns.end() && it->second.generation == generation ? &it->second : nullptr;
}

void bootstrap(Self self, const std::string& id, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  const std::uint64_t generation = st.campaigns.at(id).generation;
  self->request(st.options.reader, caf::infinite, bootstrap_atom::value, id, st.options.rules, as_of)
      .then(
          [=](CampaignSeed& seed) {
            CampaignEntry* current = entry_of(self, id, generation);
            if (!current) return;  // forgotten meanwhile
            auto& entry = *current;
            const auto& o = self->state.options;
            store_anchors(self, id, anchor_seed(seed));
            entry.clock = seed.clock;
            entry.sink = self->spawn<caf::linked>(service_sink, id, o.gateway, o.bridge);
            index_seed(self, seed);
            CampaignInit init{std::move(seed), o.rules, entry.sink};
            init.restart_limit = o.restart_limit;
            init.restart_window = o.restart_window;
            init.faults = o.faults;
            init.typed_records = true;  // the service sink hands them to the gateway
            init.on_restart = [t = o.telemetry](const std::string&) { t->restart("settlement"); };
            entry.campaign = self->spawn<caf::monitored>(campaign_actor, std::move(init));
            spdlog::info("campaign {} bootstrapped from the API", id);
            o.telemetry->campaigns(self->state.campaigns.size());
            self->request(entry.campaign, caf::infinite, load_atom::value)
                .then([=](Handled&) {
                  if (CampaignEntry* e = entry_of(self, id, generation)) {
                    e->ready = true;
                    process_next(self, id);
                  }
                }, [=](caf::error&) {});  // its down message restarts or quarantines it
          },
          [=](caf::error& err) {
            // The messages that waited are dead-lettered; the next message
            // for this campaign tries the bootstrap again.
            const caf::error why = make_error(hourglass_errc::bootstrap_failed, "campaign " + id +
                                              " could not be bootstrapped: " + self->system().render(err));
            spdlog::error("{}", self->system().render(why));
            CampaignEntry* entry = entry_of(self, id, generation);
            if (!entry) return answer_drain_waiters(self);
            auto waiting = std::move(entry->waiting);
            forget_campaign(self, id);
            for (const auto& in : waiting) dead_letter(self, in, why);
            answer_drain_waiters(self);
          });
}

// Sends the next waiting message to the campaign actor, fetching its entity
// from the API first when the message did not carry it.
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

void process_next(Self self, const std::string& id) {
  auto it = self->state.campaigns.find(id);
  if (it == self->state.campaigns.end()) return;
  CampaignEntry& entry = it->second;
  if (!entry.ready || entry.busy || entry.failed || entry.waiting.empty()) return answer_drain_waiters(self);
  entry.busy = true;
  const std::uint64_t generation = entry.generation;
  auto in = std::make_shared<Inbound>(std::move(entry.waiting.front()));
  entry.waiting.pop_front();
  // Done with `in`: the campaign takes its next message.
  auto next = [=] {
    if (CampaignEntry* e = entry_of(self, id, generation)) {
      e->busy = false;
      process_next(self, id);
    } else {
      answer_drain_waiters(self);
    }
  };
  auto deliver = [=]() {
    CampaignEntry* current = entry_of(self, id, generation);
    if (!current) return route(self, std::move(*in));  // restarted meanwhile: to the new life, in turn
    auto& e = *current;
    store_anchors(self, id, anchor_created(in->message, e.clock));
    record(self, *in);
    const auto started = std::chrono::steady_clock::now();
    self->request(e.campaign, caf::infinite, handle_atom::value, in->message)
        .then(
            [=](Handled& h) {
              if (h.outcome == Outcome::Refused)
                dead_letter(self, *in, h.note);
              else
                count(self, *in, h.outcome == Outcome::Applied ? "applied" : "ignored");
              if (CampaignEntry* e = entry_of(self, id, generation); e && h.outcome == Outcome::Applied)
                follow_clock(*e, in->message);
              Telemetry& t = *self->state.options.telemetry;
              if (std::holds_alternative<messages::WorldTimeAdvanced>(in->message))
                t.advance_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
              t.computed(h.firings, h.records);
              // A refused one was acknowledged by dead_letter.
              if (h.outcome != Outcome::Refused)
                acknowledge(self, *in);  // acknowledged once handled; to move after the durable commit
              next();
            },
            [=](caf::error& err) {
              dead_letter(self, *in,
                          make_error(hourglass_errc::campaign_failed,
                                     "campaign " + id + " failed: " + self->system().render(err)));
              // Its actor's down message restarts or quarantines it.
              if (CampaignEntry* e = entry_of(self, id, generation)) {
                e->busy = false;
                e->failed = !e->quarantined;
              }
              answer_drain_waiters(self);
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

caf::error quarantined(const std::string& id) {
  return make_error(hourglass_errc::quarantined, "campaign " + id + " is quarantined");
}

void route(Self self, Inbound in) {
  const std::string id = std::visit([](const auto& m) { return m.campaign_id; }, in.message);
  index_message(self, in.message);
  auto& campaigns = self->state.campaigns;
  const bool known = campaigns.count(id) > 0;
  CampaignEntry& entry = campaigns[id];
  if (!known) entry.generation = ++self->state.generations;
  if (entry.quarantined) return dead_letter(self, in, quarantined(id));
  entry.waiting.push_back(std::move(in));
  if (!known) return bootstrap(self, id, bootstrap_clock(entry.waiting.front()));
  process_next(self, id);
}

}  // namespace

registry_actor::behavior_type registry(Self self, RegistryOptions options) {
  self->state.options = std::move(options);
  // A campaign actor that dies is restarted from the API (its committed state
  // was written there); too many deaths in the window quarantine it.
  self->set_down_handler([=](caf::down_msg& down) {
    for (auto& [id, entry] : self->state.campaigns) {
      if (entry.campaign.address() != down.source) continue;
      const auto& o = self->state.options;
      RestartBudget& budget =
          self->state.restarts.try_emplace(id, o.restart_limit, o.restart_window).first->second;
      spdlog::error("campaign {} failed: {}", id, self->system().render(down.reason));
      if (!budget.try_spend(std::chrono::steady_clock::now())) {
        entry.quarantined = true;
        entry.failed = false;
        spdlog::error("campaign {} quarantined after {} failures", id, o.restart_limit + 1);
        // What waited behind the failed message is refused like what comes later.
        auto waiting = std::move(entry.waiting);
        entry.waiting.clear();
        for (const auto& in : waiting) dead_letter(self, in, quarantined(id));
        return answer_drain_waiters(self);
      }
      o.telemetry->restart("campaign");
      const std::string cid = id;
      auto waiting = std::move(entry.waiting);
      forget_campaign(self, cid);
      for (auto& in : waiting) route(self, std::move(in));
      return answer_drain_waiters(self);
    }
  });
  return {
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
      [=](resync_atom) {
        for (const auto& [id, entry] : self->state.campaigns) {
          if (!entry.ready || entry.quarantined) continue;
          const std::string cid = id;
          self->request(self->state.options.reader, caf::infinite, world_time_atom::value, cid)
              .then(
                  [=](sim::WorldTime t) {
                    // previousTime is informational: the campaign logs the gap.
                    messages::WorldTimeAdvanced m{cid, t, t};
                    route(self, Inbound{m, "campaign." + cid + ".worldTimeAdvanced (resync)", ""});
                  },
                  [=](caf::error& err) { spdlog::warn("resync of {} failed: {}", cid, self->system().render(err)); });
        }
      },
      [=](rules_atom, const sim::RulesPtr& rules) {
        // Campaigns take them between two messages (before any message routed
        // after this answer); campaigns bootstrapped later start with them.
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
        return s;
      },
  };
}

}  // namespace hourglass::actors
