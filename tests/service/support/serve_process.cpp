#include "tests/service/support/serve_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

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
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // Prepared before fork(): the child of a multi-threaded process may only
  // make async-signal-safe calls.
  const pid_t parent = ::getpid();
  const char* log_path = log_path_.c_str();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("ServeProcess: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int log = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (log < 0 || null < 0) ::_exit(125);
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    ::execve(argv[0], argv.data(), envp.data());
    static const char msg[] = "ServeProcess: execve failed\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  pid_ = pid;
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
