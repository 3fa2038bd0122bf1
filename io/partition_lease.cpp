#include "io/partition_lease.hpp"

#include <stdexcept>

namespace hourglass::io {
namespace {

// KEYS[1] lease, KEYS[2] fence counter; ARGV[1] owner, ARGV[2] ttl ms,
// ARGV[3] a holder known gone whose lease may be taken (empty: none).
// Answers {1, token} when held (new or renewed), {0, holder} otherwise.
const char* const kAcquire = R"lua(
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, redis.call('HGET', KEYS[1], 'token')}
end
if owner and owner ~= ARGV[3] then return {0, owner} end
local token = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, tostring(token)}
)lua";

// KEYS[1] lease; ARGV[1] owner, ARGV[2] token, ARGV[3] ttl ms (renew only).
// 1 when the lease is the owner's under that token (and extended), else 0.
const char* const kRenew = R"lua(
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

const char* const kRelease = R"lua(
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
)lua";

std::uint64_t token_of(const RedisReply& r, const std::string& name) {
  try {
    std::size_t used = 0;
    const std::uint64_t t = std::stoull(r.text, &used);
    if (used == r.text.size() && t > 0) return t;
  } catch (const std::exception&) {
  }
  throw std::runtime_error(name + ": its lease holds token '" + r.text +
                           "', not a positive integer");
}

}  // namespace

std::string partition_lease_key(std::uint32_t partition) {
  return "hourglass:partition:{" + std::to_string(partition) + "}:lease";
}
std::string partition_fence_key(std::uint32_t partition) {
  return "hourglass:partition:{" + std::to_string(partition) + "}:fence";
}

namespace {
std::string partition_name(std::uint32_t partition) { return "partition " + std::to_string(partition); }
}  // namespace

PartitionLeases::PartitionLeases(RedisConnection& redis, std::string owner, std::chrono::milliseconds ttl)
    : redis_(redis),
      owner_(std::move(owner)),
      ttl_ms_(std::to_string(ttl.count())),
      acquire_(kAcquire),
      renew_(kRenew),
      release_(kRelease) {
  if (owner_.empty()) throw std::invalid_argument("partition leases: empty owner id");
  if (ttl.count() < 1) throw std::invalid_argument("partition leases: the ttl must be at least 1 ms");
}

LeaseAnswer PartitionLeases::acquire(std::uint32_t partition) {
  const std::string lease = partition_lease_key(partition);
  const std::string fence = partition_fence_key(partition);
  return answer(redis_.eval_script(acquire_, {lease, fence}, {owner_, ttl_ms_, ""}), partition_name(partition));
}

LeaseAnswer PartitionLeases::acquire(const LeaseKeys& keys) {
  return answer(redis_.eval_script(acquire_, {keys.lease, keys.fence}, {owner_, ttl_ms_, ""}), keys.name);
}

LeaseAnswer PartitionLeases::take_over(const LeaseKeys& keys, const std::string& gone) {
  if (gone.empty()) throw std::invalid_argument("partition leases: take_over needs the holder that is gone");
  return answer(redis_.eval_script(acquire_, {keys.lease, keys.fence}, {owner_, ttl_ms_, gone}), keys.name);
}

bool PartitionLeases::renew(const LeaseKeys& keys, std::uint64_t token) {
  const std::string t = std::to_string(token);
  return redis_.eval_script(renew_, {keys.lease}, {owner_, t, ttl_ms_}).integer == 1;
}

bool PartitionLeases::release(const LeaseKeys& keys, std::uint64_t token) {
  const std::string t = std::to_string(token);
  return redis_.eval_script(release_, {keys.lease}, {owner_, t}).integer == 1;
}

LeaseAnswer PartitionLeases::take_over(std::uint32_t partition, const std::string& gone) {
  const std::string lease = partition_lease_key(partition);
  const std::string fence = partition_fence_key(partition);
  if (gone.empty()) throw std::invalid_argument("partition leases: take_over needs the holder that is gone");
  return answer(redis_.eval_script(acquire_, {lease, fence}, {owner_, ttl_ms_, gone}), partition_name(partition));
}

LeaseAnswer PartitionLeases::answer(const RedisReply& r, const std::string& name) {
  if (r.type != RedisReply::Type::Array || r.elements.size() != 2 || r.elements[0].type != RedisReply::Type::Integer)
    throw std::runtime_error(name + ": the acquire script answered no {held, token}");
  LeaseAnswer a;
  a.held = r.elements[0].integer == 1;
  if (a.held)
    a.token = token_of(r.elements[1], name);
  else
    a.holder = r.elements[1].text;
  return a;
}

bool PartitionLeases::renew(std::uint32_t partition, std::uint64_t token) {
  return renew(LeaseKeys{partition_lease_key(partition), partition_fence_key(partition), partition_name(partition)},
               token);
}

bool PartitionLeases::release(std::uint32_t partition, std::uint64_t token) {
  return release(LeaseKeys{partition_lease_key(partition), partition_fence_key(partition), partition_name(partition)},
                 token);
}

}  // namespace hourglass::io
