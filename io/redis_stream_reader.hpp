// A consumer-group reader of one Redis stream on its own thread that never
// gives up, the lossless counterpart of RedisSubscriber: entries stay in the
// stream, and in the group's pending list until acknowledged, so nothing is
// lost while Hourglass is down or between delivery and acknowledgement.
//
// On each (re)connection it makes the group if missing (XGROUP CREATE key
// group 0 MKSTREAM: from id 0, so a stream filled before the service first
// started is read whole), sends the acknowledgements that could not be sent
// yet, then reads this consumer's own pending entries (XREADGROUP ... 0,
// again from the last id seen until none is left: delivered before a crash
// or a lost link and never acknowledged), then new ones (">" with BLOCK).
// A pending entry already delivered in this process and not yet
// acknowledged is not delivered twice. Any error ends the link; it
// reconnects with exponential backoff (reset after each connection).
//
// Delivery: on_entry(id, channel, payload) from the entry's fields `channel`
// and `payload`; an entry lacking either goes to on_malformed(id, why)
// instead. Every id given to either callback must be acknowledge()d once the
// application is done with it (applied, refused, dead-lettered): until then
// it counts towards `max_unacknowledged`, and a new reader with the same
// consumer name gets it again (at-least-once).
//
// Bounded memory: at most `max_unacknowledged` entries are delivered and not
// acknowledged. At the bound the thread reads nothing and waits on a
// condition variable (woken by acknowledge() or stop()), so it never busy
// loops.
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
// once the group exists, then deliveries, then on_disconnected(why) if the
// link is lost; on_connect_failed(why, retry_in) for each failed attempt.
// on_ack_failed(why) runs on the thread that acknowledged. Callbacks must not
// throw (an exception escaping one ends the process). A callback may call
// acknowledge(), and stop() (which then returns without joining).
//
// stop() returns within about `block` (the XREADGROUP BLOCK time), or
// connect_timeout if it is in the middle of a TCP connect.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "io/backoff.hpp"
#include "io/redis_connection.hpp"
#include "io/redis_url.hpp"

namespace hourglass::io {

struct RedisStreamReaderOptions {
  RedisEndpoint endpoint;
  std::string key = "hourglass:inbox";
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
};

struct RedisStreamReaderCallbacks {
  std::function<void(std::string id, std::string channel, std::string payload)> on_entry;
  std::function<void(std::string id, std::string why)> on_malformed;
  std::function<void(bool reconnected)> on_connected;
  std::function<void(std::string why)> on_disconnected;
  std::function<void(std::string why, std::chrono::milliseconds retry_in)> on_connect_failed;
  std::function<void(std::string why)> on_ack_failed;
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

  // Delivered and not yet acknowledged (for tests and health).
  std::size_t unacknowledged() const;

  const RedisStreamReaderOptions& options() const { return options_; }

 private:
  void run();
  // One link's life; returns on stop, throws on failure with `link_up`
  // telling whether the group had been made (a loss) or not (an attempt).
  void serve_link(Backoff& backoff, bool& connected_once, bool& link_up);
  // Reads from `id` ("0"... for pending, ">" for new) and delivers; returns
  // the last id read, or nullopt when nothing came (or stop).
  std::optional<std::string> read_and_deliver(RedisConnection& conn, const std::string& id, bool pending);
  // Waits until fewer than max_unacknowledged are out, or stop; true if stop.
  bool wait_for_room();
  std::size_t room() const;  // how many more may be delivered now
  bool wait_or_stop(std::chrono::milliseconds d);  // true if stop was requested
  // Sends the queued XACKs on the ack connection; caller holds ack_mutex_.
  // `connect`: open the connection if needed even though Redis seemed down.
  void send_acks_locked(bool connect);

  RedisStreamReaderOptions options_;
  RedisStreamReaderCallbacks callbacks_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> redis_down_{false};  // the thread's last attempt to connect failed

  mutable std::mutex mutex_;  // guards outstanding_, pending_phase_, acked_in_pending_phase_
  std::condition_variable wake_;  // acknowledge() or stop()
  std::set<std::string> outstanding_;  // delivered, not yet acknowledged
  // While the thread re-reads its pending entries after a (re)connection,
  // the ids acknowledged meanwhile: the XREADGROUP reply may hold one whose
  // XACK the server had not seen yet, and it must not be delivered again.
  bool pending_phase_ = false;
  std::set<std::string> acked_in_pending_phase_;

  std::mutex ack_mutex_;  // guards the ack connection and queue
  std::optional<RedisConnection> ack_conn_;
  std::set<std::string> unsent_acks_;
};

}  // namespace hourglass::io
