// `hourglass serve`'s share of the partitions (docs/operations.md, Several
// instances): its lease keeper (io/lease_keeper) wired to the log and the
// metrics.
#pragma once

#include <memory>
#include <string>

#include "actors/service/telemetry.hpp"
#include "io/lease_keeper.hpp"
#include "runtime/service/config.hpp"

namespace hourglass::service {

// The keeper of `config`'s partitions, not started; its changes logged
// (the first round as one line) and counted in `telemetry`.
std::unique_ptr<io::LeaseKeeper> make_lease_keeper(const ServiceConfig& config, const io::RedisEndpoint& redis,
                                                   const std::string& instance_id, actors::Telemetry& telemetry);

}  // namespace hourglass::service
