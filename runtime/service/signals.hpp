// Turns SIGTERM/SIGINT into on_stop() and SIGHUP into on_reload(), called on
// a dedicated thread that sigwait()s, so the callbacks may lock mutexes,
// log and notify condition variables (nothing runs in a signal handler).
//
// Construct it in main before any other thread starts: the constructor blocks
// SIGTERM, SIGINT, SIGHUP (and SIGUSR1, used by stop()) in the calling
// thread, and threads started afterwards inherit that mask, so a signal sent
// to the process can only be taken by the watcher's sigwait. A thread created
// before the watcher that does not block them could receive them instead and
// die of the default action.
//
// on_stop() runs for every SIGTERM/SIGINT (a second one during a drain can
// mean "stop now"; that is the caller's choice). An exception from a callback
// is logged and swallowed.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <pthread.h>
#include <thread>

namespace hourglass::service {

class SignalWatcher {
 public:
  SignalWatcher(std::function<void()> on_stop, std::function<void()> on_reload);
  // stop(); then, when destroyed on the constructing thread, restores that
  // thread's previous signal mask.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Wakes the watcher with a SIGUSR1 sent to its thread, then joins.
  // Idempotent; must not be called from a callback.
  void stop();

 private:
  void run();

  std::function<void()> on_stop_;
  std::function<void()> on_reload_;
  sigset_t set_;
  sigset_t previous_;
  pthread_t owner_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace hourglass::service
