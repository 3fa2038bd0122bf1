// The API gateway: turns the records of each campaign message into the
// fewest API writes (coalesced per entity), and carries them out with bounded
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
#include "io/circuit_breaker.hpp"

namespace hourglass::actors {

struct GatewayOptions {
  io::CampaignApiConfig api;
  int concurrency = 8;
  int retries = 3;
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_cap{10'000};
  io::CircuitBreakerOptions breaker;
  caf::actor dead_letters;             // receives (gw_dead_letter_atom, json string)
  Telemetry* telemetry = &Telemetry::none();
};

struct GatewayState {
  GatewayOptions options;
  std::unique_ptr<io::CircuitBreaker> breaker;
  std::deque<GatewayJob> queue;
  std::set<std::string> busy;          // entities with a write in flight or waiting to retry
  std::vector<caf::actor> idle;        // workers
  std::size_t in_flight = 0;
  std::size_t waiting_retry = 0;
  std::uint64_t dead_letters = 0;
  bool tick_pending = false;
  bool closing = false;  // shutting down: what cannot be written now is dead-lettered
  std::vector<caf::response_promise> drain_waiters;
  static inline const char* name = "gateway";
};

caf::behavior gateway_actor(caf::stateful_actor<GatewayState>* self, GatewayOptions options);

// One worker: a blocking API client in a detached actor.
caf::behavior gateway_worker(caf::event_based_actor* self, io::CampaignApiConfig api);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::GatewayOptions)
