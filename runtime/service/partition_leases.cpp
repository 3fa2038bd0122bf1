#include "runtime/service/partition_leases.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>

#include "io/stream_router.hpp"

namespace hourglass::service {

void LeaseEvents::attach(actors::registry_actor registry, bool resync) {
  std::lock_guard<std::mutex> lock(mutex_);
  registry_ = std::move(registry);
  resync_ = resync;
  // Taken between the first round and now: their intake may be waiting.
  for (std::uint32_t p : early_) caf::anon_send(registry_, actors::acquired_atom::value, p, resync_);
  early_.clear();
}

void LeaseEvents::acquired(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (registry_)
    caf::anon_send(registry_, actors::acquired_atom::value, partition, resync_);
  else
    early_.push_back(partition);
}

void LeaseEvents::hand_off(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (registry_) caf::anon_send(registry_, actors::handoff_atom::value, partition);
}

std::unique_ptr<io::LeaseKeeper> make_lease_keeper(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                   const std::string& instance_id, actors::Telemetry& telemetry,
                                                   std::shared_ptr<LeaseEvents> events,
                                                   std::shared_ptr<OwnershipHealth> health) {
  io::LeaseKeeperOptions o;
  o.endpoint = redis;
  o.instance_id = instance_id;
  o.partitions = static_cast<std::uint32_t>(config.partitions);
  o.ttl = config.lease_ttl;
  // One router of the stream input across instances (io/stream_router).
  const InputSelection input = parse_input(config.input);
  if (input.stream) o.single = io::router_lease_keys(config.stream_key);
  // A pub/sub subscription may hold what was published before an acquisition
  // (actors/service/registry_acquire): the registry opens the intake.
  o.intake_waits_after_first_round = input.channels || input.campaign_manager;
  io::LeaseKeeperCallbacks cb;
  // Acquisitions are logged one by one after the first round (which takes
  // every free partition: one line for all of them).
  auto first_round = std::make_shared<std::atomic<bool>>(true);
  auto last_owned = std::make_shared<std::atomic<std::size_t>>(SIZE_MAX);
  cb.on_acquired = [first_round, events, health, &telemetry](std::uint32_t p, std::uint64_t token) {
    if (first_round->load()) return;
    spdlog::info("leases: partition {} acquired, token {}", p, token);
    telemetry.partition_moved("acquired", 0.0);
    if (health) health->moved("acquired");
    if (events) events->acquired(p);
  };
  cb.on_hand_off = [events](std::uint32_t p) {
    spdlog::debug("leases: partition {} handed off: intake stopped, its sessions end", p);
    if (events) events->hand_off(p);
  };
  // One line per partition would bury the log at a stop (64 at once): each
  // at debug, and their number with the next change of the count held.
  auto handed = std::make_shared<std::atomic<std::size_t>>(0);
  cb.on_handed_over = [&telemetry, handed, health](std::uint32_t p, std::chrono::milliseconds took) {
    spdlog::debug("leases: partition {} handed over (released {} ms after its handoff was asked)", p, took.count());
    telemetry.partition_moved("handed_over", static_cast<double>(took.count()) / 1000.0);
    if (health) health->moved("handed_over");
    handed->fetch_add(1);
  };
  cb.on_lost = [](std::uint32_t p, const std::string& why) {
    spdlog::warn("leases: partition {} lost: {}", p, why);
  };
  cb.on_owned = [&telemetry, first_round, last_owned, handed, id = instance_id,
                 n = config.partitions](std::size_t owned) {
    telemetry.owned_partitions(owned);
    if (last_owned->exchange(owned) != owned) {
      const std::size_t moved = handed->exchange(0);
      if (moved > 0)
        spdlog::info("leases: instance {} holds {} of {} partitions ({} handed over)", id, owned, n, moved);
      else
        spdlog::info("leases: instance {} holds {} of {} partitions", id, owned, n);
    }
    first_round->store(false);
  };
  cb.on_round = [health, &telemetry](const io::LeaseRound& r) {
    telemetry.lease_round(r.answered, r.live_members, r.handing_off);
    if (health) health->round(r);
  };
  cb.on_error = [](const std::string& why) { spdlog::warn("leases: the lease round failed: {}", why); };
  return std::make_unique<io::LeaseKeeper>(std::move(o), std::move(cb));
}

}  // namespace hourglass::service
