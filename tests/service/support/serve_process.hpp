// `hourglass serve` as a child process, for tests that kill it: started with
// an environment of its own (its whole configuration), its output appended
// to a log file, SIGKILLed at any instant, restarted with the same settings.
// The child dies with the test (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace hourglass::service::testing {

class ServeProcess {
 public:
  // `binary`: the hourglass executable; `env`: the variables the child gets
  // (besides PATH and HOME); `log_path`: appended to, every life of it.
  ServeProcess(std::string binary, std::map<std::string, std::string> env, std::string log_path);
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess();  // kills it

  void start();  // throws std::runtime_error when it cannot be spawned
  // SIGKILL (async-signal-safe: may be called from any thread, also while
  // the process is starting or already dead). Does not reap.
  void kill_now();
  // Reaps it if it ended; true while it runs.
  bool running();
  // SIGKILL and reap.
  void kill_and_wait();
  // Sends `sig` (SIGTERM, SIGSTOP...) to it, if it runs.
  void signal(int sig);
  // Waits up to `bound` for it to end and reaps it: its exit code (128 +
  // the signal when a signal ended it); nullopt when it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds bound);
  pid_t pid() const { return pid_; }
  int lives() const { return lives_; }
  // The last `bytes` of the log.
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  std::string binary_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  volatile pid_t pid_ = -1;
  int lives_ = 0;
};

}  // namespace hourglass::service::testing
