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
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/redis_url.hpp"

struct redisContext;
struct iovec;

namespace hourglass::io {

class ClusterRouter;

class RedisError : public std::runtime_error {
 public:
  RedisError(std::string command, const std::string& message, std::string server_error = {})
      : std::runtime_error(message), command_(std::move(command)), server_error_(std::move(server_error)) {}
  // The command that failed ("CONNECT", "AUTH", "XADD", ...).
  const std::string& command() const { return command_; }
  // The server's error reply as it sent it ("WRONGTYPE ...", "NOSCRIPT ...",
  // a script's own error), when the command failed with one; empty for an
  // I/O or protocol error (then the connection is broken()).
  const std::string& server_error() const { return server_error_; }
  // Whether trying the same command again later may succeed: an I/O error
  // (Redis unreachable, frozen, restarting) or a server error about the
  // server's state rather than the keys (LOADING, BUSY, OOM, READONLY,
  // MASTERDOWN, TRYAGAIN, CLUSTERDOWN, NOREPLICAS). WRONGTYPE, a script's own
  // error and the like are about the keys or the command: the same again
  // gets the same answer.
  bool transient() const { return server_error_.empty() || transient_server_error(server_error_); }
  static bool transient_server_error(const std::string& reply);

 private:
  std::string command_;
  std::string server_error_;
};

// A reply of one command inside a transaction (exec_transaction), as Redis
// sent it. `text` holds a bulk string, status or error text; `integer` an
// integer reply; `elements` an array's items.
struct RedisReply {
  enum class Type { String, Array, Integer, Nil, Status, Error };
  Type type = Type::Nil;
  std::string text;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

// exec_transaction's failure. Two cases Redis distinguishes:
//  - applied() == false: nothing ran. EXEC answered EXECABORT (a queued
//    command was refused when queued: unknown command, wrong number of
//    arguments, OOM) or nil (a WATCHed key changed: watch_aborted()).
//  - applied() == true: EXEC ran. A command that fails only when it runs
//    (WRONGTYPE, e.g. XADD to a key holding a string) answers an error in
//    EXEC's array, and Redis runs the OTHER commands anyway: MULTI/EXEC never
//    rolls back. failed_index() is the first such command (0-based in the
//    commands given), replies() all of EXEC's replies.
class RedisTransactionError : public RedisError {
 public:
  RedisTransactionError(const std::string& message, bool applied, bool watch_aborted,
                        std::optional<std::size_t> failed_index, std::vector<RedisReply> replies)
      : RedisError("EXEC", message),
        applied_(applied),
        watch_aborted_(watch_aborted),
        failed_index_(failed_index),
        replies_(std::move(replies)) {}
  bool applied() const { return applied_; }
  bool watch_aborted() const { return watch_aborted_; }
  std::optional<std::size_t> failed_index() const { return failed_index_; }
  const std::vector<RedisReply>& replies() const { return replies_; }

 private:
  bool applied_;
  bool watch_aborted_;
  std::optional<std::size_t> failed_index_;
  std::vector<RedisReply> replies_;
};

// A Lua script run with EVALSHA (RedisConnection::eval_script). The SHA1 is
// the server's answer to SCRIPT LOAD, learnt on first use and again whenever
// a server answers NOSCRIPT (restarted, SCRIPT FLUSH, another server).
class RedisScript {
 public:
  explicit RedisScript(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }
  // Empty until loaded.
  const std::string& sha1() const { return sha1_; }

