// The service's telemetry kept as Prometheus metrics (served on /metrics).
// Every metric family Hourglass exposes is named, described and labelled
// here and nowhere else; the actors speak to it through actors::Telemetry.
#pragma once

#include <string_view>

#include "actors/service/telemetry.hpp"
#include "runtime/service/metrics.hpp"

namespace hourglass::service {

class PrometheusTelemetry final : public actors::Telemetry {
 public:
  // `metrics` must outlive this object; every family is described up front.
  explicit PrometheusTelemetry(Registry& metrics);

  void message(std::string_view channel, std::string_view outcome) override;
  void advance_latency(double seconds) override;
  void computed(std::uint64_t firings, std::uint64_t records) override;
  void restart(std::string_view actor) override;
  void campaigns(std::size_t known) override;
  void dead_letter(std::string_view queue) override;
  void dead_letters_trimmed(std::string_view queue, std::size_t entries) override;
  void gateway_call(std::string_view outcome) override;
  void gateway_retry() override;
  void gateway_backlog(std::size_t queued) override;
  void breaker(io::CircuitBreaker::State state) override;
  void api_refusal(std::string_view kind) override;
  void checkpoint_committed(std::size_t bytes, double seconds) override;
  void checkpoint_failed() override;
  void outbox_backlog(std::size_t entries) override;
  void passivated() override;
  void transient_wait() override;
  void quarantined() override;
  void pubsub_overflow() override;
  void records_unpublished(std::uint64_t records) override;
  void ownership_refused(std::string_view at) override;
  void owned_partitions(std::size_t owned) override;
  void stream_router_backlog(std::size_t entries) override;
  void fenced() override;
  void partition_moved(std::string_view how, double seconds) override;
  void lease_round(bool answered, std::size_t live_members, std::size_t handing_off) override;

  // The fence refusals counted so far (for /health's ownership component).
  std::uint64_t fenced_refusals() const;

  // Not an actor's: the runtime reloads rules on SIGHUP ("applied", "refused").
  void rules_reload(std::string_view outcome);
  // Not an actor's: the advances running for more than a few seconds, and
  // how much of its advance the least advanced of them has done (0..1; 1 when none).
  void long_advances(std::size_t running, double least_done);

 private:
  Registry& metrics_;
};

}  // namespace hourglass::service
