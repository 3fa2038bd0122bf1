#include "io/redis_connection.hpp"

#include "io/socket_timeout.hpp"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

namespace hourglass::io {
namespace {

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

// hiredis' errstr, made clearer for a socket timeout: hiredis 0.14 reports a
// read/write timeout as REDIS_ERR_IO with errno EAGAIN, i.e. "Resource
// temporarily unavailable".
std::string describe_context_error(const redisContext* c, int saved_errno, std::chrono::milliseconds timeout) {
  if (c == nullptr) return "out of memory allocating the hiredis context";
  std::string text = c->errstr[0] != '\0' ? std::string(c->errstr) : std::string("unknown error");
  if (c->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
    return "timed out after " + std::to_string(timeout.count()) + " ms (" + text + ")";
  }
  if (c->err == REDIS_ERR_EOF) return text;  // "Server closed the connection"
  if (c->err == REDIS_ERR_PROTOCOL) return "protocol error: " + text;
  return text;
}

std::string reply_string(const redisReply* r) { return r->str ? std::string(r->str, r->len) : std::string(); }

const char* reply_type_name(int type) {
  switch (type) {
    case REDIS_REPLY_STRING: return "bulk string";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
    default: return "unknown";
  }
}

}  // namespace

void RedisConnection::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }
void RedisConnection::ReplyDeleter::operator()(void* r) const { freeReplyObject(r); }

RedisConnection::RedisConnection(redisContext* context, RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : context_(context), endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;
RedisConnection::~RedisConnection() = default;

RedisConnection RedisConnection::connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
  ignore_sigpipe_once();
  errno = 0;
  redisContext* raw = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(timeout));
  const int saved_errno = errno;
  RedisConnection conn(raw, endpoint, timeout);
  if (raw == nullptr || raw->err != 0) {
    // hiredis reports a connect timeout as "Connection timed out" (ETIMEDOUT).
    conn.fail("CONNECT", describe_context_error(raw, saved_errno, timeout));
  }
  // redisConnectWithTimeout only bounds the connect; bound every read/write too.
  if (redisSetTimeout(raw, to_timeval(timeout)) != REDIS_OK) {
    conn.fail("CONNECT", "cannot set the socket timeout: " + describe_context_error(raw, errno, timeout));
  }
  if (!endpoint.password.empty()) conn.command({"AUTH", endpoint.password});
  if (endpoint.db != 0) {
    const std::string db = std::to_string(endpoint.db);
    conn.command({"SELECT", db});
  }
  return conn;
}

void RedisConnection::fail(std::string_view command, const std::string& detail) const {
  throw RedisError(std::string(command),
                   "Redis " + std::string(command) + " on " + endpoint_.host + ":" + std::to_string(endpoint_.port) +
                       " failed: " + detail);
}

bool RedisConnection::broken() const { return !context_ || context_->err != 0; }

std::string RedisConnection::error() const {
  if (!context_) return "no connection (moved from)";
  return context_->err != 0 ? std::string(context_->errstr) : std::string();
}

RedisConnection::Reply RedisConnection::command(const std::vector<std::string_view>& args) {
  const std::string_view name = args.front();
  if (!context_) fail(name, "no connection (moved from)");
  if (context_->err != 0) {
    fail(name, "connection is broken by an earlier error: " + std::string(context_->errstr));
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  errno = 0;
  Reply reply(redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data()));
  const int saved_errno = errno;
  if (!reply) fail(name, describe_context_error(context_.get(), saved_errno, timeout_));
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_ERROR) fail(name, reply_string(r));
  return reply;
}

bool RedisConnection::ping() {
  try {
    const Reply reply = command({"PING"});
    const auto* r = static_cast<const redisReply*>(reply.get());
    return r->type == REDIS_REPLY_STATUS && reply_string(r) == "PONG";
  } catch (const RedisError&) {
    return false;
  }
}

std::size_t RedisConnection::publish(std::string_view channel, std::string_view payload) {
  const Reply reply = command({"PUBLISH", channel, payload});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_INTEGER) fail("PUBLISH", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return static_cast<std::size_t>(r->integer);
}

std::string RedisConnection::xadd(std::string_view stream,
                                  const std::vector<std::pair<std::string, std::string>>& fields,
                                  std::optional<std::size_t> maxlen_approx) {
  if (fields.empty()) throw std::invalid_argument("Redis XADD to \"" + std::string(stream) + "\": no fields given");
  std::vector<std::string_view> args{"XADD", stream};
  std::string maxlen;
  if (maxlen_approx) {
    maxlen = std::to_string(*maxlen_approx);
    args.insert(args.end(), {"MAXLEN", "~", maxlen});
  }
  args.push_back("*");
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_STRING) fail("XADD", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

std::vector<StreamEntry> RedisConnection::xrange(std::string_view stream, std::string_view start,
                                                 std::string_view end, std::optional<std::size_t> count) {
  std::vector<std::string_view> args{"XRANGE", stream, start, end};
  std::string count_text;
  if (count) {
    count_text = std::to_string(*count);
    args.insert(args.end(), {"COUNT", count_text});
  }
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_ARRAY) fail("XRANGE", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  std::vector<StreamEntry> entries;
  entries.reserve(r->elements);
  for (std::size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING) {
      fail("XRANGE", "malformed entry " + std::to_string(i) + " in the reply");
    }
    StreamEntry entry;
    entry.id = reply_string(e->element[0]);
    const redisReply* kv = e->element[1];
    if (kv->type == REDIS_REPLY_ARRAY) {  // nil for an entry without fields
      if (kv->elements % 2 != 0) fail("XRANGE", "odd number of field/value items in entry " + entry.id);
      for (std::size_t j = 0; j + 1 < kv->elements; j += 2) {
        entry.fields.emplace_back(reply_string(kv->element[j]), reply_string(kv->element[j + 1]));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::size_t RedisConnection::xdel(std::string_view stream, const std::vector<std::string>& ids) {
  if (ids.empty()) return 0;
  std::vector<std::string_view> args{"XDEL", stream};
  args.insert(args.end(), ids.begin(), ids.end());
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_INTEGER) fail("XDEL", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return static_cast<std::size_t>(r->integer);
}

std::size_t RedisConnection::xlen(std::string_view stream) {
  const Reply reply = command({"XLEN", stream});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_INTEGER) fail("XLEN", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return static_cast<std::size_t>(r->integer);
}

}  // namespace hourglass::io
