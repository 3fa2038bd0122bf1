// Which instances are alive on one Redis (docs/operations.md, Several
// instances): `hourglass:members`, a sorted set of instance ids scored by
// their last heartbeat in Redis' own clock (TIME, in the script: never a
// process's clock). A member whose heartbeat is older than the ttl is
// removed by the next heartbeat of anyone. The lease keeper heartbeats every
// round and aims for its share of the partitions: ceil(partitions / live
// members).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "io/redis_connection.hpp"

namespace hourglass::io {

inline constexpr const char* kMembersKey = "hourglass:members";

class Membership {
 public:
  // Uses (does not own) `redis`; `me` not empty; `ttl` at least 1 ms.
  Membership(RedisConnection& redis, std::string me, std::chrono::milliseconds ttl);
  // Records this instance's heartbeat, drops the members silent for a ttl,
  // and answers the members left (this one included), in Redis' order.
  std::vector<std::string> heartbeat();
  // Removes `member` (this one at its stop, or a previous life of it).
  void remove(const std::string& member);

 private:
  RedisConnection& redis_;
  std::string me_;
  std::string ttl_ms_;
  RedisScript heartbeat_;
  RedisScript remove_;
};

}  // namespace hourglass::io
