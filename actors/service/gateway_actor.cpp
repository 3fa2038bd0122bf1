#include "actors/service/gateway_actor.hpp"

#include <spdlog/spdlog.h>

#include "io/outbox_delivery.hpp"
#include "io/redis_link.hpp"

namespace hourglass::actors {
namespace {

using Self = gateway_actor::stateful_pointer<GatewayState>;

std::string entity_key(const GatewayJob& j) {
  return j.campaign_id + "/" + io::to_string(j.write.kind) + "/" + j.write.entity_id;
}

void count(Self self, const char* outcome) { self->state.options.telemetry->gateway_call(outcome); }

void update_breaker_gauge(Self self) { self->state.options.telemetry->breaker(self->state.breaker->state()); }

bool idle_now(Self self) {
  const auto& st = self->state;
  // Closing, a write waiting to retry is not waited for: it stays in the outbox.
  return st.queue.empty() && st.in_flight == 0 && (st.closing || st.waiting_retry == 0);
}

void answer_drain_waiters(Self self) {
  if (!idle_now(self)) return;
  for (auto& rp : self->state.drain_waiters) rp.deliver(true);
  self->state.drain_waiters.clear();
}

void dispatch(Self self);

void dead_letter(Self self, const GatewayJob& job, const std::string& reason) {
  auto& st = self->state;
  ++st.dead_letters;
  count(self, "dead_letter");
  st.options.telemetry->dead_letter("gateway");
  nlohmann::json entry = io::write_to_json(job.campaign_id, job.write);
  entry["reason"] = reason;
  entry["attempts"] = job.attempts;
  entry["outboxId"] = job.entry_id;
  spdlog::error("gateway: dead letter {} {} after {} attempt(s): {}", io::to_string(job.write.kind),
                job.write.entity_id, job.attempts, reason);
  if (st.options.dead_letters)
    self->send(st.options.dead_letters, gw_dead_letter_atom::value, entry.dump(), job.campaign_id, job.entry_id);
}

void report_backlog(Self self) {
  const auto& st = self->state;
  st.options.telemetry->gateway_backlog(st.queue.size());
  const std::size_t backlog = st.queue.size() + st.in_flight + st.waiting_retry;
  st.options.telemetry->outbox_backlog(backlog);
  if (st.options.on_backlog) st.options.on_backlog(backlog);
}

void finished(Self self, const GatewayJob& job, const io::WriteOutcome& outcome, gateway_worker_actor worker) {
  auto& st = self->state;
  --st.in_flight;
  st.idle.push_back(worker);
  // The breaker watches the API's health: only failures that say "down"
  // (transport, timeout, 5xx) count against it.
  st.breaker->record(outcome.done || !outcome.retryable);
  update_breaker_gauge(self);
  spdlog::debug("gateway: {} {} attempt {}: {} ({}), breaker {}", io::to_string(job.write.kind),
                job.write.entity_id, job.attempts, outcome.done ? "done" : "failed", outcome.message,
                io::to_string(st.breaker->state()));
  if (outcome.done) {
    count(self, outcome.kind == io::ApiError::Kind::AlreadyApplied ? "already_applied" : "ok");
    st.busy.erase(entity_key(job));
    // Written: out of the outbox once Redis is back (the store waits for it).
    if (outcome.removal_pending && st.options.store)
      self->send(st.options.store, outbox_done_atom::value, job.campaign_id, std::vector<std::string>{job.entry_id});
  } else if (outcome.refused) {  // another campaign's entity: never sent, never retried
    count(self, "refused");
    st.options.telemetry->ownership_refused("write");
    dead_letter(self, job, outcome.message);
    st.busy.erase(entity_key(job));
  } else if (outcome.in_doubt) {
    dead_letter(self, job, outcome.message);
    st.busy.erase(entity_key(job));
  } else if (st.closing) {
    st.busy.erase(entity_key(job));  // stays in the outbox for the next start
  } else if (outcome.unavailable || (outcome.retryable && job.attempts <= st.options.retries)) {
    count(self, "retry");
    st.options.telemetry->gateway_retry();
    io::Backoff backoff(st.options.retry_initial, st.options.retry_cap, 0.2,
                             std::hash<std::string>{}(job.write.idempotency_key) + job.attempts);
    std::chrono::milliseconds delay = backoff.next();
    for (int i = 1; i < std::min(job.attempts, 16); ++i) delay = backoff.next();
    ++st.waiting_retry;
    self->delayed_send(self, delay, retry_atom::value, job);  // the entity stays busy
  } else {
    dead_letter(self, job, outcome.message);
    st.busy.erase(entity_key(job));
  }
  report_backlog(self);
  dispatch(self);
  answer_drain_waiters(self);
}

// Starts every write that may start: a worker is free, its entity has no
// earlier write pending, and the breaker lets calls through.
void dispatch(Self self) {
  auto& st = self->state;
  if (st.closing) return;
  for (auto it = st.queue.begin(); it != st.queue.end() && !st.idle.empty();) {
    const std::string key = entity_key(*it);
    if (st.busy.count(key)) {
      ++it;
      continue;
    }
    if (!st.breaker->allow()) {
      update_breaker_gauge(self);
      if (!st.tick_pending) {  // look again once the breaker may let a trial through
        st.tick_pending = true;
        self->delayed_send(self, std::chrono::milliseconds(250), tick_atom::value);
      }
      return;
    }
    GatewayJob job = std::move(*it);
    it = st.queue.erase(it);
    ++job.attempts;
    st.busy.insert(key);
    gateway_worker_actor worker = st.idle.back();
    st.idle.pop_back();
    ++st.in_flight;
    self->request(worker, caf::infinite, execute_atom::value, job.campaign_id, job.entry_id, job.write)
        .then([=](io::WriteOutcome& o) { finished(self, job, o, worker); },
              [=](caf::error& err) {
                io::WriteOutcome o;
                o.retryable = true;
                o.message = "worker failed: " + self->system().render(err);
                finished(self, job, o, worker);
              });
  }
}

// Committed outbox entries join the queue; one that cannot be read back
// (a poison entry) is dead-lettered, so the rest still go.
void take_entries(Self self, const std::string& campaign_id, std::vector<io::OutboxEntry>& entries) {
  for (auto& e : entries) {
    if (!e.write) {
      GatewayJob poison{campaign_id, e.id, io::EntityWrite{}, 0};
      dead_letter(self, poison, e.refusal);
      continue;
    }
    self->state.queue.push_back(GatewayJob{campaign_id, e.id, std::move(*e.write), 0});
  }
  report_backlog(self);
  dispatch(self);
}

}  // namespace

gateway_worker_actor::behavior_type gateway_worker(gateway_worker_actor::pointer self,
                                                   io::CampaignApiConfig api_config,
                                                   std::shared_ptr<io::CampaignBranches> branches,
                                                   io::RedisEndpoint redis_endpoint) {
  auto api = std::make_shared<io::CampaignApi>(api_config);
  auto redis = std::make_shared<io::RedisLink>(redis_endpoint, std::chrono::milliseconds(1000));
  auto owners = std::make_shared<io::EntityOwners>();  // the links to campaigns this worker has read
  const io::EffectCallTiming call_timing = io::effect_call_timing(api_config.timeout);
  // The worker's Redis connection; null while Redis cannot be reached.
  auto store_link = [=]() -> io::RedisConnection* {
    try {
      return &redis->get();
    } catch (const std::exception& e) {
      spdlog::warn("gateway worker: cannot reach Redis: {}", e.what());
      return nullptr;
    }
  };
  return {
      [=](execute_atom, const std::string& campaign_id, const std::string& entry_id, const io::EntityWrite& w) {
        io::RedisConnection* link = store_link();
        std::optional<io::CheckpointStore> store;
        if (link) store.emplace(*link);
        io::WriteOutcome outcome =
            io::deliver_outbox_entry(*api, *branches, *owners, store ? &*store : nullptr, campaign_id, entry_id, w,
                                     call_timing);
        if (!outcome.done) return outcome;
        // Done: out of the outbox. Should Redis fail now, the entry is sent
        // again after a restart and found applied (io/outbox_delivery).
        try {
          if (!store) throw std::runtime_error("no Redis connection");
          store->done(campaign_id, {entry_id});
        } catch (const std::exception& e) {
          spdlog::warn("gateway worker: {} done, not yet removed from the outbox of {}: {}", entry_id, campaign_id,
                       e.what());
          outcome.removal_pending = true;
        }
        return outcome;
      },
  };
}

gateway_actor::behavior_type gateway(Self self, GatewayOptions options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.breaker = std::make_unique<io::CircuitBreaker>(st.options.breaker);
  auto branches = std::make_shared<io::CampaignBranches>(st.options.campaign_branches);  // shared by the workers
  for (int i = 0; i < st.options.concurrency; ++i)
    st.idle.push_back(
        self->spawn<caf::detached + caf::linked>(gateway_worker, st.options.api, branches, st.options.redis));
  return {
      [=](outbox_atom, const std::string& campaign_id, std::vector<io::OutboxEntry>& entries) {
        take_entries(self, campaign_id, entries);
      },
      [=](retry_atom, GatewayJob& job) {
        --self->state.waiting_retry;
        self->state.busy.erase(entity_key(job));
        if (self->state.closing) return answer_drain_waiters(self);  // stays in the outbox
        self->state.queue.push_front(std::move(job));  // it was first in line for its entity
        dispatch(self);
      },
      [=](tick_atom) {
        self->state.tick_pending = false;
        dispatch(self);
      },
      [=](gateway_drain_atom) -> caf::result<bool> {
        if (idle_now(self)) return true;
        self->state.drain_waiters.push_back(self->make_response_promise<bool>());
        return caf::delegated<bool>{};
      },
      [=](gateway_abandon_atom) {
        auto& st = self->state;
        st.closing = true;
        if (!st.queue.empty())
          spdlog::warn("gateway: {} write(s) not sent before shutdown stay in the outbox for the next start",
                       st.queue.size());
        st.queue.clear();
        answer_drain_waiters(self);
        return st.in_flight;
      },
      [=](gateway_status_atom) {
        const auto& st = self->state;
        return GatewayStatus{st.queue.size(), st.in_flight, st.dead_letters, st.breaker->state()};
      },
  };
}

}  // namespace hourglass::actors
