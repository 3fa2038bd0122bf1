#include "io/membership.hpp"

#include <stdexcept>

namespace hourglass::io {
namespace {

// KEYS[1] the members; ARGV[1] me, ARGV[2] ttl ms. Scores are Redis' TIME
// in ms.
const char* const kHeartbeat = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
return redis.call('ZRANGE', KEYS[1], 0, -1)
)lua";

const char* const kRemove = "return redis.call('ZREM', KEYS[1], ARGV[1])";

}  // namespace

Membership::Membership(RedisConnection& redis, std::string me, std::chrono::milliseconds ttl)
    : redis_(redis),
      me_(std::move(me)),
      ttl_ms_(std::to_string(ttl.count())),
      heartbeat_(kHeartbeat),
      remove_(kRemove) {
  if (me_.empty()) throw std::invalid_argument("membership: empty instance id");
  if (ttl.count() < 1) throw std::invalid_argument("membership: the ttl must be at least 1 ms");
}

std::vector<std::string> Membership::heartbeat() {
  const RedisReply r = redis_.eval_script(heartbeat_, {kMembersKey}, {me_, ttl_ms_});
  std::vector<std::string> members;
  for (const RedisReply& m : r.elements) members.push_back(m.text);
  return members;
}

void Membership::remove(const std::string& member) { redis_.eval_script(remove_, {kMembersKey}, {member}); }

}  // namespace hourglass::io
