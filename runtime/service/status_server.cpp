// httplib.h's option macros (Debian builds cpp-httplib with OpenSSL, zlib
// and brotli; every includer must agree) come from CMake: PkgConfig::HTTPLIB.
#include <httplib.h>

#include "runtime/service/status_server.hpp"

#include "sim/time.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/socket.h>

namespace hourglass::service {

const char* to_string(HealthStatus s) {
  switch (s) {
    case HealthStatus::healthy: return "healthy";
    case HealthStatus::degraded: return "degraded";
    default: return "unhealthy";
  }
}

// ---- HealthState ------------------------------------------------------------

HealthState::HealthState(std::chrono::seconds redis_grace, Clock::time_point now,
                         std::chrono::seconds refusal_window)
    : redis_grace_(redis_grace), redis_down_since_(now), refusal_window_(refusal_window) {}

void HealthState::set_redis_connected(bool connected, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (redis_connected_ && !connected) redis_down_since_ = now;  // the outage starts now
  redis_connected_ = connected;
}

void HealthState::set_redis_ping(bool answered, std::string error, std::chrono::milliseconds took,
                                 Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (answered || !ping_.probed) ping_.answered_at = now;  // unanswered time counts from the last PONG
  ping_.probed = true;
  ping_.answered = answered;
  ping_.took = took;
  if (!answered) ping_.error = std::move(error);
}

void HealthState::set_pubsub_overflow(std::string evidence, Clock::time_point now,
                                      std::chrono::system_clock::time_point at) {
  std::lock_guard<std::mutex> lock(mutex_);
  overflow_.evidence = std::move(evidence);
  overflow_.when = now;
  overflow_.at = at;
  ++overflow_.count;
}

bool HealthState::redis_unanswered_too_long(Clock::time_point now) const {
  return ping_.probed && !ping_.answered && now - ping_.answered_at > kRedisUnansweredLimit;
}

void HealthState::set_api_breaker(io::CircuitBreaker::State state) {
  std::lock_guard<std::mutex> lock(mutex_);
  breaker_ = state;
}

void HealthState::set_gateway(std::size_t backlog, std::size_t dead_letters) {
  std::lock_guard<std::mutex> lock(mutex_);
  gateway_backlog_ = backlog;
  gateway_dead_letters_ = dead_letters;
}

void HealthState::set_campaigns(std::size_t total, std::size_t quarantined, std::map<std::string, std::string> quarantine) {
  std::lock_guard<std::mutex> lock(mutex_);
  campaigns_total_ = total;
  campaigns_quarantined_ = quarantined;
  quarantine_ = std::move(quarantine);
}

void HealthState::set_api_refusal(std::string kind, std::string message, Clock::time_point now,
                                  std::chrono::system_clock::time_point at) {
  std::lock_guard<std::mutex> lock(mutex_);
  refusal_.kind = std::move(kind);
  refusal_.message = std::move(message);
  refusal_.when = now;
  refusal_.at = at;
  ++refusal_.count;
}

namespace {

bool recent(std::size_t count, HealthState::Clock::time_point when, HealthState::Clock::time_point now,
            std::chrono::seconds window) {
  return count > 0 && now - when <= window;
}

double seconds_between(HealthState::Clock::time_point from, HealthState::Clock::time_point to) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count()) / 1000.0;
}

std::string iso_wall_time(std::chrono::system_clock::time_point at) {
  return sim::format_world_time(std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
}

}  // namespace

HealthStatus HealthState::status_locked(Clock::time_point now) const {
  const bool redis_down_too_long = !redis_connected_ && now - redis_down_since_ > redis_grace_;
  if (redis_down_too_long || redis_unanswered_too_long(now) || breaker_ == io::CircuitBreaker::State::Open)
    return HealthStatus::unhealthy;
  if (campaigns_quarantined_ > 0 || gateway_dead_letters_ > 0 || durable_ == false || !intake_paused_.empty() ||
      recent(refusal_.count, refusal_.when, now, refusal_window_) ||
      recent(overflow_.count, overflow_.when, now, kOverflowWindow) ||
      (ownership_ && ownership_->renewals_failing()))
    return HealthStatus::degraded;
  return HealthStatus::healthy;
}

