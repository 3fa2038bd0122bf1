// A campaign session's start: from its checkpoint when Redis holds one, else
// bootstrapped from the API; then its actors are spawned, what was already
// due fires (SPEC reading 3), that is committed, and its messages go in.
#include <spdlog/spdlog.h>

#include "actors/campaign_actor.hpp"
#include "actors/errors.hpp"
#include "actors/service/anchors.hpp"
#include "actors/service/service_sink.hpp"
#include "actors/service/session_internal.hpp"

namespace hourglass::actors::session_detail {
namespace {

// The registry's entity index learns what the campaign holds.
void index_seed(Self self, const CampaignSeed& seed) {
  std::vector<std::string> ids;
  for (const auto& s : seed.settlements) ids.push_back(s.id);
  for (const auto& s : seed.structures) ids.push_back(s.id);
  for (const auto& e : seed.events) ids.push_back(e.id);
  for (const auto& f : seed.effects) ids.push_back(f.id);  // a checkpoint's deferred effects
  self->send(self->state.parent, index_atom::value, self->state.id, std::move(ids));
}

// The campaign cannot be started (the API refused it, its checkpoint cannot
// be read): the messages that waited are dead-lettered with the reason; the
// registry forgets the campaign, and its next message tries again.
void refuse_start(Self self, const caf::error& why) {
  spdlog::error("{}", self->system().render(why));
  auto& st = self->state;
  while (!st.queue.empty()) {
    Inbound in = std::move(st.queue.front());
    st.queue.pop_front();
    dead_letter(self, in, why);
    finish(self, in);
  }
  end(self, SessionEnd::Then::forget, why);
}

// A start step failed with `why`: waited out when transient, else the
// campaign is quarantined (its keys) or its start refused.
void start_failed(Self self, const caf::error& why, std::function<void()> again) {
  switch (classify(why)) {
    case failure_class::transient: return wait_and_retry(self, why, std::move(again));
    case failure_class::campaign_keys: return end(self, SessionEnd::Then::quarantine, why);
    case failure_class::fenced: return fenced_out(self, why);
    default: return refuse_start(self, why);
  }
}

void spawn_campaign(Self self, CampaignSeed seed, const char* from) {
  auto& st = self->state;
  const auto& o = st.options;
  st.clock = seed.clock;
  st.sink = self->spawn<caf::linked>(service_sink, st.id, o.feed, o.publish_backlog, o.telemetry);
  index_seed(self, seed);
  CampaignInit init{std::move(seed), o.rules, st.sink};
  init.restart_limit = o.restart_limit;
  init.restart_window = o.restart_window;
  init.faults = o.faults;
  init.max_advance = o.max_advance;
  init.capture.changes = true;  // the session commits them as writes
  init.capture.text = o.publish_records;
  if (o.publish_records) init.capture.text_wanted = text_wanted_while_feed_flows(o.publish_backlog);
  init.on_restart = [t = o.telemetry](const std::string&) { t->restart("settlement"); };
  st.campaign = self->spawn<caf::linked>(campaign_actor, std::move(init));
  spdlog::info("campaign {} started from {}", st.id, from);
  self->request(st.campaign, caf::infinite, load_atom::value)
      .then(
          [=](Handled&) {
            commit(
                self, "",
                [=] {
                  auto& s = self->state;
                  s.ready = true;
                  s.busy = false;
                  s.backoff.reset();
                  report(self);
                  process_next(self);
                },
                [=](const caf::error& why) { commit_failed(self, std::nullopt, why); });
          },
          [=](caf::error& err) {
            end(self, SessionEnd::Then::restart,
                make_error(hourglass_errc::campaign_failed, "campaign " + self->state.id + " failed at its load", err));
          });
}

void start_from_api(Self self, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  self->request(st.options.reader, caf::infinite, bootstrap_atom::value, st.id, st.options.rules, as_of)
      .then(
          [=](ApiBootstrap& boot) {
            auto& s = self->state;
            // Its writes are numbered on from the last the API shows.
            s.write_seq = std::max(s.write_seq, boot.last_write);
            s.pending_writes = anchor_seed(boot.seed);
            spawn_campaign(self, std::move(boot.seed), "the API (no checkpoint)");
          },
          [=](caf::error& err) {
            start_failed(self,
                         make_error(hourglass_errc::bootstrap_failed,
                                    "campaign " + self->state.id + " could not be bootstrapped", err),
                         [=] { start_from_api(self, as_of); });
          });
}

}  // namespace

// Its checkpoint, else the API.
void load_state(Self self, std::optional<sim::WorldTime> as_of);

void start(Self self, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  st.busy = true;
  if (st.options.fence == 0 || st.claimed) return load_state(self, as_of);
  // Claimed before the checkpoint is read: once the claim is in, no holder
  // of an older token can commit over what this session reads.
  self->request(st.options.store, caf::infinite, claim_atom::value, st.id, st.options.fence)
      .then(
          [=](bool) {
            self->state.claimed = true;
            load_state(self, as_of);
          },
          [=](caf::error& err) {
            start_failed(self,
                         make_error(hourglass_errc::bootstrap_failed,
                                    "campaign " + self->state.id + ": could not be claimed with partition token " +
                                        std::to_string(self->state.options.fence),
                                    err),
                         [=] { start(self, as_of); });
          });
}

void load_state(Self self, std::optional<sim::WorldTime> as_of) {
  auto& st = self->state;
  self->request(st.options.store, caf::infinite, load_checkpoint_atom::value, st.id)
      .then(
          [=](std::optional<std::string>& text) {
            auto& s = self->state;
            if (!text) return start_from_api(self, as_of);
            messages::Checkpoint cp;
            try {
              cp = messages::read_checkpoint_text(*text, "checkpoint of campaign " + s.id, *s.options.rules);
            } catch (const std::exception& e) {
              // Never bootstrapped from the API over it: its deferred effects
              // and anchors exist only there.
              return refuse_start(self, make_error(hourglass_errc::bad_checkpoint,
                                                   "campaign " + s.id + ": its checkpoint cannot be read: " + e.what()));
            }
            s.messages = cp.input.messages;
            s.stream_id = cp.input.stream_id;
            s.write_seq = cp.input.writes;
            spawn_campaign(self, std::move(cp.seed), "its checkpoint");
          },
          [=](caf::error& err) {
            start_failed(self,
                         make_error(hourglass_errc::bootstrap_failed,
                                    "campaign " + self->state.id + ": its checkpoint could not be read from Redis", err),
                         [=] { load_state(self, as_of); });
          });
}

}  // namespace hourglass::actors::session_detail
