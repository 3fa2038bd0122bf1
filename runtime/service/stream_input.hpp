// `hourglass serve`'s stream input across instances (docs/operations.md, The
// stream input): the router (io/stream_router) that moves the ingress
// stream's entries to the partition streams while this instance holds the
// router lease, and which partition streams this instance reads (those of
// the partitions it owns).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/service/bridge_actor.hpp"
#include "actors/service/telemetry.hpp"
#include "io/lease_keeper.hpp"
#include "io/partition_ownership.hpp"
#include "io/stream_router.hpp"
#include "runtime/service/config.hpp"

namespace hourglass::service {

// The streams of the partitions `owned` takes intake for (not while one is
// handed off: its entries are left to the next owner).
std::vector<std::string> owned_partition_streams(const io::PartitionOwnership& owned, const std::string& ingress);

// The router of `config`'s ingress stream, not started: it routes while
// `keeper` holds the router lease (LeaseKeeperOptions::single); what it
// cannot route is dead-lettered through `bridge` (which logs it, limited),
// its backlog goes to `telemetry`, and its troubles are logged.
std::unique_ptr<io::StreamRouter> make_stream_router(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                     const io::LeaseKeeper& keeper, actors::bridge_actor bridge,
                                                     actors::Telemetry& telemetry);

}  // namespace hourglass::service
