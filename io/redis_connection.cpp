#include "io/redis_connection.hpp"

#include "io/cluster_router.hpp"
#include "io/cluster_slots.hpp"
#include "io/socket_timeout.hpp"

#include <hiredis/hiredis.h>
#include <hiredis/sds.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
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
  const std::string seed = endpoint.host + ":" + std::to_string(endpoint.port);
  try {
    RedisConnection conn = connect_node(endpoint, timeout);
    conn.seed_ = seed;
    return conn;
  } catch (const RedisError& e) {
    if (e.command() != "CONNECT") throw;
    // The node is down. On a cluster, any other master this process learnt
    // of through it serves as well (keyed commands are routed anyway).
    for (const auto& [host, port] : known_cluster_masters(seed)) {
      RedisEndpoint other = endpoint;
      other.host = host;
      other.port = port;
      try {
        RedisConnection conn = connect_node(other, timeout);
        conn.seed_ = seed;
        return conn;
      } catch (const RedisError&) {
        // the next one
      }
    }
    throw;
  }
}

RedisConnection RedisConnection::connect_node(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
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
  if (!cluster_) {
    try {
      return plain_command(args);
    } catch (const RedisError& e) {
      // Only a cluster node answers these; from now on commands are routed.
      const std::string& error = e.server_error();
      if (broken() || (!parse_cluster_redirect(error) && error.rfind("TRYAGAIN", 0) != 0)) throw;
      cluster_ = std::make_unique<ClusterRouter>(*this);
    }
  }
  return cluster_->run(*this, args);
}

void RedisConnection::set_io_timeout(std::chrono::milliseconds timeout) {
  if (context_) redisSetTimeout(context_.get(), to_timeval(timeout));
  if (cluster_) cluster_->set_io_timeout(timeout);
}

std::vector<std::string> RedisConnection::cluster_masters() const {
  return cluster_ ? cluster_->masters() : std::vector<std::string>{};
}

RedisConnection::Reply RedisConnection::plain_command(const std::vector<std::string_view>& args) {
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
  if (r->type == REDIS_REPLY_ERROR) {
    const std::string text = reply_string(r);
    throw RedisError(std::string(name),
                     "Redis " + std::string(name) + " on " + endpoint_.host + ":" + std::to_string(endpoint_.port) +
                         " failed: " + text,
                     text);
  }
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

std::size_t RedisConnection::publish_each(std::string_view channel,
                                          const std::vector<std::vector<std::string_view>>& payloads) {
  std::size_t reached = 0;
  if (cluster_) {  // the router sends each command to a node of its own
    for (const auto& parts : payloads) {
      std::string payload;
      for (std::string_view p : parts) payload.append(p);
      reached += publish(channel, payload);
    }
    return reached;
  }
  if (!context_) fail("PUBLISH", "no connection (moved from)");
  if (context_->err != 0) fail("PUBLISH", "connection is broken by an earlier error: " + std::string(context_->errstr));
  if (sdslen(context_->obuf) != 0) fail("PUBLISH", "commands are waiting in hiredis' buffer");  // never: all are synchronous

  // Each command's RESP framing, then the iovecs: framing, parts, "\r\n".
  std::vector<std::string> heads;
  heads.reserve(payloads.size());
  std::vector<iovec> iov;
  for (const auto& parts : payloads) {
    std::size_t bytes = 0;
    for (std::string_view p : parts) bytes += p.size();
    heads.push_back("*3\r\n$7\r\nPUBLISH\r\n$" + std::to_string(channel.size()) + "\r\n" + std::string(channel) +
                    "\r\n$" + std::to_string(bytes) + "\r\n");
  }
  static const char kCrLf[] = "\r\n";
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    iov.push_back({heads[i].data(), heads[i].size()});
    for (std::string_view p : payloads[i])
      if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
    iov.push_back({const_cast<char*>(kCrLf), 2});
  }
  write_all(iov);

  std::string refused;  // the first error reply
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    const int rc = redisGetReply(context_.get(), &raw);
    const int saved_errno = errno;
    const Reply reply(raw);
    if (rc != REDIS_OK || !reply) fail("PUBLISH", describe_context_error(context_.get(), saved_errno, timeout_));
    const auto* r = static_cast<const redisReply*>(reply.get());
    if (r->type == REDIS_REPLY_INTEGER)
      reached += static_cast<std::size_t>(r->integer);
    else if (refused.empty())
      refused = r->type == REDIS_REPLY_ERROR ? reply_string(r) : std::string("unexpected ") + reply_type_name(r->type) + " reply";
  }
  if (!refused.empty())
    throw RedisError("PUBLISH",
                     "Redis PUBLISH on " + endpoint_.host + ":" + std::to_string(endpoint_.port) + " failed: " + refused,
                     refused);
  return reached;
}

