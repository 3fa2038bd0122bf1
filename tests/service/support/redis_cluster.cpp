#include "tests/service/support/redis_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "io/redis_connection.hpp"
#include "tests/service/support/child_process.hpp"

namespace hourglass::service::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs a tool to its end; throws with its output when it fails.
void run_tool(const std::vector<std::string>& args, const std::string& log_path) {
  const pid_t pid = spawn_child(args, std::nullopt, log_path);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(args.front() + " failed (status " + std::to_string(status) + "):\n" + read_file(log_path));
  }
}

std::string cluster_info(const io::RedisEndpoint& ep) {
  auto conn = io::RedisConnection::connect_node(ep, std::chrono::milliseconds(500));
  return conn.execute({"CLUSTER", "INFO"}).text;
}

bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

// A cluster node listens on its port and on port + 10000 (the cluster bus),
// so its port must be 55535 at most, and both free.
int cluster_node_port() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = RedisServer::free_port();
    if (port <= 55535 && port_free(port + 10000)) return port;
  }
  throw std::runtime_error("RedisCluster: no free port <= 55535 with its bus port (+10000) free");
}

}  // namespace

RedisCluster::RedisCluster(int masters) {
  char tmpl[] = "/tmp/hourglass-cluster-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("RedisCluster: mkdtemp failed");
  work_dir_ = tmpl;
  // A short node timeout: a killed master restarted at once is back before
  // the others could mark it failed; one left down fails the cluster in 5 s.
  const std::vector<std::string> args{"--cluster-enabled", "yes",    "--appendonly",          "yes",
                                      "--appendfsync",     "always", "--cluster-node-timeout", "5000"};
  for (int i = 0; i < masters; ++i) nodes_.push_back(std::make_unique<RedisServer>("", args, cluster_node_port));
  std::vector<std::string> create{"/usr/bin/redis-cli", "--cluster", "create"};
  for (const auto& n : nodes_) create.push_back("127.0.0.1:" + std::to_string(n->port()));
  create.push_back("--cluster-yes");
  run_tool(create, work_dir_ + "/create.log");
  wait_ok();
}

RedisCluster::~RedisCluster() {
  nodes_.clear();
  std::error_code ec;
  std::filesystem::remove_all(work_dir_, ec);
}

void RedisCluster::wait_ok(std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  std::string last = "no answer yet";
  for (;;) {
    bool all_ok = true;
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      try {
        const std::string info = cluster_info(n->endpoint());
        if (info.find("cluster_state:ok") == std::string::npos ||
            info.find("cluster_slots_ok:16384") == std::string::npos) {
          all_ok = false;
          last = "node " + std::to_string(n->port()) + ": " + info;
        }
      } catch (const io::RedisError& e) {
        all_ok = false;
        last = e.what();
      }
    }
    if (all_ok) return;
    if (Clock::now() >= deadline) {
      throw std::runtime_error("Redis Cluster not ok within " + std::to_string(timeout.count()) + " ms: " + last);
    }
    // Waiting for external processes to agree: a short pause between probes.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void RedisCluster::kill(int i) { node(i).kill(); }

void RedisCluster::restart(int i) {
  node(i).restart();
  wait_ok();
}

int RedisCluster::owner_of_slot(int slot) const {
  int asked = 0;  // the first master running
  while (asked + 1 < size() && !nodes_[static_cast<std::size_t>(asked)]->running()) ++asked;
  auto conn = io::RedisConnection::connect_node(endpoint(asked), std::chrono::milliseconds(500));
  const io::RedisReply slots = conn.execute({"CLUSTER", "SLOTS"});
  for (const auto& range : slots.elements) {
    if (range.elements.size() < 3) continue;
    if (slot < range.elements[0].integer || slot > range.elements[1].integer) continue;
    const long long port = range.elements[2].elements.at(1).integer;
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      if (nodes_[n]->port() == port) return static_cast<int>(n);
    }
  }
  throw std::runtime_error("RedisCluster: no master serves slot " + std::to_string(slot));
}

std::string RedisCluster::node_id(int i) const {
  auto conn = io::RedisConnection::connect_node(endpoint(i), std::chrono::milliseconds(500));
  return conn.execute({"CLUSTER", "MYID"}).text;
}

}  // namespace hourglass::service::testing

namespace hourglass::service::testing {

io::RedisConnection RedisCluster::admin(int i) const {
  return io::RedisConnection::connect_node(endpoint(i), std::chrono::seconds(2));
}

void RedisCluster::begin_slot_migration(int slot, int from, int to) const {
  const std::string s = std::to_string(slot);
  admin(to).execute({"CLUSTER", "SETSLOT", s, "IMPORTING", node_id(from)});
  admin(from).execute({"CLUSTER", "SETSLOT", s, "MIGRATING", node_id(to)});
}

void RedisCluster::migrate_keys(int from, int to, const std::vector<std::string>& keys) const {
  const std::string port = std::to_string(endpoint(to).port);
  std::vector<std::string_view> args{"MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS"};
  args.insert(args.end(), keys.begin(), keys.end());
  admin(from).execute(args);
}

void RedisCluster::finish_slot_migration(int slot, int to) const {
  const std::string s = std::to_string(slot);
  const std::string id = node_id(to);
  // The target first, then the others (the order redis-cli uses).
  admin(to).execute({"CLUSTER", "SETSLOT", s, "NODE", id});
  for (int i = 0; i < size(); ++i) {
    if (i != to) admin(i).execute({"CLUSTER", "SETSLOT", s, "NODE", id});
  }
}

}  // namespace hourglass::service::testing
