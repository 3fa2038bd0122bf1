// A consumer-group reader of Redis streams on its own thread that never
// gives up, the lossless counterpart of RedisSubscriber: entries stay in the
// stream, and in the group's pending list until acknowledged, so nothing is
// lost while Hourglass is down or between delivery and acknowledgement.
//
// It reads one stream (`key`), or the changing set `streams()` answers (the
// stream input's partition streams this instance owns, or the ingress stream
// while it holds the router lease: docs/operations.md, The stream input).
// Each stream joins on each (re)connection, or when `streams()` first names
// it: on_joining(stream), then the group is made if missing (XGROUP CREATE
// stream group 0 MKSTREAM: from id 0, so a stream filled before the service
// first started is read whole), then, with `claim_pending`, every entry
// pending in the group is claimed for this consumer (XAUTOCLAIM, min idle 0:
// the caller holds a lease that says it alone reads the stream, so a previous
// owner's entries are its now), then the acknowledgements that could not be
// sent yet go, then this consumer's own pending entries are read
// (XREADGROUP ... 0, again from the last id seen until none is left:
// delivered before a crash or a lost link and never acknowledged). New ones
// are then read from every joined stream in one XREADGROUP (">" with BLOCK;
// on a Redis Cluster the streams must share a slot). A stream `streams()` no
// longer names is no longer read: its entries delivered and not yet
// acknowledged stop counting towards the bound (they are left to the next
// owner), and an acknowledgement of one still goes to its stream.
// A pending entry already delivered in this process and not yet
// acknowledged is not delivered twice. With several streams, an id must name
// one entry across all of them (acknowledge() finds its stream by the id):
// the partition streams hold copies of the ingress entries under their ids. Any error ends the link; it
// reconnects with exponential backoff (reset after each connection).
//
// Delivery: on_entry(id, channel, payload) from the entry's fields `channel`
// and `payload`; an entry lacking either goes to on_malformed(id, why)
// instead. Every id given to either callback must be acknowledge()d once the
// application is done with it (applied, refused, dead-lettered): until then
// it counts towards `max_unacknowledged`, and a new reader with the same
// consumer name gets it again (at-least-once). An on_entry that cannot take
// its entry now calls give_back(): that entry and the rest of its batch are
// not delivered now; the link is dropped and they come again, in order,
// from the pending list.
//
// Bounded memory: at most `max_unacknowledged` entries are delivered and not
// acknowledged (plus one per stream joined beyond the first: COUNT applies to
// each stream of a read). At the bound the thread reads nothing and waits on a
// condition variable (woken by acknowledge() or stop()), so it never busy
// loops. Entries of a stream left behind are remembered (for their
// acknowledgement) until acknowledged or until the stream joins again.
//
// acknowledge(id) is thread-safe and synchronous: it sends XACK on a
// connection of its own (opened on first use, guarded by a mutex), so the
// reader thread, blocked in XREADGROUP, does not delay it, and it works
// after stop() (the service stops intake first, then drains and acknowledges
// what was in flight). An XACK that fails (Redis unreachable) is kept and
// sent with the next acknowledge() or when the thread reconnects; while the
// thread knows Redis is down, acknowledge() only queues (no connect timeout
// per call). The queue is bounded by the entries delivered.
//
// Callbacks run on the reader thread, one at a time: on_connected(reconnected)
// once connected, then on_joining and deliveries, then on_disconnected(why) if the
// link is lost; on_connect_failed(why, retry_in) for each failed attempt.
// on_ack_failed(why) runs on the thread that acknowledged. Callbacks must not
// throw (an exception escaping one ends the process), except on_joining,
// whose exception is a failed link. A callback may call
// acknowledge(), and stop() (which then returns without joining).
//
// stop() returns within about `block` (the XREADGROUP BLOCK time), or
// connect_timeout if it is in the middle of a TCP connect; a command waiting
// on a Redis that does not answer (frozen, partitioned) is cut at once: stop()
// shuts the link's socket down under it (on one Redis; on a cluster, a node's
// other connections wait out io_timeout).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "io/backoff.hpp"
#include "io/redis_connection.hpp"
#include "io/redis_url.hpp"

