// `hourglass serve` as an object: it starts the actor system and the
// service actors, the Redis subscriber and/or stream reader and the status
// server, and stops in order (intake first, then the advances in flight,
// then the gateway's backlog within the drain timeout). Integration tests run it in-process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "runtime/service/config.hpp"

namespace hourglass::runtime {

class ServeApp {
 public:
  // Throws service::ConfigError listing every problem of the config.
  explicit ServeApp(service::ServiceConfig config);
  ~ServeApp();
  ServeApp(const ServeApp&) = delete;
  ServeApp& operator=(const ServeApp&) = delete;

  void start();
  void request_stop();  // safe from any thread (signal watcher)
  // Blocks until stop is requested, then drains and shuts down. Returns the
  // exit code (0 when everything drained in time).
  int wait();
  int status_port() const;
  // Reads the rules file again (SIGHUP). Valid rules reach every campaign
  // between two of its messages; refused rules (the error names the file
  // and JSON path) leave the running ones in place. Returns the error, or
  // "" when the new rules were taken. Safe from any thread after start().
  std::string reload_rules();
  // Blocks until the Redis subscription is (re)established `times` times in
  // all, or `timeout` passes (a hook for tests: pub/sub drops what is
  // published before anyone subscribes). With the stream input, its reader
  // must have (re)connected (its group made) `times` times as well.
  bool wait_subscribed(int times, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hourglass::runtime
