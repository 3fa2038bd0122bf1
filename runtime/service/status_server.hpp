// The service's status endpoints, served by cpp-httplib on its own thread:
//
//   GET /health   the health provider's JSON; 200 when its "status" is
//                 "healthy" or "degraded", 503 when "unhealthy" (or when the
//                 provider throws or gives no known status)
//   GET /ready    the readiness provider's JSON (set_readiness); 200 when its
//                 "ready" is true, else 503; 404 when there is none
//   GET /metrics  Registry::render(), Content-Type text/plain; version=0.0.4
//   anything else 404
//
// HealthState holds what the service knows about its dependencies and turns it
// into that JSON (HealthState::to_json is a ready-made health provider).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "io/circuit_breaker.hpp"
#include "runtime/service/metrics.hpp"
#include "runtime/service/ownership_health.hpp"

namespace hourglass::service {

enum class HealthStatus { healthy, degraded, unhealthy };
const char* to_string(HealthStatus s);

// Overall status rules (HealthState::status):
//   unhealthy  Redis has been disconnected for more than `redis_grace`
//              (counted from construction when it has never connected), or
//              Redis has not answered the liveness probe's PING for more than
//              kRedisUnansweredLimit (frozen, hung or unreachable: the link
//              may still look connected; counted from the last PONG, or the
//              first probe when none answered), or the campaign API's circuit
//              breaker is open: the service can neither hear nor write world
//              time, so an orchestrator should stop routing to / restart it.
//   degraded   otherwise, when any campaign is quarantined, Redis' persistence
//              cannot keep the checkpoints across a Redis restart, intake is
//              paused for the outbox backlog, the gateway
//              holds dead letters not yet replayed, or the API refused a call
//              (Unauthorized, Forbidden, Bad Request) within the last
//              `refusal_window`, or Redis dropped the subscriber for its
//              pub/sub output buffer limit within the last 10 minutes: the
//              service works, but some results are not reaching the API (or
//              some messages were lost), or the lease rounds are failing
//              (components.ownership, when set_ownership was called: the
//              partitions held are not being renewed). The last refusal stays in components.api
//              (kind, message, at, age_s) after the window.
//   healthy    otherwise. A Redis outage shorter than the grace, a half-open
//              breaker and a gateway backlog (without dead letters) are
//              reported in the components but do not change the status.
// Thread-safe: the service's threads call the setters, the status server's
// threads read.
class HealthState {
 public:
  using Clock = std::chrono::steady_clock;

  // How long Redis may leave the liveness probe's PINGs unanswered before
  // the service is unhealthy: a Redis restart's few seconds, not a freeze.
  static constexpr std::chrono::seconds kRedisUnansweredLimit{5};
  // How long a pub/sub overflow keeps the status degraded.
  static constexpr std::chrono::minutes kOverflowWindow{10};

  explicit HealthState(std::chrono::seconds redis_grace = std::chrono::seconds(30),
                       Clock::time_point now = Clock::now(),
                       std::chrono::seconds refusal_window = std::chrono::minutes(10));

