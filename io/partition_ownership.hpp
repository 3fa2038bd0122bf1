// Which partitions this instance owns, and under which token: written by
// the lease keeper's thread (io/lease_keeper), read by the registry for
// every message it routes. Thread-safe.
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
  // when another instance (or none) holds it.
  std::optional<std::uint64_t> token_of(std::string_view campaign_id) const;
  std::optional<std::uint64_t> token(std::uint32_t partition) const;
  // The lease keeper's: `partition` is held under `token` (at least 1), or no longer.
  void set(std::uint32_t partition, std::uint64_t token);
  void drop(std::uint32_t partition);
  // How many partitions are held.
  std::size_t owned() const;

 private:
  std::uint32_t count_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> tokens_;  // 0: not held
};

}  // namespace hourglass::io
