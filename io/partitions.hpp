// Campaigns are grouped into a fixed number of partitions, the unit of
// ownership when several `hourglass serve` share one Redis (docs/operations.md,
// "Several instances"): an instance owns a partition through a lease
// (io/partition_lease) and handles only the campaigns that map to it.
//
// The mapping must be the same in every process and every version, forever:
// partition_of is FNV-1a 64 of the id's bytes, mod the count. The count is
// therefore fixed too: the first process to start stores it in Redis
// (`SET hourglass:partitions <n> NX`) and every later one must be configured
// with the same (check_partition_count); changing it is an offline migration.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "io/redis_connection.hpp"

namespace hourglass::io {

inline constexpr const char* kPartitionCountKey = "hourglass:partitions";
// HOURGLASS_PARTITIONS' bounds: a lease per partition is renewed every ttl/3.
inline constexpr std::uint32_t kMaxPartitions = 4096;

// FNV-1a 64 of the id's bytes (offset basis 14695981039346656037, prime
// 1099511628211), mod `count`. `count` must be at least 1 (std::invalid_argument).
std::uint32_t partition_of(std::string_view campaign_id, std::uint32_t count);

// The count stored in Redis differs from the configured one.
class PartitionCountMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Stores `count` as the partition count when Redis has none (SET NX, one
// round trip, atomic against another process doing the same), and checks it
// against the stored one otherwise. Throws PartitionCountMismatch naming both
// counts (and a stored value that is not a count), RedisError on I/O.
void check_partition_count(RedisConnection& redis, std::uint32_t count);

}  // namespace hourglass::io
