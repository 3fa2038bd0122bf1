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
//
// And where a partition taken over waits for the input to catch up: a
// pub/sub subscriber may still hold messages published before the
// acquisition, which the previous owner took (a subscriber that was frozen,
// or reads behind). The keeper sets such a partition with its intake
// waiting (token_of answers none, token() gives the token); the registry
// opens it once a marker published after the acquisition has come through
// the same subscription (actors/service/registry_acquire), so that only
// what was published after it is taken here.
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
  // The lease keeper's: `partition` is held under `token` (at least 1), or
  // no longer. `intake_waits`: its intake stays shut until open_intake.
  void set(std::uint32_t partition, std::uint64_t token, bool intake_waits = false);
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

  // Held, its intake shut until the registry opens it (see above).
  bool intake_waiting(std::uint32_t partition) const;
  // The registry's: the input has caught up with the acquisition. A no-op
  // for a partition not held.
  void open_intake(std::uint32_t partition);

 private:
  std::uint32_t count_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> tokens_;  // 0: not held
  enum class Handoff : std::uint8_t { none, ending_sessions, sessions_ended };
  std::vector<Handoff> handoff_;  // back to none when the partition is set or dropped
  std::vector<bool> intake_waits_;  // set with the partition, cleared by open_intake or drop
};

}  // namespace hourglass::io