HealthStatus HealthState::status(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_locked(now);
}

nlohmann::json HealthState::to_json(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  using nlohmann::json;
  json redis{{"connected", redis_connected_}};
  if (redis_connected_) {
    redis["status"] = "ok";
  } else {
    const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - redis_down_since_);
    redis["down_for_s"] = static_cast<double>(down.count()) / 1000.0;
    redis["status"] = down > redis_grace_ ? "down" : "degraded";
  }
  redis["grace_s"] = redis_grace_.count();
  if (ping_.probed) {
    json ping{{"answered", ping_.answered}, {"took_ms", ping_.took.count()},
              {"unanswered_limit_s", kRedisUnansweredLimit.count()}};
    if (!ping_.answered) {
      ping["unanswered_for_s"] = seconds_between(ping_.answered_at, now);
      ping["error"] = ping_.error;
      if (redis["status"] == "ok") redis["status"] = "degraded";
    }
    if (redis_unanswered_too_long(now)) {
      redis["status"] = "down";
      const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - ping_.answered_at);
      redis["why"] = "Redis has not answered a PING for " + std::to_string(silent.count()) + " s (limit " +
                     std::to_string(kRedisUnansweredLimit.count()) + " s): " + ping_.error;
    }
    redis["ping"] = std::move(ping);
  }
  json overflows{{"count", overflow_.count}};
  if (overflow_.count > 0) {
    overflows["last"] = {{"at", iso_wall_time(overflow_.at)},
                         {"age_s", seconds_between(overflow_.when, now)},
                         {"evidence", overflow_.evidence},
                         {"degrades_for_s", std::chrono::duration_cast<std::chrono::seconds>(kOverflowWindow).count()}};
    if (recent(overflow_.count, overflow_.when, now, kOverflowWindow) && redis["status"] == "ok")
      redis["status"] = "degraded";
  }
  redis["pubsub_overflows"] = std::move(overflows);
  using Breaker = io::CircuitBreaker::State;
  const bool refused_lately = recent(refusal_.count, refusal_.when, now, refusal_window_);
  const char* api_status = breaker_ == Breaker::Open                         ? "down"
                           : breaker_ == Breaker::HalfOpen || refused_lately ? "degraded"
                                                                             : "ok";
  json api{{"status", api_status}, {"breaker", io::to_string(breaker_)}, {"refusals", refusal_.count}};
  if (refusal_.count > 0) {
    api["last_refusal"] = {
        {"kind", refusal_.kind},
        {"message", refusal_.message},
        {"at", iso_wall_time(refusal_.at)},
        {"age_s", seconds_between(refusal_.when, now)},
        {"degrades_for_s", refusal_window_.count()}};
  }
  json out{
      {"status", to_string(status_locked(now))},
      {"components",
       {{"redis", redis},
        {"api", api},
        {"gateway",
         {{"status", gateway_dead_letters_ > 0 ? "degraded" : "ok"},
          {"backlog", gateway_backlog_},
          {"dead_letters", gateway_dead_letters_}}},
        {"campaigns",
         {{"status", campaigns_quarantined_ > 0 ? "degraded" : "ok"},
          {"total", campaigns_total_},
          {"quarantined", campaigns_quarantined_},
          {"quarantine", quarantine_}}},
        {"durability",
         {{"status", durable_ == false ? "degraded" : "ok"},
          {"durable", durable_ ? json(*durable_) : json(nullptr)},
          {"why", durability_why_}}},
        {"intake",
         {{"status", intake_paused_.empty() ? "ok" : "degraded"},
          {"paused", !intake_paused_.empty()},
          {"why", intake_paused_}}},
        {"advances", {{"status", "ok"}, {"running", long_advances_}}}}}};
  if (ownership_) out["components"]["ownership"] = ownership_->to_json(now);
  return out;
}

void HealthState::set_ownership(std::shared_ptr<const OwnershipHealth> ownership) {
  std::lock_guard<std::mutex> lock(mutex_);
  ownership_ = std::move(ownership);
}

