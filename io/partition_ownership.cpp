#include "io/partition_ownership.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "io/partitions.hpp"

namespace hourglass::io {

PartitionOwnership::PartitionOwnership(std::uint32_t count)
    : count_(count), tokens_(count, 0), handoff_(count, Handoff::none), intake_waits_(count, false) {
  if (count == 0) throw std::invalid_argument("partition ownership: the partition count must be at least 1");
}

std::optional<std::uint64_t> PartitionOwnership::token_of(std::string_view campaign_id) const {
  return intake_token(partition_of(campaign_id, count_));
}

std::optional<std::uint64_t> PartitionOwnership::token(std::uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition >= count_ || tokens_[partition] == 0) return std::nullopt;
  return tokens_[partition];
}

std::optional<std::uint64_t> PartitionOwnership::intake_token(std::uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition >= count_ || tokens_[partition] == 0 || handoff_[partition] != Handoff::none ||
      intake_waits_[partition])
    return std::nullopt;
  return tokens_[partition];
}

void PartitionOwnership::set(std::uint32_t partition, std::uint64_t token, bool intake_waits) {
  if (partition >= count_ || token == 0)
    throw std::invalid_argument("partition ownership: partition " + std::to_string(partition) + " of " +
                                std::to_string(count_) + ", token " + std::to_string(token));
  std::lock_guard<std::mutex> lock(mutex_);
  tokens_[partition] = token;
  handoff_[partition] = Handoff::none;
  intake_waits_[partition] = intake_waits;
}

void PartitionOwnership::drop(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition >= count_) return;
  tokens_[partition] = 0;
  handoff_[partition] = Handoff::none;
  intake_waits_[partition] = false;
}

std::size_t PartitionOwnership::owned() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto held = std::count_if(tokens_.begin(), tokens_.end(), [](std::uint64_t t) { return t != 0; });
  return static_cast<std::size_t>(held);
}

void PartitionOwnership::hand_off(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition < count_ && tokens_[partition] != 0 && handoff_[partition] == Handoff::none)
    handoff_[partition] = Handoff::ending_sessions;
}

bool PartitionOwnership::handing_off(std::uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return partition < count_ && handoff_[partition] != Handoff::none;
}

void PartitionOwnership::sessions_ended(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition < count_ && handoff_[partition] == Handoff::ending_sessions)
    handoff_[partition] = Handoff::sessions_ended;
}

bool PartitionOwnership::ready_to_release(std::uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return partition < count_ && handoff_[partition] == Handoff::sessions_ended;
}

std::vector<std::uint32_t> PartitionOwnership::handing_off() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::uint32_t> out;
  for (std::uint32_t p = 0; p < count_; ++p)
    if (handoff_[p] == Handoff::ending_sessions) out.push_back(p);
  return out;
}

bool PartitionOwnership::intake_waiting(std::uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return partition < count_ && tokens_[partition] != 0 && intake_waits_[partition];
}

void PartitionOwnership::open_intake(std::uint32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (partition < count_) intake_waits_[partition] = false;
}

}  // namespace hourglass::io
