#include "runtime/service/signals.hpp"

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <string>

namespace hourglass::service {

SignalWatcher::SignalWatcher(std::function<void()> on_stop, std::function<void()> on_reload)
    : on_stop_(std::move(on_stop)), on_reload_(std::move(on_reload)), owner_(pthread_self()) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGHUP);
  sigaddset(&set_, SIGUSR1);
  const int rc = pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  if (rc != 0) throw std::runtime_error(std::string("pthread_sigmask: ") + std::strerror(rc));
  thread_ = std::thread([this] { run(); });  // inherits the mask just set
}

SignalWatcher::~SignalWatcher() {
  stop();
  if (pthread_equal(owner_, pthread_self())) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void SignalWatcher::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  // Directed at the watcher thread (not the process), so no other thread can
  // take it, whatever its mask.
  pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
}

void SignalWatcher::run() {
  for (;;) {
    int sig = 0;
    const int rc = sigwait(&set_, &sig);
    if (rc != 0) {
      if (rc == EINTR) continue;
      spdlog::error("signal watcher: sigwait failed: {}", std::strerror(rc));
      return;
    }
    try {
      switch (sig) {
        case SIGTERM:
        case SIGINT:
          spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
          if (on_stop_) on_stop_();
          break;
        case SIGHUP:
          spdlog::info("received SIGHUP, reloading");
          if (on_reload_) on_reload_();
          break;
        case SIGUSR1:
          if (stopping_) return;
          break;  // a stray SIGUSR1 from outside: ignore
        default:
          break;
      }
    } catch (const std::exception& e) {
      spdlog::error("signal watcher: callback failed: {}", e.what());
    } catch (...) {
      spdlog::error("signal watcher: callback failed");
    }
  }
}

}  // namespace hourglass::service