 private:
  friend class RedisConnection;
  std::string source_;
  std::string sha1_;
};

struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
};

class RedisConnection {
 public:
  // Connects (TCP), then sends AUTH when endpoint.password is set and SELECT
  // when endpoint.db != 0. `timeout` bounds the TCP connect and, afterwards,
  // each socket read/write of every command. When the endpoint cannot be
  // reached and an earlier connection to it found a Redis Cluster, the
  // other masters it named are tried in turn (endpoint() then names the one
  // reached).
  static RedisConnection connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);
  // As connect, to that server only (no fallback): what probes of one
  // server (is this node up?) and the cluster router's node links need.
  static RedisConnection connect_node(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection();

  // True when the server answered PONG; false on any failure (never throws).
  bool ping();
  // PUBLISH; returns the number of subscribers that received the message.
  std::size_t publish(std::string_view channel, std::string_view payload);
  // PUBLISH of each payload in turn, a payload being the concatenation of
  // its parts, pipelined (no transaction: each one is delivered as it runs);
  // the subscribers reached, summed. The parts go from where they are to the
  // socket (writev), not copied into hiredis' buffer: this is the records
  // feed, gigabytes for a long advance. Every reply is read before an error
  // reply throws RedisError.
  std::size_t publish_each(std::string_view channel, const std::vector<std::vector<std::string_view>>& payloads);
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
  // XGROUP CREATE stream group start_id MKSTREAM (the stream is made if
  // missing); false when the group exists already (BUSYGROUP).
  bool xgroup_create(std::string_view stream, std::string_view group, std::string_view start_id);
  // XREADGROUP GROUP group consumer COUNT count [BLOCK ms] STREAMS stream id:
  // `id` ">" for entries never delivered to the group, any other id for this
  // consumer's pending entries after it. Empty when nothing came (BLOCK timed
  // out). A pending entry deleted from the stream comes with no fields. With
  // `block`, the socket timeout must exceed it (see native_handle).
  std::vector<StreamEntry> xreadgroup(std::string_view group, std::string_view consumer, std::string_view stream,
                                      std::string_view id, std::size_t count,
                                      std::optional<std::chrono::milliseconds> block = std::nullopt);
  // XACK; returns how many were pending and are now acknowledged. No ids:
  // returns 0, no round trip.
  std::size_t xack(std::string_view stream, std::string_view group, const std::vector<std::string>& ids);
  // XPENDING stream group (the summary): how many entries the group's
  // consumers were given and have not acknowledged.
  std::size_t xpending_count(std::string_view stream, std::string_view group);
  // XINFO GROUPS stream: the last entry id `group` was given ("0-0" when
  // none yet); nullopt when the stream has no such group.
  std::optional<std::string> xgroup_last_delivered(std::string_view stream, std::string_view group);
  // XINFO GROUPS stream, one group: its last-delivered id, how many entries
  // its consumers hold unacknowledged, and (Redis 7) how many entries are
  // after its position, when Redis can tell; nullopt when the stream has no
  // such group.
  struct StreamGroupInfo {
    std::string last_delivered = "0-0";
    std::size_t pending = 0;
    std::optional<std::size_t> lag;
  };
  std::optional<StreamGroupInfo> xgroup_info(std::string_view stream, std::string_view group);
  // XADD stream <id> field value ...: the entry with the id given (the stream
  // input's router copies an entry under its own id). Redis refuses an id
  // not above the stream's last one (RedisError, server_error "ERR The ID
  // specified in XADD is equal or smaller than the target stream top item").
  std::string xadd_at(std::string_view stream, std::string_view id,
                      const std::vector<std::pair<std::string, std::string>>& fields);
  // XAUTOCLAIM stream group consumer min_idle_ms start COUNT count: the
  // group's pending entries idle at least that long, from `start`, now this
  // consumer's. Answers the cursor to go on from ("0-0": the whole pending
  // list was scanned) and the entries claimed (one deleted from the stream
  // meanwhile is dropped from the pending list by Redis and not returned).
  std::pair<std::string, std::vector<StreamEntry>> xautoclaim(std::string_view stream, std::string_view group,
                                                              std::string_view consumer, std::int64_t min_idle_ms,
                                                              std::string_view start, std::size_t count);
  // XREADGROUP GROUP group consumer COUNT count [BLOCK ms] STREAMS k1 k2 ...
  // id1 id2 ...: several streams in one call (all in one slot on a Redis
  // Cluster); COUNT applies to each stream. (stream, entries) for each
  // stream that answered; empty when nothing came.
  std::vector<std::pair<std::string, std::vector<StreamEntry>>> xreadgroup_streams(
      std::string_view group, std::string_view consumer, const std::vector<std::string>& streams,
      const std::vector<std::string>& ids, std::size_t count, std::optional<std::chrono::milliseconds> block);

  // GET; nullopt for a missing key.
  std::optional<std::string> get(std::string_view key);
  // SET key value.
  void set(std::string_view key, std::string_view value);
  // DEL; returns how many keys were deleted. No keys: returns 0, no round trip.
  std::size_t del(const std::vector<std::string>& keys);
  // TYPE: "none", "string", "stream", "set", "hash", ...
  std::string type(std::string_view key);
  // SADD / SREM; return how many members were added / removed.
  std::size_t sadd(std::string_view key, const std::vector<std::string>& members);
  std::size_t srem(std::string_view key, const std::vector<std::string>& members);
  // SMEMBERS, in Redis' (unspecified) order; empty for a missing key.
  std::vector<std::string> smembers(std::string_view key);
  // HSET key field value; HKEYS (unspecified order); HDEL returns how many
  // fields were removed (no fields: 0, no round trip).
  void hset(std::string_view key, std::string_view field, std::string_view value);
  std::vector<std::string> hkeys(std::string_view key);
  // HGET; nullopt for a missing key or field.
  std::optional<std::string> hget(std::string_view key, std::string_view field);
  std::size_t hdel(std::string_view key, const std::vector<std::string>& fields);
  // INFO [section]: the server's text as sent ("# Server\r\nrun_id:...");
  // no section: the default ones.
  std::string info(std::string_view section = {});
  // CONFIG GET parameter (a glob pattern): the (name, value) pairs.
  std::vector<std::pair<std::string, std::string>> config_get(std::string_view parameter);
  // WATCH keys (until the next EXEC or UNWATCH) / UNWATCH.
  void watch(const std::vector<std::string>& keys);
  void unwatch();
  // MULTI, the commands, EXEC, pipelined in one write; EXEC's replies, one
  // per command. Throws RedisTransactionError (see above) when EXEC is
  // aborted or any command's reply is an error, RedisError on an I/O error.
  // `commands` must not be empty nor hold an empty command
  // (std::invalid_argument).
  std::vector<RedisReply> exec_transaction(const std::vector<std::vector<std::string>>& commands);

  // SCRIPT LOAD; returns the script's SHA1.
  std::string script_load(std::string_view source);
  // EVALSHA sha1 numkeys keys... args...; the script's reply as sent. An error
  // reply (NOSCRIPT, an error the script returned or raised) throws RedisError
  // with it as server_error().
  RedisReply evalsha(std::string_view sha1, const std::vector<std::string_view>& keys,
                     const std::vector<std::string_view>& args);
  // Runs `script` in one round trip: EVALSHA, after a SCRIPT LOAD when its
  // SHA1 is not known yet; on NOSCRIPT (the script did not run) loads it
  // again and retries once. Throws as evalsha.
  RedisReply eval_script(RedisScript& script, const std::vector<std::string_view>& keys,
                         const std::vector<std::string_view>& args);

  // Any command, e.g. CLUSTER INFO or MIGRATE in tests and tools; the reply
  // as sent. An error reply throws RedisError like every command.
  RedisReply execute(const std::vector<std::string_view>& args);

  // The socket timeout of every read/write from now on (a blocking
  // XREADGROUP needs more than the connect timeout), on a cluster every
  // node's connection's too.
  void set_io_timeout(std::chrono::milliseconds timeout);
  // Whether the server turned out to be a Redis Cluster node (it answered
  // MOVED, ASK or TRYAGAIN) and the commands are routed by slot since.
  bool cluster() const { return cluster_ != nullptr; }
  // "host:port" of the cluster's masters this connection knows; empty
  // before it learnt it is on a cluster.
  std::vector<std::string> cluster_masters() const;

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

  friend class ClusterRouter;  // runs commands on its plain node connections

  RedisConnection(redisContext* context, RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  // Runs a command; throws RedisError on an I/O error or an error reply. On a
  // cluster, on the node of its keys' slot (ClusterRouter).
  Reply command(const std::vector<std::string_view>& args);
  // The command on this connection's own server, whatever it serves.
  Reply plain_command(const std::vector<std::string_view>& args);
  std::vector<RedisReply> plain_exec_transaction(const std::vector<std::vector<std::string>>& commands);
  // Writes all of `iov` to the socket (consuming it); on an error the
  // connection is broken (hiredis' err set) and RedisError is thrown.
  void write_all(std::vector<iovec>& iov);
  static RedisReply to_reply(const void* reply);
  std::size_t integer_command(const std::vector<std::string_view>& args);
  std::vector<std::string> strings_command(const std::vector<std::string_view>& args);
  std::vector<StreamEntry> stream_entries(const void* reply, std::string_view command) const;
  [[noreturn]] void fail(std::string_view command, const std::string& detail) const;

  std::unique_ptr<redisContext, ContextDeleter> context_;
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<ClusterRouter> cluster_;  // set once the server answered as a cluster node
  std::string seed_;                        // "host:port" connect() was asked for
};

}  // namespace hourglass::io
