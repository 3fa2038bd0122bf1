// A Redis connection opened on first use and opened again once it broke:
// what the actors that talk to Redis between messages (the bridge, the
// checkpoint store, the gateway's workers) each keep. Not thread-safe: one
// owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "io/redis_connection.hpp"
#include "io/redis_url.hpp"

namespace hourglass::io {

class RedisLink {
 public:
  RedisLink(RedisEndpoint endpoint, std::chrono::milliseconds connect_timeout)
      : endpoint_(std::move(endpoint)), timeout_(connect_timeout) {}

  // The connection, opened again when broken; throws RedisError when Redis
  // cannot be reached.
  RedisConnection& get() {
    if (conn_ && !conn_->broken()) return *conn_;
    conn_.reset();
    conn_.emplace(RedisConnection::connect(endpoint_, timeout_));
    ++opened_;
    return *conn_;
  }
  // How many connections get() opened: what a caller keeping state tied to
  // one connection compares to know it was replaced.
  std::uint64_t opened() const { return opened_; }

 private:
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::optional<RedisConnection> conn_;
  std::uint64_t opened_ = 0;
};

}  // namespace hourglass::io
