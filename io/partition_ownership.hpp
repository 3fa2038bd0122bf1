// Which partitions this instance owns, and under which token: written by
// the lease keeper's thread (io/lease_keeper), read by the registry for
// every message it routes. Thread-safe.
//
// It is also where a graceful handoff (docs/operations.md, Several
// instances) passes between the two: the keeper marks a partition handed off
// (intake stops: token_of answers none, while token() still gives the token
// the keeper renews with); the registry ends the partition's sessions once
// each has committed what it was given and says so (sessions_ended); the
// keeper then releases the lease.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace hourglass::io {

class PartitionOwnership {
 public:
  // `count`: the partition count (at least 1, std::invalid_argument).
  explicit PartitionOwnership(std::uint32_t count);

  std::uint32_t count() const { return count_; }
  // The token this instance holds the campaign's partition under; nullopt
  // when another instance (or none) holds it, or while it is handed off (its
  // campaigns take no more messages here).
  std::optional<std::uint64_t> token_of(std::string_view campaign_id) const;
  std::optional<std::uint64_t> token(std::uint32_t partition) const;
  // The token for intake: none also while the partition is handed off.
  std::optional<std::uint64_t> intake_token(std::uint32_t partition) const;
  // The lease keeper's: `partition` is held under `token` (at least 1), or no longer.
  void set(std::uint32_t partition, std::uint64_t token);
  void drop(std::uint32_t partition);
  // How many partitions are held.
  std::size_t owned() const;

  // The keeper's: intake for `partition` stops (token_of answers none for
  // its campaigns); the lease is kept until sessions_ended. A no-op for a
  // partition not held.
  void hand_off(std::uint32_t partition);
  bool handing_off(std::uint32_t partition) const;
  // The registry's: every session of `partition` has ended (no-op unless it
  // is being handed off).
  void sessions_ended(std::uint32_t partition);
  // The keeper's: handed off and its sessions ended, ready to release.
  bool ready_to_release(std::uint32_t partition) const;
  // Partitions being handed off, their sessions not yet all ended.
  std::vector<std::uint32_t> handing_off() const;

 private:
  std::uint32_t count_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> tokens_;  // 0: not held
  enum class Handoff : std::uint8_t { none, ending_sessions, sessions_ended };
  std::vector<Handoff> handoff_;  // back to none when the partition is set or dropped
};

}  // namespace hourglass::io
