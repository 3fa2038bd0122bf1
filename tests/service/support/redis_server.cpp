#include "tests/service/support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "io/redis_connection.hpp"
#include "tests/service/support/child_process.hpp"

namespace hourglass::service::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string find_redis_server() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  dirs += ":/usr/bin:/usr/sbin:/usr/local/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error(
      "redis-server not found on PATH; the Redis integration tests need it: "
      "install the Debian package `redis-server` (apt-get install redis-server)");
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

int RedisServer::free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(errno_text("free_port: socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = errno_text("free_port: bind/getsockname on 127.0.0.1:0");
    ::close(fd);
    throw std::runtime_error(err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

RedisServer::RedisServer(std::string password, std::vector<std::string> extra_args, std::function<int()> pick_port)
    : password_(std::move(password)), extra_args_(std::move(extra_args)) {
  find_redis_server();  // a clear error before anything else
  char tmpl[] = "/tmp/hourglass-redis-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(errno_text("RedisServer: mkdtemp"));
  dir_ = tmpl;
  log_path_ = dir_ + "/redis.log";
  // The free port may be taken between probing and redis' bind; try a few.
  for (int attempt = 1;; ++attempt) {
    port_ = pick_port ? pick_port() : free_port();
    try {
      start();
      return;
    } catch (const std::exception&) {
      if (attempt < 3) continue;
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw;
    }
  }
}

RedisServer::~RedisServer() {
  try {
    stop();
  } catch (...) {
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url() const {
  const std::string auth = password_.empty() ? "" : ":" + password_ + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_);
}

io::RedisEndpoint RedisServer::endpoint() const {
  io::RedisEndpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port_;
  ep.password = password_;
  return ep;
}

std::string RedisServer::log_tail() const {
  std::ifstream in(log_path_);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) out += "\n  " + lines[i];
  return out.empty() ? " (empty log)" : out;
}

void RedisServer::spawn() {
  const std::string exe = find_redis_server();
  std::vector<std::string> args{exe,          "--port",     std::to_string(port_), "--bind",      "127.0.0.1",
                                "--save",     "",           "--appendonly",        "no",          "--daemonize",
                                "no",         "--dir",      dir_,                  "--logfile",   "",
                                "--protected-mode", "no"};
  if (!password_.empty()) args.insert(args.end(), {"--requirepass", password_});
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  const pid_t pid = spawn_child(args, std::nullopt, log_path_);
  pid_ = pid;
}

void RedisServer::start() {
  spawn();
  io::RedisEndpoint ep = endpoint();
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::string last_error = "no attempt";
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server on port " + std::to_string(port_) + " exited during start-up (status " +
                               std::to_string(status) + "); log " + log_path_ + ":" + log_tail());
    }
    try {
      // This server only: connect() could fall back to another cluster master.
      auto conn = io::RedisConnection::connect_node(ep, std::chrono::milliseconds(200));
      if (conn.ping()) return;
      last_error = "PING did not answer PONG";
    } catch (const io::RedisError& e) {
      last_error = e.what();
    }
    // Waiting for an external process to come up: a short pause between probes.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string tail = log_tail();
  stop();
  throw std::runtime_error("redis-server on port " + std::to_string(port_) + " did not answer PING within 5 s (" +
                           last_error + "); log " + log_path_ + ":" + tail);
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // waiting for an external process to exit
  }
  pid_ = -1;
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void RedisServer::restart() {
  stop();
  start();
}

}  // namespace hourglass::service::testing
