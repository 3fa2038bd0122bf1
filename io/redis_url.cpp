#include "io/redis_url.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace hourglass::io {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("REDIS_URL: " + what); }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Parses a non-negative decimal number made of digits only.
bool parse_digits(std::string_view s, long long& out) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `what` names the part for the error message; the text itself is never quoted.
std::string percent_decode(std::string_view s, const char* what) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) fail(std::string(what) + " has an invalid percent-escape (expected %XX with hex digits)");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

RedisEndpoint parse_redis_url(std::string_view url) {
  RedisEndpoint ep;
  constexpr std::string_view scheme = "redis://";
  if (starts_with_ci(url, "rediss://")) fail("rediss:// (TLS) is not supported; use redis://");
  if (!starts_with_ci(url, scheme)) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) fail("expected a URL starting with redis://, e.g. redis://127.0.0.1:6379");
    fail("scheme " + quoted(url.substr(0, sep)) + " is not supported; expected redis://");
  }
  std::string_view rest = url.substr(scheme.size());

  if (const auto q = rest.find_first_of("?#"); q != std::string_view::npos) {
    fail("query parameters and fragments are not supported (found " + quoted(rest.substr(q, 1)) + ")");
  }

  // Split authority and path at the first '/' after the userinfo (the password
  // may contain '/', so look for it after the last '@').
  const auto at = rest.rfind('@');
  const std::size_t host_begin = at == std::string_view::npos ? 0 : at + 1;
  const auto slash = rest.find('/', host_begin);
  std::string_view hostport = rest.substr(host_begin, slash == std::string_view::npos ? std::string_view::npos
                                                                                      : slash - host_begin);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);

  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      fail("user info has no password (use redis://:password@host or redis://user:password@host)");
    }
    ep.password = percent_decode(userinfo.substr(colon + 1), "password");
    if (ep.password.empty()) fail("password after ':' in the user info is empty");
  }

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) fail("IPv6 host " + quoted(hostport) + " is missing ']'");
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail("unexpected " + quoted(after) + " after IPv6 host");
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = hostport.find(':');
    host = hostport.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) fail("host is empty");
  ep.host = std::string(host);

  if (has_port) {
    long long p = 0;
    if (!parse_digits(port, p)) fail("port " + quoted(port) + " is not a number");
    if (p < 1 || p > 65535) fail("port " + std::string(port) + " is out of range 1-65535");
    ep.port = static_cast<int>(p);
  }

  if (!path.empty()) {
    long long db = 0;
    if (!parse_digits(path, db)) fail("database " + quoted(path) + " is not a number");
    if (db > 2147483647LL) fail("database " + std::string(path) + " is out of range");
    ep.db = static_cast<int>(db);
  }
  return ep;
}

std::string to_string(const RedisEndpoint& ep) {
  std::string s = "redis://";
  if (!ep.password.empty()) s += ":***@";
  const bool ipv6 = ep.host.find(':') != std::string::npos;
  s += ipv6 ? "[" + ep.host + "]" : ep.host;
  s += ":" + std::to_string(ep.port);
  if (ep.db != 0) s += "/" + std::to_string(ep.db);
  return s;
}

}  // namespace hourglass::io
