// `hourglass serve`'s share of the partitions (docs/operations.md, Several
// instances): its lease keeper (io/lease_keeper) wired to the log and the
// metrics.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/service/registry_actor.hpp"
#include "actors/service/telemetry.hpp"
#include "io/lease_keeper.hpp"
#include "runtime/service/config.hpp"
#include "runtime/service/ownership_health.hpp"

namespace hourglass::service {

// Where the keeper's moves go once the registry runs (the keeper starts
// before it: what its first round acquires is covered by the start-up
// recovery and resume). Thread-safe: the keeper calls it from its thread.
class LeaseEvents {
 public:
  // `resync`: a taken-over partition's campaigns are resynced (a lossy
  // input: resync_policy's resume_at_start).
  void attach(actors::registry_actor registry, bool resync);
  // A partition acquired after the start: its outboxes sent, resynced.
  void acquired(std::uint32_t partition);
  // A partition handed off: the registry ends its sessions.
  void hand_off(std::uint32_t partition);

 private:
  std::mutex mutex_;
  actors::registry_actor registry_;  // none until attached
  bool resync_ = false;
  std::vector<std::uint32_t> early_;  // acquired before the registry was attached
};

// The keeper of `config`'s partitions, not started; its changes logged
// (the first round as one line), counted in `telemetry`, with `events`
// passed on to the registry, and with `health` shown in /health and /ready.
std::unique_ptr<io::LeaseKeeper> make_lease_keeper(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                   const std::string& instance_id, actors::Telemetry& telemetry,
                                                   std::shared_ptr<LeaseEvents> events = nullptr,
                                                   std::shared_ptr<OwnershipHealth> health = nullptr);

}  // namespace hourglass::service
