#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "io/redis_connection.hpp"
#include "io/redis_link.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::io::RedisEndpoint;
using hourglass::io::RedisError;
using hourglass::io::StreamEntry;
using hourglass::service::testing::RedisServer;
using Fields = std::vector<std::pair<std::string, std::string>>;

namespace {

RedisEndpoint loopback(int port) {
  RedisEndpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port;
  return ep;
}

// A listening socket nobody accepts from: the kernel completes the TCP
// handshake, so connects succeed, but no reply ever comes.
struct SilentListener {
  int fd = -1;
  int port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(fd >= 0);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

}  // namespace

TEST_CASE("redis connection: ping, publish, xadd, xrange, xdel, xlen against a real server",
          "[service][redis][integration]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  REQUIRE(conn.ping());
  CHECK_FALSE(conn.broken());

  CHECK(conn.publish("hourglass.nobody", "hello") == 0);  // no subscribers

  CHECK(conn.xlen("ticks") == 0);
  const std::string id1 = conn.xadd("ticks", {{"tick", "1"}, {"world", "alpha"}});
  const std::string id2 = conn.xadd("ticks", {{"tick", "2"}});
  const std::string id3 = conn.xadd("ticks", {{"tick", "3"}});
  CHECK(id1.find('-') != std::string::npos);
  CHECK(id1 != id2);
  CHECK(conn.xlen("ticks") == 3);

  const std::vector<StreamEntry> all = conn.xrange("ticks");
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == id1);
  CHECK(all[0].fields == Fields{{"tick", "1"}, {"world", "alpha"}});
  CHECK(all[1].id == id2);
  CHECK(all[2].fields == Fields{{"tick", "3"}});

  const auto first_two = conn.xrange("ticks", "-", "+", 2);
  REQUIRE(first_two.size() == 2);
  CHECK(first_two[1].id == id2);
  const auto from_second = conn.xrange("ticks", id2, "+");
  REQUIRE(from_second.size() == 2);
  CHECK(from_second[0].id == id2);

  CHECK(conn.xdel("ticks", {id1, id3, "0-1"}) == 2);  // 0-1 does not exist
  CHECK(conn.xdel("ticks", {}) == 0);
  CHECK(conn.xlen("ticks") == 1);
  const auto left = conn.xrange("ticks");
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == id2);
  CHECK(conn.xrange("no-such-stream").empty());
}

TEST_CASE("redis connection: keys, fields and payloads are binary-safe", "[service][redis][integration]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  const std::string stream("bin\0stream", 10);
  const std::string field("f\0 \r\n", 5);
  const std::string value("\0\xff\x01 payload \r\n*3", 16);
  conn.xadd(stream, {{field, value}});
  CHECK(conn.xlen("bin") == 0);  // the key is not truncated at the NUL
  const auto entries = conn.xrange(stream);
  REQUIRE(entries.size() == 1);
  REQUIRE(entries[0].fields.size() == 1);
  CHECK(entries[0].fields[0].first == field);
  CHECK(entries[0].fields[0].second == value);
  CHECK(conn.publish(std::string("ch\0x", 4), value) == 0);
}

TEST_CASE("redis connection: XADD with MAXLEN ~ trims the stream", "[service][redis][integration]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  for (int i = 0; i < 1000; ++i) conn.xadd("capped", {{"i", std::to_string(i)}}, 10);
  const std::size_t len = conn.xlen("capped");
  CHECK(len >= 10);
  CHECK(len < 300);  // approximate: whole radix-tree nodes (100 entries) are dropped
  CHECK(conn.xrange("capped").back().fields[0].second == "999");
}

TEST_CASE("redis connection: a server error names the command and keeps the connection usable",
          "[service][redis][integration]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  conn.xadd("plain", {{"a", "b"}});
  try {
    conn.xrange("plain", "not-an-id", "+");
    FAIL("XRANGE with a bad id did not throw");
  } catch (const RedisError& e) {
    CHECK(e.command() == "XRANGE");
    const std::string what = e.what();
    CHECK(what.find("Redis XRANGE on 127.0.0.1:" + std::to_string(server.port()) + " failed: ERR") == 0);
    CHECK(what.find("Invalid stream ID") != std::string::npos);
  }
  CHECK_FALSE(conn.broken());
  CHECK(conn.ping());
  CHECK_THROWS_AS(conn.xadd("plain", {}), std::invalid_argument);
}

