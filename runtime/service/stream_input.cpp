#include "runtime/service/stream_input.hpp"

#include <spdlog/spdlog.h>


namespace hourglass::service {

std::vector<std::string> owned_partition_streams(const io::PartitionOwnership& owned, const std::string& ingress) {
  std::vector<std::string> streams;
  for (std::uint32_t p = 0; p < owned.count(); ++p)
    if (owned.intake_token(p)) streams.push_back(io::partition_stream_key(ingress, p));
  return streams;
}

std::unique_ptr<io::StreamRouter> make_stream_router(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                     const io::LeaseKeeper& keeper, actors::bridge_actor bridge,
                                                     actors::Telemetry& telemetry) {
  io::StreamRouterOptions o;
  o.endpoint = redis;
  o.ingress = config.stream_key;
  o.group = config.stream_group;
  o.consumer = config.stream_consumer;
  o.partitions = static_cast<std::uint32_t>(config.partitions);
  o.active = [&keeper] { return keeper.holds_single(); };
  io::StreamRouterCallbacks cb;
  cb.on_unroutable = [bridge, key = config.stream_key](const std::string& id, const std::string& channel,
                                                       const std::string& payload, const std::string& why) {
    // Logged by the bridge with its dead letter (limited: see bridge_actor.hpp).
    caf::anon_send(bridge, actors::dead_letter_atom::value, "stream entry " + id + " of " + key + ": " + why, channel,
                   payload);
  };
  cb.on_routing = [key = config.stream_key](std::size_t legacy) {
    if (legacy > 0)
      spdlog::info("stream router: routing {} to the partition streams; {} entries pending in the group of the "
                   "previous version routed first",
                   key, legacy);
    else
      spdlog::info("stream router: routing {} to the partition streams", key);
  };
  cb.on_backlog = [&telemetry](std::size_t entries) { telemetry.stream_router_backlog(entries); };
  // At most one a backoff step (1 s, doubling up to 60 s) while Redis is away.
  cb.on_error = [](const std::string& why) {
    spdlog::warn("stream router: {} (retried; nothing is lost: the entries wait in the stream)", why);
  };
  return std::make_unique<io::StreamRouter>(std::move(o), std::move(cb));
}

}  // namespace hourglass::service
