#include "io/partitions.hpp"

namespace hourglass::io {

std::uint32_t partition_of(std::string_view campaign_id, std::uint32_t count) {
  if (count == 0) throw std::invalid_argument("partition_of: the partition count must be at least 1");
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : campaign_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::uint32_t>(hash % count);
}

void check_partition_count(RedisConnection& redis, std::uint32_t count) {
  // SET NX and the read in one script: the answer is the count that won,
  // ours or the one stored before.
  static const std::string source =
      "redis.call('SET', KEYS[1], ARGV[1], 'NX')\n"
      "return redis.call('GET', KEYS[1])\n";
  RedisScript script(source);
  const std::string mine = std::to_string(count);
  const RedisReply stored = redis.eval_script(script, {kPartitionCountKey}, {mine});
  if (stored.type == RedisReply::Type::String && stored.text == mine) return;
  const std::string shown = stored.type == RedisReply::Type::String ? "'" + stored.text + "'" : "no value";
  throw PartitionCountMismatch(std::string("partition count: configured ") + mine + " (HOURGLASS_PARTITIONS), but " +
                               kPartitionCountKey + " in Redis holds " + shown +
                               "; every instance must use the stored count, and changing it is an offline migration "
                               "(docs/operations.md, Several instances)");
}

}  // namespace hourglass::io
