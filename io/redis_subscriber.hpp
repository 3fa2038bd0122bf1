// A Redis pub/sub subscriber on its own thread that never gives up: it
// connects, PSUBSCRIBEs to the given patterns, delivers every pmessage, and on
// any loss reconnects with exponential backoff (Backoff, reset after each
// successful subscribe) until stop().
//
// Callbacks run on the subscriber thread, one at a time, in this order per
// link: on_connected(reconnected) once the server confirmed every pattern,
// then on_message(...) for each message, then on_disconnected(why) if the link
// is lost. on_connected(false) is the first subscription ever, (true) any
// later one; messages published while disconnected are lost (that is pub/sub).
// on_connect_failed(why, retry_in) reports each failed attempt to (re)connect
// and subscribe. After a lost link, once subscribed again and just before
// on_connected(true), on_link_loss_explained(verdict) says why the link was
// lost (io/redis_link_loss: INFO read on each link before it subscribes,
// compared), e.g. Redis dropped it for its pub/sub output buffer limit. A callback may call stop() (it then returns without joining).
// Callbacks must not throw: an exception escaping one ends the process, as
// with any std::thread. Keep them short; the thread does not read the socket
// while a callback runs.
//
// Idle waiting never touches hiredis' error state: the thread poll(2)s the
// socket with `poll_interval` and only then lets hiredis read, so stop()
// returns within about poll_interval, or connect_timeout if it is in the
// middle of a TCP connect. Dead peers are found by EOF/RST and TCP keepalive.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/backoff.hpp"
#include "io/redis_link_loss.hpp"
#include "io/redis_url.hpp"

namespace hourglass::io {

struct RedisSubscriberOptions {
  RedisEndpoint endpoint;
  std::vector<std::string> patterns;  // PSUBSCRIBE patterns; at least one
  std::chrono::milliseconds connect_timeout{1000};  // TCP connect, AUTH, SELECT
  std::chrono::milliseconds io_timeout{5000};  // socket writes; PSUBSCRIBE confirmation
  std::chrono::milliseconds poll_interval{100};  // how often the loop checks for stop()
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_cap{60000};
  double backoff_jitter = 0.2;
  std::uint64_t backoff_seed = 0x5eed;
  // While it answers true, the socket is not read (checked every
  // poll_interval): intake pauses and Redis buffers what is published, up to
  // its client-output-buffer-limit for pub/sub, past which it drops the link
  // (then the reconnect's resync catches up). Called on the subscriber
  // thread; must be cheap and thread-safe. None: never held.
  std::function<bool()> hold;
};

struct RedisSubscriberCallbacks {
  std::function<void(std::string channel, std::string payload)> on_message;
  std::function<void(bool reconnected)> on_connected;
  std::function<void(std::string why)> on_disconnected;
  std::function<void(std::string why, std::chrono::milliseconds retry_in)> on_connect_failed;
  std::function<void(const LinkLossVerdict& verdict)> on_link_loss_explained;
};

class RedisSubscriber {
 public:
  // Validates the options (std::invalid_argument); does not connect yet.
  RedisSubscriber(RedisSubscriberOptions options, RedisSubscriberCallbacks callbacks);
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;
  ~RedisSubscriber();  // stop()

  // Starts the thread. Throws std::logic_error if already started.
  void start();
  // Asks the thread to end and joins it; idempotent. No callback runs after
  // stop() returns (unless called from a callback, which cannot join itself).
  void stop();

 private:
  void run();
  // One link's life: connect, subscribe, read until loss or stop. Returns
  // normally on stop; throws on failure, with `link_up` telling whether the
  // subscription had been confirmed (a loss) or not (a failed attempt).
  void serve_link(Backoff& backoff, bool& subscribed_once, bool& link_up);
  bool wait_or_stop(std::chrono::milliseconds d);  // true if stop was requested

  RedisSubscriberOptions options_;
  RedisSubscriberCallbacks callbacks_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  // Why the last link was lost, told at the next subscription (subscriber
  // thread only): INFO as read on it, and whether Redis closed it (EOF).
  RedisServerInfo link_info_;
  bool closed_by_server_ = false;       // the current link's
  bool lost_closed_by_server_ = false;  // the lost link's
  bool loss_to_explain_ = false;
};

}  // namespace hourglass::io
