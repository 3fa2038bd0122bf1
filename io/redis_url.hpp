// Parsing of REDIS_URL values into the host, port, password and database
// that a hiredis connection needs.
//
// Accepted forms:
//   redis://host                      port 6379, db 0
//   redis://host:port
//   redis://:password@host:port/db
//   redis://user:password@host:port   the user is ignored: hiredis 0.14 and
//                                     the service authenticate with
//                                     `AUTH password` only
//   redis://[::1]:port                IPv6 literals in brackets
// The password may be percent-encoded (%40 for '@', %3A for ':').
// Anything else (another scheme, rediss://, a query string, an empty host,
// a port or database that is not a number) throws std::invalid_argument
// with a message that starts "REDIS_URL:" and names the offending part. The
// password is never quoted in messages.
#pragma once

#include <string>
#include <string_view>

namespace hourglass::io {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // empty: no AUTH
  int db = 0;            // 0: no SELECT
};

RedisEndpoint parse_redis_url(std::string_view url);

// "redis://host:port/db" with the password, if any, shown as "***"; for logs.
std::string to_string(const RedisEndpoint& endpoint);

}  // namespace hourglass::io
