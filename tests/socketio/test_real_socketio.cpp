// Proof against the real thing (and `hourglass serve` driven by it, second
// case): a real Socket.IO server with
// @socket.io/redis-adapter (tests/socketio/emit_world_time.js, the versions
// the campaign API uses) emits world_time_changed to room campaign:c1 with
// the API's payload shape, on a real redis-server this test starts; the C++
// side PSUBSCRIBEs with io::RedisSubscriber and decodes with
// messages::decode_api_traffic.
//
// Its own executable and CTest: exit 77 (CTest SKIP_RETURN_CODE) when node or
// the npm packages are missing outside CI; with CI=true that is a failure.
// scripts/install-deps.sh --with-test-tools installs them.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include <thread>

#include "io/redis_subscriber.hpp"
#include "messages/api_input.hpp"
#include "runtime/serve_app.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
namespace messages = hourglass::messages;
namespace sim = hourglass::sim;

const std::string kToolsDir = std::string(HOURGLASS_SOURCE_DIR) + "/tests/socketio";

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// The node child: stdin and stdout are pipes, stderr is the test's.
class NodeChild {
 public:
  explicit NodeChild(std::vector<std::string> args) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  NodeChild(const NodeChild&) = delete;
  NodeChild& operator=(const NodeChild&) = delete;

  ~NodeChild() {
    if (stdin_ >= 0) ::close(stdin_);  // the script ends on EOF
    std::string rest;
    while (read_line(rest, 5s)) {
    }  // until EOF (it exited), or 5 s of silence
    if (!eof_) ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(stdout_);
  }

  void send(const std::string& line) {
    const std::string l = line + "\n";
    REQUIRE(::write(stdin_, l.data(), l.size()) == static_cast<ssize_t>(l.size()));
  }