  void set_redis_connected(bool connected, Clock::time_point now = Clock::now());
  // One result of the liveness probe (io::RedisLivenessProbe): Redis
  // answered a PING within its deadline (`took`), or not and why (`error`).
  void set_redis_ping(bool answered, std::string error, std::chrono::milliseconds took,
                      Clock::time_point now = Clock::now());
  // Redis dropped the subscriber for exceeding its pub/sub output buffer
  // limit (io::explain_link_loss); `evidence` says what showed it.
  void set_pubsub_overflow(std::string evidence, Clock::time_point now = Clock::now(),
                           std::chrono::system_clock::time_point at = std::chrono::system_clock::now());
  void set_api_breaker(io::CircuitBreaker::State state);
  void set_gateway(std::size_t backlog, std::size_t dead_letters);
  // `quarantine`: some quarantined campaigns (id -> why), shown as
  // components.campaigns.quarantine.
  void set_campaigns(std::size_t total, std::size_t quarantined,
                     std::map<std::string, std::string> quarantine = {});
  // Whether Redis keeps the checkpoints across its own restart (its
  // persistence settings, io::check_persistence) and why; unknown until set.
  void set_persistence(bool durable, std::string why);
  // Intake paused (the outbox backlog passed its limit) and why; "" resumes.
  void set_intake_paused(std::string why);
  // The long advances under way (components.advances.running: campaign,
  // reached, target, done, firings_per_s), the least advanced first. They do
  // not change the status: a long advance is work, not a fault.
  void set_long_advances(nlohmann::json running);
  // The API refused a call: `kind` (io::to_string of the ApiError kind) and
  // the API's message; `at` is the wall time shown.
  void set_api_refusal(std::string kind, std::string message, Clock::time_point now = Clock::now(),
                       std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

  // Shows `ownership` as components.ownership (several instances).
  void set_ownership(std::shared_ptr<const OwnershipHealth> ownership);

  HealthStatus status(Clock::time_point now = Clock::now()) const;
  // {"status":..., "components":{"redis":{...},"api":{...},"gateway":{...},"campaigns":{...}}};
  // each component carries its own "status" ("ok", "degraded" or "down").
  nlohmann::json to_json(Clock::time_point now = Clock::now()) const;

 private:
  HealthStatus status_locked(Clock::time_point now) const;

  mutable std::mutex mutex_;
  std::chrono::seconds redis_grace_;
  bool redis_connected_ = false;
  Clock::time_point redis_down_since_;
  struct Ping {
    bool probed = false;    // a probe has reported
    bool answered = false;  // the last one had its PONG
    Clock::time_point answered_at;  // the last PONG (or the first probe, when none answered)
    std::chrono::milliseconds took{0};
    std::string error;  // the last failure's
  };
  Ping ping_;
  struct Overflow {
    std::string evidence;
    Clock::time_point when;
    std::chrono::system_clock::time_point at;
    std::size_t count = 0;  // since start
  };
  Overflow overflow_;
  bool redis_unanswered_too_long(Clock::time_point now) const;
  io::CircuitBreaker::State breaker_ = io::CircuitBreaker::State::Closed;
  std::size_t gateway_backlog_ = 0;
  std::size_t gateway_dead_letters_ = 0;
  std::size_t campaigns_total_ = 0;
  std::size_t campaigns_quarantined_ = 0;
  std::map<std::string, std::string> quarantine_;
  std::optional<bool> durable_;
  std::string durability_why_ = "not checked yet";
  std::string intake_paused_;
  nlohmann::json long_advances_ = nlohmann::json::array();
  std::chrono::seconds refusal_window_;
  struct Refusal {
    std::string kind, message;
    Clock::time_point when;
    std::chrono::system_clock::time_point at;
    std::size_t count = 0;  // refusals seen since start
  };
  Refusal refusal_;
  std::shared_ptr<const OwnershipHealth> ownership_;  // none when not set
};

class StatusServer {
 public:
  using HealthProvider = std::function<nlohmann::json()>;

  // `port` 0 picks a free port (see port()). `metrics` must outlive the server.
  StatusServer(std::string bind, int port, HealthProvider health, const Registry& metrics);
  // Serves GET /ready from `ready` ({"ready": bool, ...}); before start().
  void set_readiness(HealthProvider ready);
  ~StatusServer();  // stop()
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds, starts the server thread and returns once it accepts connections.
  // Throws std::runtime_error naming bind:port when the port is taken or the
  // address is unusable.
  void start();
  // Stops accepting, finishes requests in flight and joins. Idempotent.
  void stop();
  // The bound port (the chosen one when constructed with 0); 0 before start().
  int port() const { return bound_port_; }

 private:
  struct Impl;
  std::string bind_;
  int port_;
  int bound_port_ = 0;
  HealthProvider health_;
  HealthProvider ready_;  // none: /ready is 404
  const Registry& metrics_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace hourglass::service
