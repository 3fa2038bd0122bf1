#include "tests/service/support/serve_process.hpp"

#include <thread>

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/service/support/child_process.hpp"

namespace hourglass::service::testing {

ServeProcess::ServeProcess(std::string binary, std::map<std::string, std::string> env, std::string log_path)
    : binary_(std::move(binary)), env_(std::move(env)), log_path_(std::move(log_path)) {}

ServeProcess::~ServeProcess() { kill_and_wait(); }

void ServeProcess::start() {
  if (running()) throw std::logic_error("ServeProcess: already running");
  std::vector<std::string> args{binary_, "serve"};
  std::vector<std::string> env;
  for (const char* keep : {"PATH", "HOME"})
    if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
  for (const auto& [k, v] : env_) env.push_back(k + "=" + v);
  pid_ = spawn_child(args, env, log_path_);
  ++lives_;
}

void ServeProcess::kill_now() {
  const pid_t p = pid_;
  if (p > 0) ::kill(p, SIGKILL);
}

bool ServeProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ServeProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> ServeProcess::wait_exit(std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a child's exit with a deadline
  }
  return std::nullopt;
}

void ServeProcess::kill_and_wait() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string ServeProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace hourglass::service::testing
