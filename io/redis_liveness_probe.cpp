#include "io/redis_liveness_probe.hpp"

#include <stdexcept>

#include "io/redis_link.hpp"

namespace hourglass::io {
namespace {

using Clock = std::chrono::steady_clock;

RedisPing probe_once(RedisLink& link, std::chrono::milliseconds deadline) {
  const auto start = Clock::now();
  RedisPing p;
  try {
    RedisConnection& conn = link.get();
    p.answered = conn.ping();
    if (!p.answered)
      p.error = "no PONG within " + std::to_string(deadline.count()) + " ms" +
                (conn.broken() ? ": " + conn.error() : std::string(": unexpected reply"));
  } catch (const RedisError& e) {  // cannot connect
    p.error = e.what();
  }
  p.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return p;
}

}  // namespace

RedisLivenessProbe::RedisLivenessProbe(RedisLivenessProbeOptions options,
                                       std::function<void(const RedisPing&)> on_result)
    : options_(std::move(options)), on_result_(std::move(on_result)) {
  if (options_.interval.count() < 1 || options_.deadline.count() < 1)
    throw std::invalid_argument("RedisLivenessProbe: interval and deadline must be >= 1 ms");
}

void RedisLivenessProbe::run() {
  // The deadline is the connection's timeout: it bounds the connect and each
  // read/write, so a PING to a frozen Redis fails after it (and breaks the
  // connection, which the next probe opens again).
  RedisLink link(options_.endpoint, options_.deadline);
  auto next = Clock::now();
  while (!thread_.stopping()) {
    const RedisPing p = probe_once(link, options_.deadline);
    if (on_result_) on_result_(p);
    next += options_.interval;
    if (next < Clock::now()) next = Clock::now();  // a slow probe does not make the next ones hurry
    if (thread_.wait_until(next)) return;
  }
}

}  // namespace hourglass::io