TEST_CASE("redis connection: AUTH with the password and SELECT of the database", "[service][redis][integration]") {
  RedisServer server("hunter2");
  RedisEndpoint ep = server.endpoint();
  REQUIRE(ep.password == "hunter2");

  RedisEndpoint no_password = ep;
  no_password.password.clear();
  RedisConnection anonymous = RedisConnection::connect(no_password, 2s);
  CHECK_FALSE(anonymous.ping());
  CHECK_THROWS_WITH(anonymous.xlen("s"), Catch::Contains("NOAUTH"));

  RedisEndpoint wrong = ep;
  wrong.password = "wrong";
  try {
    RedisConnection::connect(wrong, 2s);
    FAIL("AUTH with a wrong password did not throw");
  } catch (const RedisError& e) {
    CHECK(e.command() == "AUTH");
    CHECK(std::string(e.what()).find("Redis AUTH on 127.0.0.1:") == 0);
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }

  RedisEndpoint db3 = ep;
  db3.db = 3;
  RedisConnection in_db3 = RedisConnection::connect(db3, 2s);
  in_db3.xadd("s", {{"k", "v"}});
  CHECK(in_db3.xlen("s") == 1);
  RedisConnection in_db0 = RedisConnection::connect(ep, 2s);
  CHECK(in_db0.xlen("s") == 0);

  RedisEndpoint bad_db = ep;
  bad_db.db = 99;  // default server has 16 databases
  CHECK_THROWS_WITH(RedisConnection::connect(bad_db, 2s),
                    Catch::StartsWith("Redis SELECT on 127.0.0.1:") && Catch::Contains("out of range"));
}

TEST_CASE("redis connection: connecting to a closed port fails with a clear error", "[service][redis]") {
  const int port = RedisServer::free_port();  // nothing listens there
  const auto t0 = std::chrono::steady_clock::now();
  try {
    RedisConnection::connect(loopback(port), 2s);
    FAIL("connect to a closed port did not throw");
  } catch (const RedisError& e) {
    CHECK(e.command() == "CONNECT");
    CHECK(std::string(e.what()) ==
          "Redis CONNECT on 127.0.0.1:" + std::to_string(port) + " failed: Connection refused");
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
}

TEST_CASE("redis connection: a server that never answers times out with a clear error", "[service][redis]") {
  SilentListener silent;
  RedisConnection conn = RedisConnection::connect(loopback(silent.port), 100ms);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    conn.xlen("s");
    FAIL("XLEN against a silent server did not throw");
  } catch (const RedisError& e) {
    CHECK(e.command() == "XLEN");
    CHECK_THAT(e.what(), Catch::Contains("failed: timed out after 100 ms"));
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(elapsed >= 90ms);
  CHECK(elapsed < 1s);
  // hiredis cannot resume a context after a timeout.
  CHECK(conn.broken());
  CHECK_FALSE(conn.ping());
  CHECK_THROWS_WITH(conn.xlen("s"), Catch::Contains("connection is broken by an earlier error"));
}

TEST_CASE("redis connection: losing the server breaks the connection", "[service][redis][integration]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  REQUIRE(conn.ping());
  server.stop();
  // The first write may still succeed into the dead socket; the read then
  // sees EOF or a reset. Either way the command fails and the link is broken.
  try {
    conn.xadd("s", {{"k", "v"}});
    FAIL("XADD against a stopped server did not throw");
  } catch (const RedisError& e) {
    CHECK(e.command() == "XADD");
    CHECK_THAT(e.what(), Catch::Contains("Server closed the connection") || Catch::Contains("Connection reset") ||
                             Catch::Contains("Broken pipe"));
  }
  CHECK(conn.broken());
  CHECK_FALSE(conn.error().empty());
  server.restart();
  CHECK_FALSE(conn.ping());  // a broken connection stays broken
  CHECK(RedisConnection::connect(server.endpoint(), 2s).ping());
}

TEST_CASE("redis link: one connection while it works, a new one after it broke, an error while Redis is gone",
          "[service][redis][integration]") {
  RedisServer server;
  hourglass::io::RedisLink link(server.endpoint(), 1000ms);
  CHECK(link.opened() == 0);  // nothing before first use
  RedisConnection* first = &link.get();
  CHECK(first->ping());
  CHECK(&link.get() == first);
  CHECK(link.opened() == 1);
  server.restart();
  CHECK_FALSE(link.get().ping());  // the old link sees the restart and breaks
  CHECK(link.get().ping());        // a new one
  CHECK(link.opened() == 2);
  server.stop();
  CHECK_FALSE(link.get().ping());
  CHECK_THROWS_AS(link.get(), RedisError);
}

TEST_CASE("redis connection: XINFO GROUPS gives a group's last delivered id", "[service][redis][integration]") {
  RedisServer server;
  auto c = RedisConnection::connect(server.endpoint(), 2000ms);
  c.xgroup_create("s", "g", "0");
  CHECK(c.xgroup_last_delivered("s", "g") == std::optional<std::string>("0-0"));
  CHECK_FALSE(c.xgroup_last_delivered("s", "other"));
  const std::string first = c.xadd("s", {{"k", "v"}});
  c.xadd("s", {{"k", "w"}});
  REQUIRE(c.xreadgroup("g", "me", "s", ">", 1, std::nullopt).size() == 1);
  CHECK(c.xgroup_last_delivered("s", "g") == std::optional<std::string>(first));
}
