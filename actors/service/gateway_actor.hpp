// The API gateway: turns the records of each campaign message (typed, as the
// engine emitted them) into the fewest API writes (coalesced per entity,
// io::coalesce), and carries them out with bounded
// concurrency (a pool of detached workers, one HTTP connection each), in
// order per entity, with retries (exponential backoff and jitter), a circuit
// breaker, and a dead letter after the last retry.
//
// Two kinds of failure are told apart. When the API is unavailable
// (transport error, timeout, 502/503/504) the write waits and tries again,
// however long it takes: the breaker paces the calls and the backlog goes
// out when the API returns. A failure of the write itself (500, a refusal,
// a bad reply) is retried `retries` times, then dead-lettered. At shutdown,
// what could not be written within the drain timeout is dead-lettered too,
// so nothing is lost.
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <memory>
#include <set>
#include <vector>

#include "actors/service/service_protocol.hpp"
#include "actors/service/telemetry.hpp"
#include "io/backoff.hpp"
#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/circuit_breaker.hpp"

namespace hourglass::actors {

// One worker: a blocking API client in a detached actor. (campaign id, write):
// the campaign's updates go to its branch.
using gateway_worker_actor =
    caf::typed_actor<caf::replies_to<execute_atom, std::string, io::EntityWrite>::with<io::WriteOutcome>>;

// Whoever keeps the gateway's dead letters (the bridge): one JSON entry each.
using gateway_dead_letters_actor = caf::typed_actor<caf::reacts_to<gw_dead_letter_atom, std::string>>;

using gateway_actor = caf::typed_actor<
    // (campaign id, the records of one message in order, the settlements'
    // hidden carries it changed, at that world time): queued as coalesced writes
    caf::reacts_to<writes_atom, std::string, sim::OwnedRecords, Carries, sim::WorldTime>,
    // (campaign id, writes made already, such as the anchors of actors/service/anchors)
    caf::reacts_to<writes_atom, std::string, std::vector<io::EntityWrite>>,
    // answers once nothing is queued, in flight or waiting to retry
    caf::replies_to<gateway_drain_atom>::with<bool>,
    // the drain timed out: dead-letters what is queued, stops retrying; answers
    // how many writes are still in flight or waiting
    caf::replies_to<gateway_abandon_atom>::with<std::size_t>,
    caf::replies_to<gateway_status_atom>::with<GatewayStatus>,
    // its own timers: a write's retry is due; the breaker may let a call through
    caf::reacts_to<retry_atom, GatewayJob>,
    caf::reacts_to<tick_atom>>;

struct GatewayOptions {
  io::CampaignApiConfig api;
  io::BranchMap campaign_branches;  // named per campaign; any other campaign writes to its main branch
  int concurrency = 8;
  int retries = 3;
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_cap{10'000};
  io::CircuitBreakerOptions breaker;
  gateway_dead_letters_actor dead_letters;  // none: dead letters are only logged and counted
  Telemetry* telemetry = &Telemetry::none();
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
  bool closing = false;  // shutting down: what cannot be written now is dead-lettered
  std::vector<caf::typed_response_promise<bool>> drain_waiters;
  static inline const char* name = "gateway";
};

gateway_actor::behavior_type gateway(gateway_actor::stateful_pointer<GatewayState> self, GatewayOptions options);

gateway_worker_actor::behavior_type gateway_worker(gateway_worker_actor::pointer self, io::CampaignApiConfig api,
                                                   std::shared_ptr<io::CampaignBranches> branches);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayOptions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hourglass::io::EntityWrite>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<hourglass::io::CampaignBranches>)