void HealthState::set_persistence(bool durable, std::string why) {
  std::lock_guard<std::mutex> lock(mutex_);
  durable_ = durable;
  durability_why_ = std::move(why);
}

void HealthState::set_long_advances(nlohmann::json running) {
  std::lock_guard<std::mutex> lock(mutex_);
  long_advances_ = std::move(running);
}

void HealthState::set_intake_paused(std::string why) {
  std::lock_guard<std::mutex> lock(mutex_);
  intake_paused_ = std::move(why);
}

// ---- StatusServer -----------------------------------------------------------

namespace {

// `provider`'s JSON, 200 when `ok(body)`, else 503; a provider that throws
// answers `failed(what)`, 503.
template <class Ok, class Failed>
void answer_json(httplib::Response& res, const StatusServer::HealthProvider& provider, Ok ok, Failed failed) {
  nlohmann::json body;
  int code = 503;
  try {
    body = provider();
    if (ok(body)) code = 200;
  } catch (const std::exception& e) {
    body = failed(e.what());
  }
  res.status = code;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

}  // namespace

struct StatusServer::Impl {
  httplib::Server server;
  std::atomic<bool> finished{false};
};

StatusServer::StatusServer(std::string bind, int port, HealthProvider health, const Registry& metrics)
    : bind_(std::move(bind)), port_(port), health_(std::move(health)), metrics_(metrics) {}

StatusServer::~StatusServer() { stop(); }

void StatusServer::set_readiness(HealthProvider ready) {
  if (impl_) throw std::logic_error("StatusServer::set_readiness after start");
  ready_ = std::move(ready);
}

void StatusServer::start() {
  if (impl_) throw std::logic_error("StatusServer::start called twice");
  auto impl = std::make_unique<Impl>();
  httplib::Server& svr = impl->server;

  // httplib's default sets SO_REUSEPORT, which lets a second process bind a
  // port that is already serving; SO_REUSEADDR only allows rebinding over
  // TIME_WAIT, so a taken port fails as it should.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
  svr.set_keep_alive_timeout(2);

  svr.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    answer_json(res, health_, [](const nlohmann::json& body) {
      const auto it = body.find("status");
      return it != body.end() && it->is_string() && (*it == "healthy" || *it == "degraded");
    }, [](const std::string& error) {
      return nlohmann::json{{"status", "unhealthy"}, {"error", "health provider failed: " + error}};
    });
  });
  if (ready_) {
    svr.Get("/ready", [this](const httplib::Request&, httplib::Response& res) {
      answer_json(res, ready_, [](const nlohmann::json& body) {
        const auto it = body.find("ready");
        return it != body.end() && *it == true;
      }, [](const std::string& error) {
        return nlohmann::json{{"ready", false}, {"why", "readiness provider failed: " + error}};
      });
    });
  }
  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(metrics_.render(), "text/plain; version=0.0.4");
  });
  // Anything else: httplib answers 404 for unknown paths and methods.

  errno = 0;
  int bound = -1;
  if (port_ == 0) {
    bound = svr.bind_to_any_port(bind_);
  } else if (svr.bind_to_port(bind_, port_)) {
    bound = port_;
  }
  if (bound <= 0) {
    const int err = errno;
    throw std::runtime_error("status server: cannot listen on " + bind_ + ":" + std::to_string(port_) +
                             (err != 0 ? std::string(": ") + std::strerror(err)
                                       : std::string(": address unusable or port in use")));
  }

  Impl* raw = impl.get();
  impl_ = std::move(impl);
  bound_port_ = bound;
  thread_ = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->finished = true;
  });
  // The socket already listens (bind_to_port binds and listens), so clients
  // can connect; wait for the accept loop too, so that stop() (which does
  // nothing before the loop runs) cannot be lost.
  while (!raw->server.is_running() && !raw->finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (raw->finished) {
    stop();
    throw std::runtime_error("status server: accept loop on " + bind_ + ":" + std::to_string(bound) +
                             " ended at once");
  }
}

void StatusServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
  impl_.reset();
  bound_port_ = 0;
}

}  // namespace hourglass::service