void RedisConnection::write_all(std::vector<iovec>& iov) {
  std::size_t first = 0;
  while (first < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - first, IOV_MAX));
    const ssize_t n = ::writev(context_->fd, &iov[first], count);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved_errno = errno;
      // The command is cut short: the connection is out of step for good.
      context_->err = REDIS_ERR_IO;
      std::snprintf(context_->errstr, sizeof(context_->errstr), "%s", std::strerror(saved_errno));
      fail("PUBLISH", describe_context_error(context_.get(), saved_errno, timeout_));
    }
    std::size_t left = static_cast<std::size_t>(n);
    while (left > 0 && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
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
  return stream_entries(r, "XRANGE");
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

namespace hourglass::io {

RedisReply RedisConnection::to_reply(const void* reply) {
  const auto* r = static_cast<const redisReply*>(reply);
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::String; break;
    case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::Array; break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::Integer; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::Status; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::Error; break;
    default: out.type = RedisReply::Type::Nil; break;
  }
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR) {
    out.text = reply_string(r);
  }
  if (r->type == REDIS_REPLY_INTEGER) out.integer = r->integer;
  if (r->type == REDIS_REPLY_ARRAY) {
    out.elements.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(to_reply(r->element[i]));
  }
  return out;
}

std::size_t RedisConnection::integer_command(const std::vector<std::string_view>& args) {
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_INTEGER) fail(args.front(), std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return static_cast<std::size_t>(r->integer);
}

std::vector<std::string> RedisConnection::strings_command(const std::vector<std::string_view>& args) {
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_ARRAY) fail(args.front(), std::string("unexpected ") + reply_type_name(r->type) + " reply");
  std::vector<std::string> out;
  out.reserve(r->elements);
  for (std::size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_STRING) fail(args.front(), "item " + std::to_string(i) + " of the reply is not a string");
    out.push_back(reply_string(e));
  }
  return out;
}

