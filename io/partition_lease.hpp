// A partition's lease in Redis: which instance owns the partition, under
// which fencing token (docs/operations.md, "Several instances").
//
// Keys (both tagged {<p>}, so one slot: the scripts run on Redis Cluster):
//   hourglass:partition:{<p>}:lease  hash {owner, token}, with a PX expiry:
//                                    Redis' clock decides when it lapses,
//                                    never the holder's
//   hourglass:partition:{<p>}:fence  the partition's token counter: INCR at
//                                    each acquisition, no expiry, never
//                                    goes down
// A lease without a token is not a lock: a holder paused past its expiry
// (GC, SIGSTOP, a slow disk) wakes up believing it still owns the
// partition. The token is what makes that harmless: each campaign's fence
// (io/checkpoint_store: claim, and the commit's fence check) refuses the
// writes of any token lower than the last one that claimed it.
//
// Each operation is one Lua script, one round trip, atomic. Not thread-safe
// (the connection is not): one PartitionLeases per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "io/redis_connection.hpp"

namespace hourglass::io {

std::string partition_lease_key(std::uint32_t partition);
std::string partition_fence_key(std::uint32_t partition);

// A lease of the same kind that is not a partition's (the stream input's
// router lease: one router at a time across instances): its two keys, in
// one slot, and its name for errors.
struct LeaseKeys {
  std::string lease;
  std::string fence;
  std::string name;
};

// What acquire answered: held with its token, or the holder's instance id.
struct LeaseAnswer {
  bool held = false;
  std::uint64_t token = 0;  // when held
  std::string holder;       // when not held: who holds it
};

class PartitionLeases {
 public:
  // Uses (does not own) `redis`. `owner`: this instance's id (not empty, as
  // the holder's name in the lease); `ttl`: each lease's expiry, set again
  // at every renewal (at least 1 ms).
  PartitionLeases(RedisConnection& redis, std::string owner, std::chrono::milliseconds ttl);

  // Free or expired: a new token (INCR of the fence counter) and the lease
  // is ours. Ours already: renewed, same token. Another's: not held, its
  // holder named.
  LeaseAnswer acquire(std::uint32_t partition);
  // As acquire, and a lease `gone` holds (a holder known dead:
  // io::previous_life) is taken too, with a new token.
  LeaseAnswer take_over(std::uint32_t partition, const std::string& gone);
  // Extends the lease only when it is still ours under `token`; false when
  // it is lost (expired, taken by another, or re-acquired under another token).
  bool renew(std::uint32_t partition, std::uint64_t token);
  // Deletes the lease only when it is ours under `token` (the counter stays);
  // false when it was not.
  bool release(std::uint32_t partition, std::uint64_t token);

  // The same four, for a lease that is not a partition's.
  LeaseAnswer acquire(const LeaseKeys& keys);
  LeaseAnswer take_over(const LeaseKeys& keys, const std::string& gone);
  bool renew(const LeaseKeys& keys, std::uint64_t token);
  bool release(const LeaseKeys& keys, std::uint64_t token);

  const std::string& owner() const { return owner_; }

 private:
  // An acquire or take-over script's {held, token or holder}.
  static LeaseAnswer answer(const RedisReply& r, const std::string& name);

  RedisConnection& redis_;
  std::string owner_;
  std::string ttl_ms_;
  RedisScript acquire_;
  RedisScript renew_;
  RedisScript release_;
};

}  // namespace hourglass::io