  // The next line the child prints, waiting at most `timeout` for it (poll
  // on the pipe: an event, not a sleep). False on timeout or EOF.
  bool read_line(std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (eof_) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      pollfd p{stdout_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      char buf[512];
      const ssize_t n = ::read(stdout_, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  std::string expect_line(std::chrono::milliseconds timeout) {
    std::string line;
    if (!read_line(line, timeout)) FAIL("node child printed no line within " << timeout.count() << " ms (see its stderr above)");
    return line;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// What the subscriber thread saw.
struct Inbox {
  std::mutex mutex;
  std::condition_variable changed;
  bool connected = false;
  std::vector<std::pair<std::string, std::string>> messages;

  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return pred(*this); });
  }
};

}  // namespace

TEST_CASE("a real Socket.IO server's world_time_changed, read off Redis, decodes to a WorldTimeAdvanced",
          "[socketio]") {
  hourglass::service::testing::RedisServer redis;

  Inbox inbox;
  hourglass::io::RedisSubscriberOptions options;
  options.endpoint = redis.endpoint();
  options.patterns = {messages::kApiSocketIoCampaignPattern};
  hourglass::io::RedisSubscriberCallbacks callbacks;
  callbacks.on_connected = [&](bool) {
    std::lock_guard<std::mutex> lock(inbox.mutex);
    inbox.connected = true;
    inbox.changed.notify_all();
  };
  callbacks.on_message = [&](std::string channel, std::string payload) {
    std::lock_guard<std::mutex> lock(inbox.mutex);
    inbox.messages.emplace_back(std::move(channel), std::move(payload));
    inbox.changed.notify_all();
  };
  hourglass::io::RedisSubscriber subscriber(options, callbacks);
  subscriber.start();
  REQUIRE(inbox.wait(10s, [](Inbox& i) { return i.connected; }));

  NodeChild node({find_on_path("node"), kToolsDir + "/emit_world_time.js", redis.url(), "c1",
                  "2025-01-01T00:00:00.000Z", "2025-01-08T00:00:00.000Z"});
  REQUIRE(node.expect_line(30s) == "ready");
  // Another event to the same room first: the decoder must ignore it.
  node.send("emit-other");
  REQUIRE(node.expect_line(10s) == "emitted");
  REQUIRE(inbox.wait(10s, [](Inbox& i) { return i.messages.size() >= 2; }));
  subscriber.stop();

  const auto& [other_channel, other_bytes] = inbox.messages[0];
  CHECK(other_channel == "socket.io#/#campaign:c1#");
  const messages::ApiTraffic other = messages::decode_api_traffic(other_channel, other_bytes);
  REQUIRE(std::holds_alternative<messages::ApiIgnored>(other));
  CHECK(std::get<messages::ApiIgnored>(other).why == "event \"entity_updated\" is not world_time_changed");

  const auto& [channel, bytes] = inbox.messages[1];
  CHECK(channel == "socket.io#/#campaign:c1#");
  const messages::ApiTraffic decoded = messages::decode_api_traffic(channel, bytes);
  if (const auto* r = std::get_if<messages::ApiRefused>(&decoded)) FAIL("refused: " << r->what());
  if (const auto* i = std::get_if<messages::ApiIgnored>(&decoded)) FAIL("ignored: " << i->why);
  REQUIRE(std::holds_alternative<messages::WorldTimeAdvanced>(decoded));
  const auto& m = std::get<messages::WorldTimeAdvanced>(decoded);
  CHECK(m.campaign_id == "c1");
  CHECK(sim::format_world_time(m.previous_time) == "2025-01-01T00:00:00.000Z");
  CHECK(sim::format_world_time(m.new_time) == "2025-01-08T00:00:00.000Z");
  std::cout << "real Socket.IO packet on " << channel << " (" << bytes.size() << " bytes) decoded: campaign "
            << m.campaign_id << ", " << sim::format_world_time(m.previous_time) << " -> "
            << sim::format_world_time(m.new_time) << "\n";
}

TEST_CASE("hourglass serve advances a campaign on a real Socket.IO server's world_time_changed", "[socketio][serve]") {
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  hourglass::service::testing::RedisServer redis;
  hourglass::service::testing::FakeCampaignApi api{"secret-token"};
  api.start();
  const sim::WorldTime t0 = *sim::parse_world_time("2025-01-01T00:00:00.000Z");
  api.add_campaign("c1", t0, "main");
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1},
                            {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(redis, api);
  c.input = "campaign-manager";  // nothing but the API's own traffic
  hourglass::runtime::ServeApp app(c);
  app.start();
  std::thread runner([&] { app.wait(); });
  struct Stop {
    hourglass::runtime::ServeApp& app;
    std::thread& runner;
    ~Stop() {
      app.request_stop();
      runner.join();
    }
  } stop{app, runner};
  REQUIRE(app.wait_subscribed(1, 10s));

  NodeChild node({find_on_path("node"), kToolsDir + "/emit_world_time.js", redis.url(), "c1",
                  "2025-01-01T00:00:00.000Z", "2025-01-01T01:00:00.000Z"});
  REQUIRE(node.expect_line(30s) == "ready");
  node.send("emit");
  REQUIRE(node.expect_line(10s) == "emitted");
  // One hour of the campaign, written to the API: 100 people grow by 1%.
  nlohmann::json v;
  for (int i = 0; i < 75; ++i) {
    v = api.settlement("s1")["variables"];
    if (v.value("population", 0) == 101) break;
    api.wait_for_writes(api.writes_applied() + 1, 200ms);
  }
  CHECK(v["population"] == 101);
  CHECK(v["resources"]["food"] == 2);
}

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a node child that died must fail the test, not kill it
  std::string missing;
  if (find_on_path("node").empty()) missing = "node is not installed";
  for (const char* pkg : {"socket.io", "@socket.io/redis-adapter", "redis"})
    if (missing.empty() && !exists(kToolsDir + "/node_modules/" + pkg + "/package.json"))
      missing = std::string("npm package ") + pkg + " is not installed in " + kToolsDir + "/node_modules";
  if (!missing.empty()) {
    std::cerr << "real Socket.IO test: " << missing
              << " (scripts/install-deps.sh --with-test-tools installs it)\n";
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") return 1;
    std::cerr << "real Socket.IO test: SKIPPED (exit 77)\n";
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
