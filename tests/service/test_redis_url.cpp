#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "io/redis_url.hpp"

using hourglass::io::parse_redis_url;
using hourglass::io::RedisEndpoint;

namespace {

// The message of the std::invalid_argument that parsing `url` throws.
std::string parse_error(const std::string& url) {
  try {
    parse_redis_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("parse_redis_url(\"" << url << "\") did not throw");
  return {};
}

}  // namespace

TEST_CASE("redis url: host alone defaults to port 6379, db 0, no password", "[service][redis][url]") {
  const RedisEndpoint ep = parse_redis_url("redis://cache.internal");
  CHECK(ep.host == "cache.internal");
  CHECK(ep.port == 6379);
  CHECK(ep.password.empty());
  CHECK(ep.db == 0);
}

TEST_CASE("redis url: host and port", "[service][redis][url]") {
  const RedisEndpoint ep = parse_redis_url("redis://127.0.0.1:6380");
  CHECK(ep.host == "127.0.0.1");
  CHECK(ep.port == 6380);
  CHECK(ep.db == 0);
}

TEST_CASE("redis url: password, port and database", "[service][redis][url]") {
  const RedisEndpoint ep = parse_redis_url("redis://:s3cret@redis:7000/4");
  CHECK(ep.host == "redis");
  CHECK(ep.port == 7000);
  CHECK(ep.password == "s3cret");
  CHECK(ep.db == 4);
}

TEST_CASE("redis url: a user name is ignored, its password kept", "[service][redis][url]") {
  const RedisEndpoint ep = parse_redis_url("redis://default:pw@10.0.0.5:6379");
  CHECK(ep.host == "10.0.0.5");
  CHECK(ep.password == "pw");
  CHECK(ep.port == 6379);
}

TEST_CASE("redis url: percent-encoded password, trailing slash, IPv6, upper-case scheme",
          "[service][redis][url]") {
  CHECK(parse_redis_url("redis://:p%40ss%3Aword@h:1").password == "p@ss:word");
  CHECK(parse_redis_url("redis://:a@b@h:2").password == "a@b");  // last '@' ends the user info
  CHECK(parse_redis_url("redis://h:3/").db == 0);
  const RedisEndpoint v6 = parse_redis_url("redis://[::1]:6390/2");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 6390);
  CHECK(v6.db == 2);
  CHECK(parse_redis_url("REDIS://Host").host == "Host");
}

TEST_CASE("redis url: errors name what is wrong", "[service][redis][url]") {
  CHECK(parse_error("redis://h:x") == "REDIS_URL: port \"x\" is not a number");
  CHECK(parse_error("redis://h:") == "REDIS_URL: port \"\" is not a number");
  CHECK(parse_error("redis://h:-1") == "REDIS_URL: port \"-1\" is not a number");
  CHECK(parse_error("redis://h:70000") == "REDIS_URL: port 70000 is out of range 1-65535");
  CHECK(parse_error("redis://h:0") == "REDIS_URL: port 0 is out of range 1-65535");
  CHECK(parse_error("redis://h:1/zero") == "REDIS_URL: database \"zero\" is not a number");
  CHECK(parse_error("redis://:6379") == "REDIS_URL: host is empty");
  CHECK(parse_error("redis://") == "REDIS_URL: host is empty");
  CHECK(parse_error("http://h:1") == "REDIS_URL: scheme \"http\" is not supported; expected redis://");
  CHECK(parse_error("h:6379").find("expected a URL starting with redis://") != std::string::npos);
  CHECK(parse_error("rediss://h").find("TLS") != std::string::npos);
  CHECK(parse_error("redis://h:1?timeout=3").find("query parameters") != std::string::npos);
  CHECK(parse_error("redis://[::1:6379").find("missing ']'") != std::string::npos);
  CHECK(parse_error("redis://:p%zz@h").find("invalid percent-escape") != std::string::npos);
}

TEST_CASE("redis url: errors never quote the password", "[service][redis][url]") {
  const std::string user_only = parse_error("redis://topsecret@h");
  CHECK(user_only.find("no password") != std::string::npos);
  CHECK(user_only.find("topsecret") == std::string::npos);
  const std::string bad_escape = parse_error("redis://:topsecret%g@h");
  CHECK(bad_escape.find("topsecret") == std::string::npos);
  CHECK(to_string(parse_redis_url("redis://:topsecret@h:7/1")) == "redis://:***@h:7/1");
}
