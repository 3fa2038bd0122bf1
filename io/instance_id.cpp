#include "io/instance_id.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <random>

namespace hourglass::io {
namespace {

struct Parsed {
  std::string host;
  long pid = 0;
};

bool parse(const std::string& id, Parsed& out) {
  const auto r = id.rfind('-');
  if (r == std::string::npos || r == 0) return false;
  const auto p = id.rfind('-', r - 1);
  if (p == std::string::npos || p == 0 || p + 1 == r) return false;
  const std::string pid = id.substr(p + 1, r - p - 1);
  if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) return false;
  out.host = id.substr(0, p);
  out.pid = std::stol(pid);
  return out.pid > 0;
}

}  // namespace

std::string make_instance_id() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "unknown-host");
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rd() & 0xffffff));
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

bool previous_life(const std::string& holder, const std::string& me) {
  Parsed h, m;
  if (holder == me || !parse(holder, h) || !parse(me, m) || h.host != m.host) return false;
  if (h.pid == static_cast<long>(::getpid())) return true;
  return ::kill(static_cast<pid_t>(h.pid), 0) != 0 && errno == ESRCH;
}

}  // namespace hourglass::io