// An array of [id, [field, value, ...]] entries (XRANGE, XREADGROUP). The
// fields are nil for an entry deleted while pending (XREADGROUP).
std::vector<StreamEntry> RedisConnection::stream_entries(const void* reply, std::string_view command) const {
  const auto* r = static_cast<const redisReply*>(reply);
  std::vector<StreamEntry> entries;
  entries.reserve(r->elements);
  for (std::size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING) {
      fail(command, "malformed entry " + std::to_string(i) + " in the reply");
    }
    StreamEntry entry;
    entry.id = reply_string(e->element[0]);
    const redisReply* kv = e->element[1];
    if (kv->type == REDIS_REPLY_ARRAY) {
      if (kv->elements % 2 != 0) fail(command, "odd number of field/value items in entry " + entry.id);
      for (std::size_t j = 0; j + 1 < kv->elements; j += 2) {
        entry.fields.emplace_back(reply_string(kv->element[j]), reply_string(kv->element[j + 1]));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool RedisConnection::xgroup_create(std::string_view stream, std::string_view group, std::string_view start_id) {
  try {
    command({"XGROUP", "CREATE", stream, group, start_id, "MKSTREAM"});
    return true;
  } catch (const RedisError& e) {
    // The server's answer when the group exists; the connection is fine.
    if (!broken() && std::string_view(e.what()).find("BUSYGROUP") != std::string_view::npos) return false;
    throw;
  }
}

std::vector<StreamEntry> RedisConnection::xreadgroup(std::string_view group, std::string_view consumer,
                                                     std::string_view stream, std::string_view id, std::size_t count,
                                                     std::optional<std::chrono::milliseconds> block) {
  // [[stream, entries]]: one stream asked for, at most one answered.
  auto answered = xreadgroup_streams(group, consumer, {std::string(stream)}, {std::string(id)}, count, block);
  if (answered.empty()) return {};  // BLOCK timed out
  if (answered.size() != 1) fail("XREADGROUP", "more streams answered than asked for");
  return std::move(answered[0].second);
}

std::size_t RedisConnection::xack(std::string_view stream, std::string_view group, const std::vector<std::string>& ids) {
  if (ids.empty()) return 0;
  std::vector<std::string_view> args{"XACK", stream, group};
  args.insert(args.end(), ids.begin(), ids.end());
  return integer_command(args);
}

std::size_t RedisConnection::xpending_count(std::string_view stream, std::string_view group) {
  const Reply reply = command({"XPENDING", stream, group});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_INTEGER)
    fail("XPENDING", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return static_cast<std::size_t>(r->element[0]->integer);
}

std::string RedisConnection::xadd_at(std::string_view stream, std::string_view id,
                                     const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty()) throw std::invalid_argument("Redis XADD to \"" + std::string(stream) + "\": no fields given");
  std::vector<std::string_view> args{"XADD", stream, id};
  for (const auto& [k, v] : fields) args.insert(args.end(), {k, v});
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_STRING) fail("XADD", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

std::pair<std::string, std::vector<StreamEntry>> RedisConnection::xautoclaim(std::string_view stream,
                                                                             std::string_view group,
                                                                             std::string_view consumer,
                                                                             std::int64_t min_idle_ms,
                                                                             std::string_view start, std::size_t count) {
  const std::string idle = std::to_string(min_idle_ms);
  const std::string count_text = std::to_string(count);
  const Reply reply = command({"XAUTOCLAIM", stream, group, consumer, idle, start, "COUNT", count_text});
  const auto* r = static_cast<const redisReply*>(reply.get());
  // [cursor, entries] (Redis 6.2) or [cursor, entries, deleted ids] (7.0).
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || r->element[0]->type != REDIS_REPLY_STRING ||
      r->element[1]->type != REDIS_REPLY_ARRAY) {
    fail("XAUTOCLAIM", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  }
  return {reply_string(r->element[0]), stream_entries(r->element[1], "XAUTOCLAIM")};
}

std::vector<std::pair<std::string, std::vector<StreamEntry>>> RedisConnection::xreadgroup_streams(
    std::string_view group, std::string_view consumer, const std::vector<std::string>& streams,
    const std::vector<std::string>& ids, std::size_t count, std::optional<std::chrono::milliseconds> block) {
  if (streams.empty() || streams.size() != ids.size())
    throw std::invalid_argument("Redis XREADGROUP: one id per stream, and at least one stream");
  const std::string count_text = std::to_string(count);
  std::vector<std::string_view> args{"XREADGROUP", "GROUP", group, consumer, "COUNT", count_text};
  std::string block_text;
  if (block) {
    block_text = std::to_string(block->count());
    args.insert(args.end(), {"BLOCK", block_text});
  }
  args.push_back("STREAMS");
  args.insert(args.end(), streams.begin(), streams.end());
  args.insert(args.end(), ids.begin(), ids.end());
  const Reply reply = command(args);
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_NIL) return {};  // BLOCK timed out
  if (r->type != REDIS_REPLY_ARRAY) fail("XREADGROUP", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  std::vector<std::pair<std::string, std::vector<StreamEntry>>> out;
  for (std::size_t i = 0; i < r->elements; ++i) {
    const redisReply* s = r->element[i];
    if (s->type != REDIS_REPLY_ARRAY || s->elements != 2 || s->element[0]->type != REDIS_REPLY_STRING ||
        s->element[1]->type != REDIS_REPLY_ARRAY)
      fail("XREADGROUP", "malformed stream " + std::to_string(i) + " in the reply");
    out.emplace_back(reply_string(s->element[0]), stream_entries(s->element[1], "XREADGROUP"));
  }
  return out;
}

std::optional<std::string> RedisConnection::xgroup_last_delivered(std::string_view stream, std::string_view group) {
  const auto info = xgroup_info(stream, group);
  if (!info) return std::nullopt;
  return info->last_delivered;
}

std::optional<RedisConnection::StreamGroupInfo> RedisConnection::xgroup_info(std::string_view stream,
                                                                             std::string_view group) {
  const Reply reply = command({"XINFO", "GROUPS", stream});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_ARRAY) fail("XINFO", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  for (std::size_t g = 0; g < r->elements; ++g) {
    const redisReply* fields = r->element[g];
    if (fields->type != REDIS_REPLY_ARRAY) continue;
    std::optional<std::string> name;
    StreamGroupInfo info;
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
      const redisReply* k = fields->element[i];
      const redisReply* v = fields->element[i + 1];
      if (k->type != REDIS_REPLY_STRING) continue;
      const std::string key = reply_string(k);
      const bool text = v->type == REDIS_REPLY_STRING || v->type == REDIS_REPLY_STATUS;
      const bool count = v->type == REDIS_REPLY_INTEGER && v->integer >= 0;
      if (key == "name" && text) name = reply_string(v);
      if (key == "last-delivered-id" && text) info.last_delivered = reply_string(v);
      if (key == "pending" && count) info.pending = static_cast<std::size_t>(v->integer);
      if (key == "lag" && count) info.lag = static_cast<std::size_t>(v->integer);  // nil: Redis cannot tell
    }
    if (name == group) return info;
  }
  return std::nullopt;
}

std::optional<std::string> RedisConnection::get(std::string_view key) {
  const Reply reply = command({"GET", key});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_NIL) return std::nullopt;
  if (r->type != REDIS_REPLY_STRING) fail("GET", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

std::optional<std::string> RedisConnection::hget(std::string_view key, std::string_view field) {
  const Reply reply = command({"HGET", key, field});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_NIL) return std::nullopt;
  if (r->type != REDIS_REPLY_STRING) fail("HGET", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

void RedisConnection::set(std::string_view key, std::string_view value) { command({"SET", key, value}); }

std::size_t RedisConnection::del(const std::vector<std::string>& keys) {
  if (keys.empty()) return 0;
  std::vector<std::string_view> args{"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  return integer_command(args);
}

std::string RedisConnection::type(std::string_view key) {
  const Reply reply = command({"TYPE", key});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_STATUS) fail("TYPE", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

std::size_t RedisConnection::sadd(std::string_view key, const std::vector<std::string>& members) {
  if (members.empty()) return 0;
  std::vector<std::string_view> args{"SADD", key};
  args.insert(args.end(), members.begin(), members.end());
  return integer_command(args);
}

std::size_t RedisConnection::srem(std::string_view key, const std::vector<std::string>& members) {
  if (members.empty()) return 0;
  std::vector<std::string_view> args{"SREM", key};
  args.insert(args.end(), members.begin(), members.end());
  return integer_command(args);
}

std::vector<std::string> RedisConnection::smembers(std::string_view key) { return strings_command({"SMEMBERS", key}); }

void RedisConnection::hset(std::string_view key, std::string_view field, std::string_view value) {
  command({"HSET", key, field, value});
}

std::vector<std::string> RedisConnection::hkeys(std::string_view key) { return strings_command({"HKEYS", key}); }

std::size_t RedisConnection::hdel(std::string_view key, const std::vector<std::string>& fields) {
  if (fields.empty()) return 0;
  std::vector<std::string_view> args{"HDEL", key};
  args.insert(args.end(), fields.begin(), fields.end());
  return integer_command(args);
}

std::vector<std::pair<std::string, std::string>> RedisConnection::config_get(std::string_view parameter) {
  const std::vector<std::string> flat = strings_command({"CONFIG", "GET", parameter});
  if (flat.size() % 2 != 0) fail("CONFIG", "odd number of name/value items in the reply");
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace_back(flat[i], flat[i + 1]);
  return out;
}

std::string RedisConnection::info(std::string_view section) {
  const Reply reply = section.empty() ? command({"INFO"}) : command({"INFO", section});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_STRING)
    fail("INFO", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

std::string RedisConnection::script_load(std::string_view source) {
  if (cluster_) return cluster_->script_load(*this, source);
  const Reply reply = command({"SCRIPT", "LOAD", source});
  const auto* r = static_cast<const redisReply*>(reply.get());
  if (r->type != REDIS_REPLY_STRING) fail("SCRIPT", std::string("unexpected ") + reply_type_name(r->type) + " reply");
  return reply_string(r);
}

RedisReply RedisConnection::execute(const std::vector<std::string_view>& args) {
  if (args.empty()) throw std::invalid_argument("Redis: no command given");
  const Reply reply = command(args);
  return to_reply(static_cast<const redisReply*>(reply.get()));
}

RedisReply RedisConnection::evalsha(std::string_view sha1, const std::vector<std::string_view>& keys,
                                    const std::vector<std::string_view>& args) {
  const std::string numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv{"EVALSHA", sha1, numkeys};
  argv.reserve(3 + keys.size() + args.size());
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  const Reply reply = command(argv);
  return to_reply(static_cast<const redisReply*>(reply.get()));
}

RedisReply RedisConnection::eval_script(RedisScript& script, const std::vector<std::string_view>& keys,
                                        const std::vector<std::string_view>& args) {
  if (script.sha1_.empty()) script.sha1_ = script_load(script.source_);
  try {
    return evalsha(script.sha1_, keys, args);
  } catch (const RedisError& e) {
    if (broken() || e.server_error().rfind("NOSCRIPT", 0) != 0) throw;
  }
  script.sha1_ = script_load(script.source_);  // the server lost it: flushed, restarted, another server
  return evalsha(script.sha1_, keys, args);
}

void RedisConnection::watch(const std::vector<std::string>& keys) {
  if (keys.empty()) throw std::invalid_argument("Redis WATCH: no keys given");
  std::vector<std::string_view> args{"WATCH"};
  args.insert(args.end(), keys.begin(), keys.end());
  command(args);
}

void RedisConnection::unwatch() { command({"UNWATCH"}); }

std::vector<RedisReply> RedisConnection::exec_transaction(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) throw std::invalid_argument("Redis transaction: no commands given");
  for (const auto& c : commands) {
    if (c.empty()) throw std::invalid_argument("Redis transaction: an empty command");
  }
  if (!cluster_) {
    try {
      return plain_exec_transaction(commands);
    } catch (const RedisTransactionError& e) {
      // A queued command answered MOVED/ASK: a cluster node; nothing ran.
      if (broken() || !redirect_in_transaction(e)) throw;
      cluster_ = std::make_unique<ClusterRouter>(*this);
    }
  }
  return cluster_->exec_transaction(*this, commands);
}

std::vector<RedisReply> RedisConnection::plain_exec_transaction(
    const std::vector<std::vector<std::string>>& commands) {
  if (!context_) fail("EXEC", "no connection (moved from)");
  if (context_->err != 0) fail("EXEC", "connection is broken by an earlier error: " + std::string(context_->errstr));

  auto append = [&](const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    for (const auto& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data()) !=
        REDIS_OK) {
      fail("EXEC", "cannot queue " + args.front() + ": " + describe_context_error(context_.get(), errno, timeout_));
    }
  };
  // All of it goes out in one write: MULTI, the commands, EXEC.
  append({"MULTI"});
  for (const auto& c : commands) append(c);
  append({"EXEC"});

  auto next = [&](const std::string& what) {
    void* raw = nullptr;
    errno = 0;
    const int rc = redisGetReply(context_.get(), &raw);
    const int saved_errno = errno;
    Reply reply(raw);
    if (rc != REDIS_OK || !reply) fail("EXEC", what + ": " + describe_context_error(context_.get(), saved_errno, timeout_));
    return reply;
  };
  // Every reply is read, whatever it says, so that the connection stays in
  // step with the server.
  std::string refused;  // the first command refused when queued
  {
    const Reply multi = next("reading the reply to MULTI");
    const auto* r = static_cast<const redisReply*>(multi.get());
    if (r->type == REDIS_REPLY_ERROR) refused = "MULTI: " + reply_string(r);
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const Reply queued = next("reading the reply to " + commands[i].front());
    const auto* r = static_cast<const redisReply*>(queued.get());
    if (r->type == REDIS_REPLY_ERROR && refused.empty()) {
      refused = "command " + std::to_string(i) + " (" + commands[i].front() + ") refused: " + reply_string(r);
    }
  }
  const Reply exec = next("reading the reply to EXEC");
  const auto* r = static_cast<const redisReply*>(exec.get());
  const std::string where = "Redis EXEC on " + endpoint_.host + ":" + std::to_string(endpoint_.port) + " failed: ";
  if (r->type == REDIS_REPLY_ERROR) {
    throw RedisTransactionError(where + reply_string(r) + (refused.empty() ? "" : " (" + refused + ")") +
                                    "; nothing was applied",
                                false, false, std::nullopt, {});
  }
  if (r->type == REDIS_REPLY_NIL) {
    throw RedisTransactionError(where + "aborted, a WATCHed key changed; nothing was applied", false, true,
                                std::nullopt, {});
  }
  if (r->type != REDIS_REPLY_ARRAY || r->elements != commands.size()) {
    fail("EXEC", std::string("unexpected ") + reply_type_name(r->type) + " reply of " + std::to_string(r->elements) +
                     " items for " + std::to_string(commands.size()) + " commands");
  }
  std::vector<RedisReply> replies;
  replies.reserve(r->elements);
  std::optional<std::size_t> failed;
  for (std::size_t i = 0; i < r->elements; ++i) {
    replies.push_back(to_reply(r->element[i]));
    if (!failed && replies.back().type == RedisReply::Type::Error) failed = i;
  }
  if (failed) {
    // The message first: the arguments' order of evaluation is unspecified.
    const std::string message = where + "command " + std::to_string(*failed) + " (" + commands[*failed].front() +
                                ") failed when it ran: " + replies[*failed].text +
                                "; Redis applied the other commands of the transaction";
    throw RedisTransactionError(message, true, false, failed, std::move(replies));
  }
  return replies;
}

bool RedisError::transient_server_error(const std::string& reply) {
  static const char* const kStateErrors[] = {"LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN",
                                             "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};
  for (const char* prefix : kStateErrors)
    if (reply.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace hourglass::io
