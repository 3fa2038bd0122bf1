#include "bench/serve_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace hourglass::bench {

std::vector<Reply> pipeline(io::RedisConnection& conn, const std::vector<std::vector<std::string>>& commands) {
  redisContext* c = conn.native_handle();
  for (const auto& cmd : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK)
      throw std::runtime_error(std::string("redis: ") + c->errstr);
  }
  std::vector<Reply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK || !r) throw std::runtime_error(std::string("redis: ") + c->errstr);
    out.emplace_back(static_cast<redisReply*>(r));
  }
  return out;
}

std::string outbox_key(const std::string& id) { return "hourglass:{" + id + "}:outbox"; }
std::string checkpoint_key(const std::string& id) { return "hourglass:{" + id + "}:checkpoint"; }

std::optional<sim::WorldTime> checkpoint_clock(const redisReply* r) {
  if (!r || r->type != REDIS_REPLY_STRING) return std::nullopt;
  const std::string_view text(r->str, r->len);
  constexpr std::string_view key = "\"currentWorldTime\":\"";
  const auto at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + key.size(), end = text.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  try {
    return sim::parse_world_time(std::string(text.substr(start, end - start)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<sim::WorldTime> read_checkpoint_clock(io::RedisConnection& conn, const std::string& id) {
  // The checkpoint's keys are sorted (nlohmann::json): campaign.currentWorldTime
  // is in its first bytes. Read whole only when it is not there.
  auto head = pipeline(conn, {{"GETRANGE", checkpoint_key(id), "0", "127"}});
  if (auto clock = checkpoint_clock(head[0].get())) return clock;
  if (head[0]->type != REDIS_REPLY_STRING || head[0]->len == 0) return std::nullopt;
  return checkpoint_clock(pipeline(conn, {{"GET", checkpoint_key(id)}})[0].get());
}

std::vector<std::string> not_at(io::RedisConnection& conn, const std::vector<std::string>& ids, sim::WorldTime time) {
  std::vector<std::string> out;
  constexpr std::size_t kBatch = 200;
  for (std::size_t b = 0; b < ids.size(); b += kBatch) {
    std::vector<std::vector<std::string>> cmds;
    // See read_checkpoint_clock: the clock is in the first bytes.
    for (std::size_t i = b; i < std::min(ids.size(), b + kBatch); ++i)
      cmds.push_back({"GETRANGE", checkpoint_key(ids[i]), "0", "127"});
    const auto replies = pipeline(conn, cmds);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      auto clock = checkpoint_clock(replies[i].get());
      if (!clock && replies[i]->type == REDIS_REPLY_STRING && replies[i]->len > 0)
        clock = checkpoint_clock(pipeline(conn, {{"GET", checkpoint_key(ids[b + i])}})[0].get());
      if (!clock || *clock != time) out.push_back(ids[b + i]);
    }
  }
  return out;
}

std::vector<std::size_t> outbox_lengths(io::RedisConnection& conn, const std::vector<std::string>& ids) {
  std::vector<std::vector<std::string>> cmds;
  for (const auto& id : ids) cmds.push_back({"XLEN", outbox_key(id)});
  std::vector<std::size_t> out;
  for (const auto& r : pipeline(conn, cmds))
    out.push_back(r->type == REDIS_REPLY_INTEGER ? static_cast<std::size_t>(r->integer) : 0);
  return out;
}

std::pair<int, std::string> http_get(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {0, ""};
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = 0;
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<std::size_t>(n));
      std::sscanf(reply.c_str(), "HTTP/%*s %d", &status);
    }
  }
  ::close(fd);
  const auto body = reply.find("\r\n\r\n");
  return {status, body == std::string::npos ? "" : reply.substr(body + 4)};
}

int health_status(int port) { return http_get(port, "/health").first; }

double metric_value(int port, const std::string& name) {
  const std::string body = "\n" + http_get(port, "/metrics").second;
  const std::string line = "\n" + name + " ";
  const auto at = body.find(line);
  return at == std::string::npos ? -1 : std::atof(body.c_str() + at + line.size());
}

std::string proc_status_field(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) {
      auto v = line.substr(field.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "?";
}

long proc_status_kb(int pid, const std::string& field) {
  const std::string v = proc_status_field(pid, field);
  return v == "?" ? -1 : std::atol(v.c_str());
}

double seconds_since(ProbeClock::time_point t) {
  return std::chrono::duration<double>(ProbeClock::now() - t).count();
}

}  // namespace hourglass::bench
