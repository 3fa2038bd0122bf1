#include "runtime/service/partition_leases.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>

namespace hourglass::service {

std::unique_ptr<io::LeaseKeeper> make_lease_keeper(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                   const std::string& instance_id, actors::Telemetry& telemetry) {
  io::LeaseKeeperOptions o;
  o.endpoint = redis;
  o.instance_id = instance_id;
  o.partitions = static_cast<std::uint32_t>(config.partitions);
  o.ttl = config.lease_ttl;
  io::LeaseKeeperCallbacks cb;
  // Acquisitions are logged one by one after the first round (which takes
  // every free partition: one line for all of them).
  auto first_round = std::make_shared<std::atomic<bool>>(true);
  auto last_owned = std::make_shared<std::atomic<std::size_t>>(SIZE_MAX);
  cb.on_acquired = [first_round](std::uint32_t p, std::uint64_t token) {
    if (!first_round->load()) spdlog::info("leases: partition {} acquired, token {}", p, token);
  };
  cb.on_lost = [](std::uint32_t p, const std::string& why) {
    spdlog::warn("leases: partition {} lost: {}", p, why);
  };
  cb.on_owned = [&telemetry, first_round, last_owned, id = instance_id, n = config.partitions](std::size_t owned) {
    telemetry.owned_partitions(owned);
    if (last_owned->exchange(owned) != owned)
      spdlog::info("leases: instance {} holds {} of {} partitions", id, owned, n);
    first_round->store(false);
  };
  cb.on_error = [](const std::string& why) { spdlog::warn("leases: the lease round failed: {}", why); };
  return std::make_unique<io::LeaseKeeper>(std::move(o), std::move(cb));
}

}  // namespace hourglass::service
