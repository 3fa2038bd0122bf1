// A thread that loops until asked to stop, with a wait that a stop cuts
// short: the frame of the io clients that run on a thread of their own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace hourglass::io {

class StoppableThread {
 public:
  StoppableThread() = default;
  StoppableThread(const StoppableThread&) = delete;
  StoppableThread& operator=(const StoppableThread&) = delete;
  ~StoppableThread() { stop(); }

  // Runs `body` on the thread; `owner` names the caller in the error when
  // started twice (std::logic_error), also after a stop.
  void start(std::function<void()> body, const std::string& owner) {
    if (thread_.joinable() || stop_.load()) throw std::logic_error(owner + ": start() called twice");
    thread_ = std::thread(std::move(body));
  }
  // Asks the body to end and joins it (unless called from the body itself);
  // idempotent.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }
  bool stopping() const { return stop_.load(); }
  // Waits until `t` or a stop; true when stopped.
  bool wait_until(std::chrono::steady_clock::time_point t) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_until(lock, t, [this] { return stop_.load(); });
  }

 private:
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace hourglass::io
