// The HTTP side of live tuning (cpp-httplib, on 127.0.0.1 only):
//   GET /           the control page (LiveTuner::page)
//   GET /run?v=N    variant N re-run and its report (text/html)
//   GET /rules?v=N  variant N's rules as a file to save (application/json)
// A bad `v` is answered 400 with the reason; a replay that fails, 500.
#pragma once

#include <memory>
#include <thread>

#include "runtime/tune/live_tuner.hpp"

namespace httplib {
class Server;
}

namespace hourglass::runtime::tune {

class LiveServer {
 public:
  explicit LiveServer(LiveTuner& tuner);
  ~LiveServer();
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  // Binds 127.0.0.1:port (0: any free port) and serves on a thread of its
  // own; returns the port. Throws std::runtime_error when it cannot bind.
  int start(int port);
  void stop();
  // Blocks until stop() (or the process ends).
  void wait();

 private:
  LiveTuner& tuner_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace hourglass::runtime::tune
