#include "tests/service/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace hourglass::service::testing {

pid_t spawn_child(const std::vector<std::string>& args, const std::optional<std::vector<std::string>>& env,
                  const std::string& log_path) {
  // Everything the child needs is prepared here: after fork() in a
  // multi-threaded process it may only make async-signal-safe calls.
  std::vector<std::string> argv_text = args, env_text = env.value_or(std::vector<std::string>{});
  std::vector<char*> argv, envp;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  char** child_env = env ? envp.data() : environ;
  rlimit rl{};
  const int max_fd = (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
                         ? static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 65536))
                         : 4096;
  const pid_t parent = ::getpid();
  const char* log = log_path.c_str();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("spawn_child: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (out < 0 || null < 0) ::_exit(125);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
      for (int fd = 3; fd < max_fd; ++fd) ::close(fd);
    ::execve(argv[0], argv.data(), child_env);
    static const char msg[] = "spawn_child: execve failed\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  return pid;
}

}  // namespace hourglass::service::testing
