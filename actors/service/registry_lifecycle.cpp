#include <spdlog/spdlog.h>

#include "actors/campaign_actor.hpp"
#include "actors/errors.hpp"
#include "actors/service/anchors.hpp"
#include "actors/service/registry_internal.hpp"
#include "actors/service/service_sink.hpp"

namespace hourglass::actors::registry_detail {
namespace {

void index_seed(Self self, const CampaignSeed& seed) {
  auto& index = self->state.campaign_of_entity;
  for (const auto& s : seed.settlements) index[s.id] = seed.id;
  for (const auto& s : seed.structures) index[s.id] = seed.id;
  for (const auto& e : seed.events) index[e.id] = seed.id;
  for (const auto& f : seed.effects) index[f.id] = seed.id;  // a checkpoint's deferred effects
}

// The campaign could not be started: the messages that waited are
// dead-lettered; the next message for this campaign tries again.
void refuse_start(Self self, const std::string& id, std::uint64_t generation, const caf::error& why) {
  spdlog::error("{}", self->system().render(why));
  CampaignEntry* entry = entry_of(self, id, generation);
  if (!entry) return answer_drain_waiters(self);
  auto waiting = std::move(entry->waiting);
  forget_campaign(self, id);
  for (const auto& in : waiting) {
    dead_letter(self, in, why);
    resync_done(self, in);
  }
  answer_drain_waiters(self);
}

// Spawns the campaign's actors from `seed`, fires what was already due
// (SPEC reading 3), commits that, and lets its messages in.
void spawn_campaign(Self self, const std::string& id, std::uint64_t generation, CampaignSeed seed, const char* from) {
  CampaignEntry* current = entry_of(self, id, generation);
  if (!current) return answer_drain_waiters(self);
  auto& entry = *current;
  const auto& o = self->state.options;
  entry.clock = seed.clock;
  entry.sink = self->spawn<caf::linked>(service_sink, id, o.bridge, o.publish_backlog);
  index_seed(self, seed);
  CampaignInit init{std::move(seed), o.rules, entry.sink};
  init.restart_limit = o.restart_limit;
  init.restart_window = o.restart_window;
  init.faults = o.faults;
  init.typed_records = true;  // the registry commits them as writes
  init.on_restart = [t = o.telemetry](const std::string&) { t->restart("settlement"); };
  entry.campaign = self->spawn<caf::monitored>(campaign_actor, std::move(init));
  spdlog::info("campaign {} started from {}", id, from);
  o.telemetry->campaigns(self->state.campaigns.size());
  self->request(entry.campaign, caf::infinite, load_atom::value)
      .then(
          [=](Handled&) {
            commit_campaign(
                self, id, generation, "",
                [=] {
                  if (CampaignEntry* e = entry_of(self, id, generation)) {
                    e->ready = true;
                    e->last_active = std::chrono::steady_clock::now();
                    process_next(self, id);
                  }
                },
                [=](const caf::error& why) { refuse_start(self, id, generation, why); });
          },
          [=](caf::error&) {});  // its down message restarts or quarantines it
}

void start_from_api(Self self, const std::string& id, std::uint64_t generation, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  self->request(st.options.reader, caf::infinite, bootstrap_atom::value, id, st.options.rules, as_of)
      .then(
          [=](ApiBootstrap& boot) {
            CampaignEntry* entry = entry_of(self, id, generation);
            if (!entry) return answer_drain_waiters(self);
            // Its writes are numbered on from the last the API shows.
            entry->write_seq = std::max(entry->write_seq, boot.last_write);
            entry->pending_writes = anchor_seed(boot.seed);
            spawn_campaign(self, id, generation, std::move(boot.seed), "the API (no checkpoint)");
          },
          [=](caf::error& err) {
            refuse_start(self, id, generation,
                         make_error(hourglass_errc::bootstrap_failed,
                                    "campaign " + id + " could not be bootstrapped: " + self->system().render(err)));
          });
}

}  // namespace

void start_campaign(Self self, const std::string& id, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  const std::uint64_t generation = st.campaigns.at(id).generation;
  self->request(st.options.store, caf::infinite, load_checkpoint_atom::value, id)
      .then(
          [=](std::optional<std::string>& text) {
            CampaignEntry* entry = entry_of(self, id, generation);
            if (!entry) return answer_drain_waiters(self);
            if (!text) return start_from_api(self, id, generation, as_of);
            messages::Checkpoint cp;
            try {
              cp = messages::read_checkpoint_text(*text, "checkpoint of campaign " + id, *self->state.options.rules);
            } catch (const std::exception& e) {
              // Never bootstrapped from the API over it: its deferred effects
              // and anchors exist only there.
              return refuse_start(self, id, generation,
                                  make_error(hourglass_errc::bad_checkpoint,
                                             "campaign " + id + ": its checkpoint cannot be read: " + e.what()));
            }
            entry->messages = cp.input.messages;
            entry->stream_id = cp.input.stream_id;
            entry->write_seq = cp.input.writes;
            spawn_campaign(self, id, generation, std::move(cp.seed), "its checkpoint");
          },
          [=](caf::error& err) {
            refuse_start(self, id, generation,
                         make_error(hourglass_errc::bootstrap_failed,
                                    "campaign " + id + ": its checkpoint could not be read from Redis: " +
                                        self->system().render(err)));
          });
}

}  // namespace hourglass::actors::registry_detail
