// Partitions and their leases against a real redis-server: the mapping is
// the documented hash, the count is stored once and a different one refused,
// one holder at a time, expiry decided by Redis, tokens that never go down.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::check_partition_count;
using hourglass::io::LeaseAnswer;
using hourglass::io::partition_of;
using hourglass::io::PartitionCountMismatch;
using hourglass::io::PartitionLeases;
using hourglass::io::RedisConnection;
using hourglass::service::testing::RedisServer;

TEST_CASE("partition_of is FNV-1a 64 of the id's bytes, mod the count", "[service][partitions]") {
  // Values computed independently (Python, the published FNV-1a 64 constants):
  // a change of the hash would move every campaign to another partition.
  CHECK(partition_of("c1", 64) == 622199369613600857ull % 64);
  CHECK(partition_of("c1", 64) == 25);
  CHECK(partition_of("", 64) == 37);  // the offset basis itself
  CHECK(partition_of("campaign-42", 64) == 8);
  CHECK(partition_of("c2", 7) == 6);
  CHECK(partition_of("c1", 1) == 0);
  for (int i = 0; i < 200; ++i) CHECK(partition_of("c" + std::to_string(i), 5) < 5);
  CHECK_THROWS_AS(partition_of("c1", 0), std::invalid_argument);
}

TEST_CASE("partition count: stored at first start, the same count passes, another is refused naming both",
          "[service][redis][partitions]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  check_partition_count(conn, 64);
  CHECK(conn.get("hourglass:partitions") == std::optional<std::string>("64"));
  check_partition_count(conn, 64);  // a second instance, or a restart
  try {
    check_partition_count(conn, 32);
    FAIL("no error");
  } catch (const PartitionCountMismatch& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("configured 32") != std::string::npos);
    CHECK(std::string(e.what()).find("holds '64'") != std::string::npos);
  }
  CHECK(conn.get("hourglass:partitions") == std::optional<std::string>("64"));  // untouched
}

TEST_CASE("partition lease: two holders contend, one wins - the other is told who holds it",
          "[service][redis][partition_lease]") {
  RedisServer server;
  // Each on its own connection and thread, at once, for 32 partitions.
  std::vector<LeaseAnswer> a(32), b(32);
  auto contend = [&](const std::string& owner, std::vector<LeaseAnswer>& out) {
    RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
    PartitionLeases leases(conn, owner, 10s);
    for (std::uint32_t p = 0; p < out.size(); ++p) out[p] = leases.acquire(p);
  };
  std::thread ta(contend, "instance-a", std::ref(a));
  std::thread tb(contend, "instance-b", std::ref(b));
  ta.join();
  tb.join();
  for (std::size_t p = 0; p < a.size(); ++p) {
    INFO("partition " << p);
    CHECK(a[p].held != b[p].held);
    const LeaseAnswer& winner = a[p].held ? a[p] : b[p];
    const LeaseAnswer& loser = a[p].held ? b[p] : a[p];
    CHECK(winner.token == 1);
    CHECK(loser.holder == (a[p].held ? "instance-a" : "instance-b"));
  }
  // Acquiring what one holds already renews it under the same token.
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  PartitionLeases again(conn, a[0].held ? "instance-a" : "instance-b", 10s);
  const LeaseAnswer renewed = again.acquire(0);
  CHECK(renewed.held);
  CHECK(renewed.token == 1);
}

TEST_CASE("partition lease: after the expiry another acquires with a higher token - the old holder's renew is lost",
          "[service][redis][partition_lease]") {
  RedisServer server;
  RedisConnection ca = RedisConnection::connect(server.endpoint(), 2s);
  RedisConnection cb = RedisConnection::connect(server.endpoint(), 2s);
  PartitionLeases a(ca, "instance-a", 300ms);
  PartitionLeases b(cb, "instance-b", 300ms);

  const LeaseAnswer first = a.acquire(3);
  REQUIRE(first.held);
  CHECK(a.renew(3, first.token));
  const LeaseAnswer refused = b.acquire(3);
  CHECK_FALSE(refused.held);
  CHECK(refused.holder == "instance-a");
  CHECK_FALSE(b.renew(3, first.token));  // the token alone does not make it b's

  // a stops renewing (a pause): Redis' clock lets the lease lapse. Polled,
  // with a deadline well past the ttl.
  LeaseAnswer taken;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!(taken = b.acquire(3)).held && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  REQUIRE(taken.held);
  CHECK(taken.token > first.token);

  // The old holder wakes up: its renew and its release answer lost, and
  // change nothing.
  CHECK_FALSE(a.renew(3, first.token));
  CHECK_FALSE(a.release(3, first.token));
  CHECK(ca.hget("hourglass:partition:{3}:lease", "owner") == std::optional<std::string>("instance-b"));
  CHECK(b.renew(3, taken.token));

  // A release by the holder frees it; the counter stays, so the next token is higher still.
  CHECK(b.release(3, taken.token));
  CHECK_FALSE(b.renew(3, taken.token));
  const LeaseAnswer back = a.acquire(3);
  REQUIRE(back.held);
  CHECK(back.token > taken.token);
}

TEST_CASE("partition lease: tokens never go down, even after the lease key is deleted",
          "[service][redis][partition_lease]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  PartitionLeases a(conn, "instance-a", 10s);
  PartitionLeases b(conn, "instance-b", 10s);
  std::uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    PartitionLeases& who = i % 2 ? a : b;
    const LeaseAnswer got = who.acquire(0);
    REQUIRE(got.held);
    CHECK(got.token > last);
    last = got.token;
    if (i % 3 == 0)
      conn.del({"hourglass:partition:{0}:lease"});  // an operator's DEL, or an expiry
    else
      CHECK(who.release(0, got.token));
  }
  CHECK(conn.get("hourglass:partition:{0}:fence") == std::optional<std::string>(std::to_string(last)));
}

TEST_CASE("partition lease: a take-over succeeds only from the holder named, with a higher token",
          "[service][redis][partition_lease]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  PartitionLeases gone(conn, "instance-gone", 10s);
  PartitionLeases next(conn, "instance-next", 10s);
  const LeaseAnswer first = gone.acquire(1);
  REQUIRE(first.held);
  const LeaseAnswer wrong = next.take_over(1, "instance-other");
  CHECK_FALSE(wrong.held);
  CHECK(wrong.holder == "instance-gone");
  const LeaseAnswer taken = next.take_over(1, "instance-gone");
  REQUIRE(taken.held);
  CHECK(taken.token > first.token);
  CHECK_FALSE(gone.renew(1, first.token));
  CHECK(next.renew(1, taken.token));
  CHECK_FALSE(gone.take_over(1, "instance-gone").held);  // no longer its holder
}
