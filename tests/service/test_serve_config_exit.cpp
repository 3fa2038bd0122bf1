// A bad configuration through the real `hourglass serve` process: it must
// exit 2 before it starts anything, with every fault on stderr at once
// (environment, flags and validation together), one per line.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/service/support/child_process.hpp"

#ifndef HOURGLASS_BINARY
#error "HOURGLASS_BINARY must be defined (tests/service/CMakeLists.txt)"
#endif

namespace {

struct Exit {
  std::optional<int> code;  // nullopt: still running at the deadline (then killed) or killed by a signal
  std::string output;       // stdout and stderr
};

// Runs `hourglass serve <args>` with exactly `env` and waits for it to end,
// at most `deadline` (a process that starts serving instead of refusing its
// configuration never ends by itself).
Exit run_serve(const std::vector<std::string>& args, const std::vector<std::string>& env,
               std::chrono::seconds deadline = std::chrono::seconds(20)) {
  char path[] = "/tmp/hourglass_serve_cfg_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::vector<std::string> argv{HOURGLASS_BINARY, "serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = hourglass::service::testing::spawn_child(argv, env, path);
  Exit result;
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + deadline;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the child's end, deadline above
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else if (done == pid && WIFEXITED(status)) {
    result.code = WEXITSTATUS(status);
  }
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  result.output = text.str();
  std::remove(path);
  return result;
}

// Nothing listens on port 1: were the process to go past its configuration,
// it would not find a Redis either.
const std::vector<std::string> kBase{"API_TOKEN=t", "REDIS_URL=redis://127.0.0.1:1"};

std::vector<std::string> plus(std::vector<std::string> env, std::initializer_list<std::string> more) {
  env.insert(env.end(), more);
  return env;
}

}  // namespace

TEST_CASE("serve: every configuration fault at once, exit 2 (BIND, LOG_LEVEL, PORT, --max-outbox)",
          "[service][config][process]") {
  const Exit e =
      run_serve({"--max-outbox", "0"}, plus(kBase, {"BIND=not-an-ip", "LOG_LEVEL=loud", "PORT=x"}));
  INFO(e.output);
  REQUIRE(e.code);
  CHECK(*e.code == 2);
  for (const char* named : {"BIND", "not-an-ip", "LOG_LEVEL", "loud", "PORT", "--max-outbox"}) {
    INFO(named);
    CHECK(e.output.find(named) != std::string::npos);
  }
  // One fault per line, nothing logged before: the process stopped at its configuration.
  CHECK(e.output.find("starting:") == std::string::npos);
}

TEST_CASE("serve: BIND=not-an-ip alone is refused at start, exit 2", "[service][config][process]") {
  const Exit e = run_serve({}, plus(kBase, {"BIND=not-an-ip"}), std::chrono::seconds(10));
  INFO(e.output);
  REQUIRE(e.code);
  CHECK(*e.code == 2);
  CHECK(e.output.find("BIND") != std::string::npos);
}

TEST_CASE("serve: a flag that is not a number exits 2 naming it, with the environment's faults",
          "[service][config][process]") {
  const Exit e = run_serve({"--port", "abc"}, plus(kBase, {"GATEWAY_RETRIES=many"}));
  INFO(e.output);
  REQUIRE(e.code);
  CHECK(*e.code == 2);
  CHECK(e.output.find("--port") != std::string::npos);
  CHECK(e.output.find("abc") != std::string::npos);
  CHECK(e.output.find("GATEWAY_RETRIES") != std::string::npos);
}
