// A blocking Redis connection (RAII over a hiredis 0.14 redisContext) with the
// handful of commands the service uses. All arguments go through
// redisCommandArgv, so channels, keys and payloads are binary-safe.
//
// Errors throw RedisError, whose message names the command and the endpoint
// and carries the server's error ("WRONGTYPE ...") or the I/O error
// ("Connection refused", "Server closed the connection", "timed out ...").
// After an I/O or protocol error hiredis cannot use the context again: the
// connection reports broken() and every later command throws at once; make a
// new connection. A server error reply (e.g. WRONGTYPE) does not break it.
//
// Not thread-safe: one connection per thread, or guard it with a mutex.
//
// hiredis writes with write(2), so a write to a socket the server closed
// raises SIGPIPE. The first connect() therefore sets SIGPIPE to SIG_IGN for
// the whole process (which a network service wants anyway); write errors then
// surface as RedisError ("Broken pipe").
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/redis_url.hpp"

struct redisContext;

namespace hourglass::io {

class RedisError : public std::runtime_error {
 public:
  RedisError(std::string command, const std::string& message)
      : std::runtime_error(message), command_(std::move(command)) {}
  // The command that failed ("CONNECT", "AUTH", "XADD", ...).
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
};

class RedisConnection {
 public:
  // Connects (TCP), then sends AUTH when endpoint.password is set and SELECT
  // when endpoint.db != 0. `timeout` bounds the TCP connect and, afterwards,
  // each socket read/write of every command.
  static RedisConnection connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection();

  // True when the server answered PONG; false on any failure (never throws).
  bool ping();
  // PUBLISH; returns the number of subscribers that received the message.
  std::size_t publish(std::string_view channel, std::string_view payload);
  // XADD stream [MAXLEN ~ n] * field value ...; returns the new entry id.
  // `fields` must not be empty (std::invalid_argument).
  std::string xadd(std::string_view stream, const std::vector<std::pair<std::string, std::string>>& fields,
                   std::optional<std::size_t> maxlen_approx = std::nullopt);
  // XRANGE stream start end [COUNT n]; entries in id order.
  std::vector<StreamEntry> xrange(std::string_view stream, std::string_view start = "-", std::string_view end = "+",
                                  std::optional<std::size_t> count = std::nullopt);
  // XDEL; returns how many entries were deleted. No ids: returns 0, no round trip.
  std::size_t xdel(std::string_view stream, const std::vector<std::string>& ids);
  // XLEN; 0 for a missing stream.
  std::size_t xlen(std::string_view stream);

  // The connection saw an I/O or protocol error (or was moved from).
  bool broken() const;
  // hiredis' error text for a broken connection; empty otherwise.
  std::string error() const;
  const RedisEndpoint& endpoint() const { return endpoint_; }
  // For code that drives the protocol itself (RedisSubscriber). Stays owned.
  redisContext* native_handle() { return context_.get(); }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  struct ReplyDeleter {
    void operator()(void* r) const;
  };
  using Reply = std::unique_ptr<void, ReplyDeleter>;

  RedisConnection(redisContext* context, RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  // Runs a command; throws RedisError on an I/O error or an error reply.
  Reply command(const std::vector<std::string_view>& args);
  [[noreturn]] void fail(std::string_view command, const std::string& detail) const;

  std::unique_ptr<redisContext, ContextDeleter> context_;
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
};

}  // namespace hourglass::io