namespace hourglass::io {

struct RedisStreamReaderOptions {
  RedisEndpoint endpoint;
  std::string key = "hourglass:inbox";  // the stream read, when `streams` is not set
  std::string group = "hourglass";
  std::string consumer = "hourglass";
  std::size_t batch = 100;                 // COUNT of each XREADGROUP
  std::chrono::milliseconds block{500};    // BLOCK of the XREADGROUP for new entries
  std::size_t max_unacknowledged = 1000;   // delivered and not yet acknowledged, at most
  std::chrono::milliseconds connect_timeout{1000};  // TCP connect, AUTH, SELECT
  std::chrono::milliseconds io_timeout{5000};  // each command, beyond the BLOCK time
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_cap{60000};
  double backoff_jitter = 0.2;
  std::uint64_t backoff_seed = 0x5eed;
  // While it answers true, nothing more is read (checked at least every
  // 100 ms): intake pauses, the entries wait in the stream. Called on the
  // reader thread under its lock: must be cheap and must not call the
  // reader. None: never held.
  std::function<bool()> hold;
  // The streams to read now, asked on the reader thread before every read
  // (at least every `block`); none: `key` alone. Must be cheap and
  // thread-safe.
  std::function<std::vector<std::string>()> streams;
  // Claim the group's pending entries of other consumers when a stream joins
  // (see above): only for a caller that holds a lease on the stream.
  bool claim_pending = false;
};

struct RedisStreamReaderCallbacks {
  std::function<void(std::string id, std::string channel, std::string payload)> on_entry;
  std::function<void(std::string id, std::string why)> on_malformed;
  std::function<void(bool reconnected)> on_connected;
  std::function<void(std::string why)> on_disconnected;
  std::function<void(std::string why, std::chrono::milliseconds retry_in)> on_connect_failed;
  std::function<void(std::string why)> on_ack_failed;
  // A stream joins (see above), before its group is made; may throw (a
  // failed link: it is tried again at the next connection).
  std::function<void(const std::string& stream)> on_joining;
};

class RedisStreamReader {
 public:
  // Validates the options (std::invalid_argument); does not connect yet.
  RedisStreamReader(RedisStreamReaderOptions options, RedisStreamReaderCallbacks callbacks);
  RedisStreamReader(const RedisStreamReader&) = delete;
  RedisStreamReader& operator=(const RedisStreamReader&) = delete;
  ~RedisStreamReader();  // stop()

  // Starts the thread. Throws std::logic_error if already started.
  void start();
  // Asks the thread to end and joins it; idempotent. No callback but
  // on_ack_failed runs after stop() returns (unless called from a callback).
  void stop();

  // The application is done with entry `id`: XACK now (see above). Thread-
  // safe; never throws. An id not delivered (or acknowledged twice) is sent
  // all the same: XACK of an entry not pending does nothing.
  void acknowledge(const std::string& id);

  // From on_entry only: the entry being delivered is not taken now (see above).
  void give_back();

  // Delivered and not yet acknowledged (for tests and health).
  std::size_t unacknowledged() const;

  const RedisStreamReaderOptions& options() const { return options_; }

 private:
  void run();
  // One link's life; returns on stop, throws on failure with `link_up`
  // telling whether it connected (a loss) or not (an attempt).
  void serve_link(Backoff& backoff, bool& connected_once, bool& link_up);
  // The streams wanted now, joined or left on this link's `joined`.
  std::vector<std::string> wanted() const;
  void follow_streams(RedisConnection& conn, std::vector<std::string>& joined);
  // on_joining, the group, the claim; then read_own_pending completes the join.
  void prepare(RedisConnection& conn, const std::string& stream);
  void leave(const std::string& stream);
  // This consumer's pending entries of `stream`, from the start, until none is left.
  void read_own_pending(RedisConnection& conn, const std::string& stream);
  // Reads `stream` from `id` (pending: "0"...); returns the last id read, or
  // nullopt when nothing came (or stop).
  std::optional<std::string> read_pending(RedisConnection& conn, const std::string& stream, const std::string& id);
  // New entries (">") of every stream joined, waiting up to `block`.
  void read_new(RedisConnection& conn, const std::vector<std::string>& joined);
  void deliver(const std::string& stream, const std::vector<StreamEntry>& entries, bool pending);
  // Waits until fewer than max_unacknowledged are out (true), or stop, or
  // `bound` passed (false).
  bool wait_for_room(std::chrono::milliseconds bound);
  // The entries of streams `streams()` no longer names stop counting (left_).
  void forget_unwanted();
  // The entries delivered from streams `left` names stop counting (left_).
  void forget_where(const std::function<bool(const std::string& stream)>& left);
  std::size_t room() const;  // how many more may be delivered now
  bool wait_or_stop(std::chrono::milliseconds d);  // true if stop was requested
  // Sends the queued XACKs on the ack connection; caller holds ack_mutex_.
  // `connect`: open the connection if needed even though Redis seemed down.
  void send_acks_locked(bool connect);
  std::size_t unsent_acks_locked() const;

  RedisStreamReaderOptions options_;
  RedisStreamReaderCallbacks callbacks_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> redis_down_{false};  // the thread's last attempt to connect failed
  bool given_back_ = false;              // the reader thread's: give_back() during this on_entry

  mutable std::mutex mutex_;  // guards outstanding_, left_, pending_phase_, acked_in_pending_phase_, link_fd_
  int link_fd_ = -1;          // the thread's live link's socket, for stop() to shut down
  std::condition_variable wake_;  // acknowledge() or stop()
  std::map<std::string, std::string> outstanding_;  // delivered, not yet acknowledged: id -> its stream
  // Delivered from a stream since left, not yet acknowledged: id -> stream.
  std::map<std::string, std::string> left_;
  // While the thread re-reads its pending entries of a stream, the ids
  // acknowledged meanwhile: the XREADGROUP reply may hold one whose XACK
  // the server had not seen yet, and it must not be delivered again.
  bool pending_phase_ = false;
  std::set<std::string> acked_in_pending_phase_;

  std::mutex ack_mutex_;  // guards the ack connection and queue
  std::optional<RedisConnection> ack_conn_;
  std::map<std::string, std::set<std::string>> unsent_acks_;  // stream -> ids
};

}  // namespace hourglass::io
