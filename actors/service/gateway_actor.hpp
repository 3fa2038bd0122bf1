// The API gateway: carries out the campaigns' committed writes (their
// outbox entries, io/checkpoint_store) with bounded concurrency (a pool of
// detached workers, one HTTP connection and one Redis connection each), in
// order per entity, with retries (exponential backoff and jitter), a circuit
// breaker, and a dead letter after the last retry. A write done is removed
// from its outbox by the worker that did it; one dead-lettered, by the bridge
// once the dead letter is written. Each write takes effect once however
// often it is sent (io/outbox_delivery).
//
// Two kinds of failure are told apart. When the API is unavailable
// (transport error, timeout, 502/503/504) the write waits and tries again,
// however long it takes: the breaker paces the calls and the backlog goes
// out when the API returns. A failure of the write itself (500, a refusal,
// a bad reply) is retried `retries` times, then dead-lettered. At shutdown,
// what could not be written stays in the outbox: the next start sends it.
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <memory>
#include <set>
#include <vector>

#include "actors/service/service_protocol.hpp"
#include "actors/service/store_actor.hpp"
#include "actors/service/telemetry.hpp"
#include "io/backoff.hpp"
#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/circuit_breaker.hpp"

namespace hourglass::actors {

// One worker: a blocking API client in a detached actor. (campaign id,
// outbox entry id, write): the campaign's updates go to its branch; once
// done, the entry leaves the outbox.
using gateway_worker_actor =
    caf::typed_actor<caf::replies_to<execute_atom, std::string, std::string, io::EntityWrite>::with<io::WriteOutcome>>;

// Whoever keeps the gateway's dead letters (the bridge): (JSON entry,
// campaign id, outbox entry id), the entry removed from the outbox once the
// dead letter is written.
using gateway_dead_letters_actor =
    caf::typed_actor<caf::reacts_to<gw_dead_letter_atom, std::string, std::string, std::string>>;

using gateway_actor = caf::typed_actor<
    // (campaign id, committed outbox entries, oldest first): queued
    caf::reacts_to<outbox_atom, std::string, std::vector<io::OutboxEntry>>,
    // answers once nothing is queued, in flight or waiting to retry
    caf::replies_to<gateway_drain_atom>::with<bool>,
    // the drain timed out: stops sending (what is queued stays in the
    // outbox for the next start); answers how many writes are still in flight
    caf::replies_to<gateway_abandon_atom>::with<std::size_t>,
    caf::replies_to<gateway_status_atom>::with<GatewayStatus>,
    // its own timers: a write's retry is due; the breaker may let a call through
    caf::reacts_to<retry_atom, GatewayJob>,
    caf::reacts_to<tick_atom>>;

struct GatewayOptions {
  io::CampaignApiConfig api;
  io::RedisEndpoint redis;  // the outboxes (the workers' done and in-flight marks)
  store_actor store;        // removes what a worker could not (Redis down); may be none
  io::BranchMap campaign_branches;  // named per campaign; any other campaign writes to its main branch
  int concurrency = 8;
  int retries = 3;
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_cap{10'000};
  io::CircuitBreakerOptions breaker;
  gateway_dead_letters_actor dead_letters;  // none: dead letters are only logged and counted
  Telemetry* telemetry = &Telemetry::none();
  // Told the backlog (queued + in flight + waiting to retry) whenever it
  // changes: the runtime pauses intake above its limit. May be empty.
  std::function<void(std::size_t)> on_backlog;
};

struct GatewayState {
  GatewayOptions options;
  std::unique_ptr<io::CircuitBreaker> breaker;
  std::deque<GatewayJob> queue;
  std::set<std::string> busy;          // entities with a write in flight or waiting to retry
  std::vector<gateway_worker_actor> idle;  // workers
  std::size_t in_flight = 0;
  std::size_t waiting_retry = 0;
  std::uint64_t dead_letters = 0;
  bool tick_pending = false;
  bool closing = false;  // shutting down: nothing new is sent (it stays in the outbox)
  std::vector<caf::typed_response_promise<bool>> drain_waiters;
  static inline const char* name = "gateway";
};

gateway_actor::behavior_type gateway(gateway_actor::stateful_pointer<GatewayState> self, GatewayOptions options);

gateway_worker_actor::behavior_type gateway_worker(gateway_worker_actor::pointer self, io::CampaignApiConfig api,
                                                   std::shared_ptr<io::CampaignBranches> branches,
                                                   io::RedisEndpoint redis);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayOptions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hourglass::io::EntityWrite>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<hourglass::io::CampaignBranches>)
