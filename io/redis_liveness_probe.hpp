// Is Redis answering? A thread of its own PINGs Redis every `interval` on its
// own connection (opened again when broken), the connect and the PING each
// bounded by `deadline`, and hands each result to a callback. A frozen Redis
// (SIGSTOPped, swapping, stuck in a long command) keeps its TCP connections
// open, so a link that merely looks connected says nothing; an unanswered
// PING does. Whoever reports health reads the last result: nothing waits on
// Redis to answer a health request.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "io/redis_url.hpp"
#include "io/stoppable_thread.hpp"

namespace hourglass::io {

struct RedisPing {
  bool answered = false;           // PONG within the deadline
  std::chrono::milliseconds took{0};  // from the start of the probe (connect included)
  std::string error;               // why not, when not answered
};

struct RedisLivenessProbeOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds interval{1000};  // between the starts of two probes
  std::chrono::milliseconds deadline{1000};  // bounds the connect, and the PING's reply
};

class RedisLivenessProbe {
 public:
  // `on_result` runs on the probe's thread after every probe; it must be
  // cheap and must not throw. Validates the options (std::invalid_argument).
  RedisLivenessProbe(RedisLivenessProbeOptions options, std::function<void(const RedisPing&)> on_result);
  RedisLivenessProbe(const RedisLivenessProbe&) = delete;
  RedisLivenessProbe& operator=(const RedisLivenessProbe&) = delete;
  ~RedisLivenessProbe() { stop(); }

  void start() {  // throws std::logic_error when started twice
    thread_.start([this] { run(); }, "RedisLivenessProbe");
  }
  // Ends the thread (within about one deadline: a PING in flight finishes or
  // times out) and joins; idempotent.
  void stop() { thread_.stop(); }

 private:
  void run();

  RedisLivenessProbeOptions options_;
  std::function<void(const RedisPing&)> on_result_;
  StoppableThread thread_;  // last: stopped before the members its thread reads go
};

}  // namespace hourglass::io
