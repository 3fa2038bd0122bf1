#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

#include "runtime/service/signals.hpp"

using namespace hourglass::service;

namespace {

struct Counts {
  std::mutex mutex;
  std::condition_variable cv;
  int stops = 0;
  int reloads = 0;

  // Waits until pred() holds or 5 s pass; returns pred().
  template <class Pred>
  bool wait_for(Pred pred) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::seconds(5), pred);
  }
};

// Polls a kernel-side condition (no event to wait on) until it holds or 5 s pass.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Blocks the watched signals in the test thread for the test's duration and
// restores the previous mask afterwards.
struct BlockSignals {
  sigset_t previous;
  BlockSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
    REQUIRE(pthread_sigmask(SIG_BLOCK, &set, &previous) == 0);
  }
  ~BlockSignals() { pthread_sigmask(SIG_SETMASK, &previous, nullptr); }
};

// kill(getpid(), sig) may be delivered to any thread that does not block
// `sig`. True when every thread of this process blocks SIGTERM, SIGINT and
// SIGHUP, so that a process-directed signal can only reach the watcher.
bool all_threads_block_watched_signals() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return false;
  bool all = true;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream status(std::string("/proc/self/task/") + e->d_name + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      for (int s : {SIGTERM, SIGINT, SIGHUP})
        if ((mask & (1ULL << (s - 1))) == 0) all = false;
    }
  }
  closedir(dir);
  return all;
}

}  // namespace

TEST_CASE("signal watcher turns SIGHUP into reload and SIGTERM/SIGINT into stop", "[service][signals]") {
  BlockSignals block;
  Counts counts;
  SignalWatcher watcher(
      [&] {
        std::lock_guard<std::mutex> lock(counts.mutex);
        ++counts.stops;
        counts.cv.notify_all();
      },
      [&] {
        std::lock_guard<std::mutex> lock(counts.mutex);
        ++counts.reloads;
        counts.cv.notify_all();
      });

  if (!all_threads_block_watched_signals()) {
    WARN("another thread of this process does not block SIGTERM/SIGINT/SIGHUP; not raising signals");
    return;
  }

  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(counts.wait_for([&] { return counts.reloads == 1; }));
  CHECK(counts.stops == 0);

  REQUIRE(kill(getpid(), SIGTERM) == 0);
  REQUIRE(counts.wait_for([&] { return counts.stops == 1; }));

  REQUIRE(kill(getpid(), SIGINT) == 0);
  REQUIRE(counts.wait_for([&] { return counts.stops == 2; }));

  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(counts.wait_for([&] { return counts.reloads == 2; }));
  CHECK(counts.stops == 2);

  const auto t0 = std::chrono::steady_clock::now();
  watcher.stop();
  watcher.stop();  // idempotent
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE("signal watcher survives a throwing callback and a stray SIGUSR1", "[service][signals]") {
  BlockSignals block;
  Counts counts;
  SignalWatcher watcher([] {}, [&] {
    std::lock_guard<std::mutex> lock(counts.mutex);
    ++counts.reloads;
    counts.cv.notify_all();
    if (counts.reloads == 1) throw std::runtime_error("reload failed");
  });
  if (!all_threads_block_watched_signals()) {
    WARN("another thread of this process does not block SIGTERM/SIGINT/SIGHUP; not raising signals");
    return;
  }
  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(counts.wait_for([&] { return counts.reloads == 1; }));
  // A SIGUSR1 from outside is not a stop request. Wait until the watcher has
  // taken it before going on: Linux delivers pending signals lowest number
  // first, so with SIGHUP also pending the stray SIGUSR1 could outlive the
  // watcher and kill the test once the mask is restored.
  REQUIRE(kill(getpid(), SIGUSR1) == 0);
  REQUIRE(eventually([] {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGUSR1) == 0;
  }));
  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(counts.wait_for([&] { return counts.reloads == 2; }));
}

TEST_CASE("signal watcher stops promptly when no signal came and restores the mask", "[service][signals]") {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  REQUIRE(sigismember(&before, SIGTERM) == 0);  // the other tests restored it
  {
    SignalWatcher watcher([] {}, [] {});
    sigset_t during;
    pthread_sigmask(SIG_SETMASK, nullptr, &during);
    CHECK(sigismember(&during, SIGTERM) == 1);
    CHECK(sigismember(&during, SIGINT) == 1);
    CHECK(sigismember(&during, SIGHUP) == 1);
    const auto t0 = std::chrono::steady_clock::now();
    watcher.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  }
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  CHECK(sigismember(&after, SIGTERM) == 0);
}
