// What the benchmarks that run `hourglass serve` as a child process (recovery,
// passivation) read of it from outside: its keys in Redis (pipelined), its
// status server (/health, /metrics), its /proc/<pid>/status.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/redis_connection.hpp"
#include "sim/time.hpp"

namespace hourglass::bench {

using ProbeClock = std::chrono::steady_clock;

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

// The commands pipelined (one round trip), their replies in order.
std::vector<Reply> pipeline(io::RedisConnection& conn, const std::vector<std::vector<std::string>>& commands);

std::string outbox_key(const std::string& id);
std::string checkpoint_key(const std::string& id);

// campaign.currentWorldTime of a checkpoint text; none when there is none.
std::optional<sim::WorldTime> checkpoint_clock(const redisReply* r);
// The clock of one campaign's checkpoint (its first bytes, whole when the
// clock is not there); none when there is no checkpoint.
std::optional<sim::WorldTime> read_checkpoint_clock(io::RedisConnection& conn, const std::string& id);

// Of `ids`, those whose checkpoint's clock is not yet `time` (pipelined, in
// batches: the texts are large).
std::vector<std::string> not_at(io::RedisConnection& conn, const std::vector<std::string>& ids, sim::WorldTime time);

std::vector<std::size_t> outbox_lengths(io::RedisConnection& conn, const std::vector<std::string>& ids);

// GET `path` on the status server: the HTTP status (0 when nothing
// answers) and the body.
std::pair<int, std::string> http_get(int port, const std::string& path);
int health_status(int port);
// An unlabelled metric's value on /metrics; -1 when it cannot be read.
double metric_value(int port, const std::string& name);

// A field of /proc/<pid>/status ("VmRSS" -> "123456 kB"); "?" when absent.
std::string proc_status_field(int pid, const std::string& field);
// The same field's number of kB; -1 when absent.
long proc_status_kb(int pid, const std::string& field);

double seconds_since(ProbeClock::time_point t);

}  // namespace hourglass::bench
