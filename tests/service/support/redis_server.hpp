// Test fixture: a real redis-server child process on a free loopback port,
// with its own temporary directory (and log file), no persistence.
//
//   RedisServer server;                       // started and answering PING
//   auto ep = parse_redis_url(server.url());
//   server.stop();                            // SIGTERM + waitpid
//   server.restart();                         // same port, empty data set
//
// The child gets PR_SET_PDEATHSIG(SIGKILL), so a crashing test run leaves no
// redis-server behind; on Linux that signal follows the *thread* that forked,
// so create and restart the server from a thread that outlives it (the test's
// main thread). Throws std::runtime_error if redis-server is not installed
// (Debian package `redis-server`) or does not come up, quoting its log.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "io/redis_url.hpp"

namespace hourglass::service::testing {

class RedisServer {
 public:
  // `password`: when not empty, the server requires it (--requirepass).
  // `extra_args`: appended to the command line after the defaults, so they
  // override them (e.g. {"--appendonly", "yes", "--appendfsync", "always"}).
  // `pick_port`: how each start-up attempt chooses its port; free_port() when
  // empty (a cluster node needs one with its bus port, +10000, free too).
  explicit RedisServer(std::string password = "", std::vector<std::string> extra_args = {},
                       std::function<int()> pick_port = {});
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();  // stops the server and removes its directory

  int port() const { return port_; }
  // "redis://127.0.0.1:PORT", or "redis://:PASSWORD@127.0.0.1:PORT".
  std::string url() const;
  io::RedisEndpoint endpoint() const;
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // of the redis-server process; -1 when stopped

  // SIGTERM and wait for the process to exit; no-op if not running.
  void stop();
  // SIGKILL and reap: a crash, nothing flushed beyond what its fsync policy
  // already put on disk. No-op if not running.
  void kill();
  // Starts again on the same port (stopping first if running).
  void restart();

  // A loopback TCP port that was free a moment ago (bind to port 0).
  static int free_port();

 private:
  void start();  // spawn on port_ and wait for PING; throws with the log tail
  void spawn();
  std::string log_tail() const;

  std::string password_;
  std::vector<std::string> extra_args_;
  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace hourglass::service::testing
