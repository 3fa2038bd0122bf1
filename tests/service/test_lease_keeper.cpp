// The lease keeper against a real redis-server: one keeper holds every
// partition after its first round, a second one (a live instance) none until
// the first gives them back; a previous life of this process (same host, a
// pid that no longer runs) is taken over at once; leases are dropped here
// once no renewal got through for a whole ttl.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "io/instance_id.hpp"
#include "io/lease_keeper.hpp"
#include "io/membership.hpp"
#include "io/partition_lease.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::LeaseKeeper;
using hourglass::io::LeaseKeeperCallbacks;
using hourglass::io::LeaseKeeperOptions;
using hourglass::io::make_instance_id;
using hourglass::io::previous_life;
using hourglass::io::RedisConnection;
using hourglass::service::testing::RedisServer;

namespace {

// A pid that ran and no longer does: a child that exited and was reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

std::string host_of(const std::string& id) {
  const auto r = id.rfind('-');
  return id.substr(0, id.rfind('-', r - 1));
}

LeaseKeeperOptions options(const RedisServer& server, std::string id, std::chrono::milliseconds ttl = 10s) {
  LeaseKeeperOptions o;
  o.endpoint = server.endpoint();
  o.instance_id = std::move(id);
  o.partitions = 8;
  o.ttl = ttl;
  return o;
}

}  // namespace

TEST_CASE("instance id: hostname-pid-random - a previous life is this host's, with a pid gone or this process's own",
          "[service][partitions]") {
  const std::string me = make_instance_id();
  const std::string host = host_of(me);
  CHECK(me.find("-" + std::to_string(::getpid()) + "-") != std::string::npos);
  CHECK(make_instance_id() != me);  // the random part
  CHECK(previous_life(host + "-" + std::to_string(dead_pid()) + "-abcdef", me));
  CHECK(previous_life(host + "-" + std::to_string(::getpid()) + "-000000", me));  // restarted in place
  CHECK_FALSE(previous_life(me, me));
  CHECK_FALSE(previous_life(host + "-" + std::to_string(::getppid()) + "-abcdef", me));  // alive
  CHECK_FALSE(previous_life("another-host-" + std::to_string(dead_pid()) + "-abcdef", me));
  CHECK_FALSE(previous_life("garbage", me));
  CHECK_FALSE(previous_life(host + "-x1-abcdef", me));
  CHECK_FALSE(previous_life("", me));
}

TEST_CASE("lease keeper: the first holds every partition, a live second none until they are released",
          "[service][redis][partition_lease]") {
  RedisServer server;
  const std::string host = host_of(make_instance_id());
  // Both alive: the parent process's pid stands for a live other instance.
  LeaseKeeper first(options(server, host + "-" + std::to_string(::getppid()) + "-aaaaaa"), {});
  LeaseKeeper second(options(server, make_instance_id()), {});
  first.round();
  second.round();
  CHECK(first.ownership()->owned() == 8);
  CHECK(second.ownership()->owned() == 0);
  const auto before = first.ownership()->token(3);
  REQUIRE(before);
  first.round();  // renewed: the same token
  CHECK(first.ownership()->token(3) == before);

  first.stop(true);
  CHECK(first.ownership()->owned() == 0);
  second.round();
  CHECK(second.ownership()->owned() == 8);
  CHECK(*second.ownership()->token(3) > *before);
}

TEST_CASE("lease keeper: with a pub/sub input, what it takes after its first round waits for the registry to open "
          "its intake",
          "[service][redis][partition_lease][intake]") {
  RedisServer server;
  const std::string host = host_of(make_instance_id());
  auto waiting = [](LeaseKeeperOptions o) {
    o.intake_waits_after_first_round = true;
    return o;
  };
  LeaseKeeper first(waiting(options(server, host + "-" + std::to_string(::getppid()) + "-aaaaaa")), {});
  LeaseKeeper second(waiting(options(server, make_instance_id())), {});
  first.round();
  second.round();
  // The first round: the inputs start after it, nothing to wait for.
  REQUIRE(first.ownership()->owned() == 8);
  CHECK_FALSE(first.ownership()->intake_waiting(3));
  CHECK(first.ownership()->token_of("c1"));
  first.stop(true);
  second.round();
  REQUIRE(second.ownership()->owned() == 8);
  CHECK(second.ownership()->intake_waiting(3));
  CHECK_FALSE(second.ownership()->intake_token(3));
  second.ownership()->open_intake(3);
  second.round();  // renewed: still open
  CHECK(second.ownership()->intake_token(3) == second.ownership()->token(3));
}

TEST_CASE("lease keeper: the leases of a previous life of this process are taken over at once, with higher tokens",
          "[service][redis][partition_lease]") {
  RedisServer server;
  const std::string host = host_of(make_instance_id());
  LeaseKeeper crashed(options(server, host + "-" + std::to_string(dead_pid()) + "-bbbbbb"), {});
  crashed.round();
  REQUIRE(crashed.ownership()->owned() == 8);
  const auto old_token = *crashed.ownership()->token(5);
  // The crashed life never renews nor releases (kill -9); its leases have 10 s left.
  std::size_t lost_reported = 0;
  LeaseKeeperCallbacks cb;
  cb.on_lost = [&](std::uint32_t, const std::string&) { ++lost_reported; };
  // The new life runs as the parent's pid here: a live process other than
  // this test, so the old keeper (this test too) does not take it for its own.
  LeaseKeeper restarted(options(server, host + "-" + std::to_string(::getppid()) + "-cccccc"), cb);
  restarted.round();
  CHECK(restarted.ownership()->owned() == 8);
  CHECK(*restarted.ownership()->token(5) > old_token);
  CHECK(lost_reported == 0);
  // The old life's view is stale; Redis says the lease is the new one's.
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(conn.hget(hourglass::io::partition_lease_key(5), "token") ==
        std::optional<std::string>(std::to_string(*restarted.ownership()->token(5))));
  crashed.round();  // its renewals answer lost; the holder is alive: nothing taken back
  CHECK(crashed.ownership()->owned() == 0);
  CHECK(restarted.ownership()->owned() == 8);
}

TEST_CASE("lease keeper: no renewal for a whole ttl (Redis away) drops the partitions here",
          "[service][redis][partition_lease]") {
  RedisServer server;
  std::string failure;
  LeaseKeeperCallbacks cb;
  cb.on_error = [&](const std::string& why) { failure = why; };
  LeaseKeeper keeper(options(server, make_instance_id(), 400ms), cb);
  CHECK(keeper.round());
  REQUIRE(keeper.ownership()->owned() == 8);
  server.stop();
  CHECK_FALSE(keeper.round());  // within the ttl: still held here
  CHECK(keeper.ownership()->owned() == 8);
  CHECK_FALSE(failure.empty());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (keeper.ownership()->owned() > 0 && std::chrono::steady_clock::now() < deadline) {
    keeper.round();
    std::this_thread::sleep_for(20ms);  // polling a condition with a deadline
  }
  CHECK(keeper.ownership()->owned() == 0);
}

TEST_CASE("lease keeper: aims for ceil(partitions / live members) - another live member halves its first take",
          "[service][redis][partition_lease][membership]") {
  RedisServer server;
  RedisConnection conn = RedisConnection::connect(server.endpoint(), 2s);
  // A live member on another host, heartbeating (not a previous life of this one).
  hourglass::io::Membership other(conn, "other-host-1-abcdef", 10s);
  other.heartbeat();
  LeaseKeeper keeper(options(server, make_instance_id()), {});
  keeper.round();
  CHECK(keeper.live_members() == 2);
  CHECK(keeper.ownership()->owned() == 4);
  // The member stops heartbeating: it ages out after the ttl. (Not here:
  // 10 s.) Its removal makes the share whole again.
  other.remove("other-host-1-abcdef");
  keeper.round();
  CHECK(keeper.live_members() == 1);
  CHECK(keeper.ownership()->owned() == 8);
}

TEST_CASE("lease keeper: a silent member's leases expire and another takes them, at most max_moves a round",
          "[service][redis][partition_lease][membership]") {
  RedisServer server;
  const std::string host = host_of(make_instance_id());
  LeaseKeeper paused(options(server, host + "-" + std::to_string(::getppid()) + "-dddddd", 300ms), {});
  REQUIRE(paused.round());
  REQUIRE(paused.ownership()->owned() == 8);
  auto o = options(server, make_instance_id(), 300ms);
  o.max_moves = 3;
  LeaseKeeper next(o, {});
  next.round();
  CHECK(next.ownership()->owned() == 0);  // sticky: nothing taken from a live holder
  CHECK(next.live_members() == 2);
  // `paused` neither renews nor heartbeats: after the ttl Redis lets its
  // leases lapse and its heartbeat ages out. Polled, with a deadline.
  std::vector<std::size_t> owned_per_round;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (next.ownership()->owned() < 8 && std::chrono::steady_clock::now() < deadline) {
    next.round();
    if (next.ownership()->owned() > 0) owned_per_round.push_back(next.ownership()->owned());
    std::this_thread::sleep_for(20ms);  // polling a condition with a deadline
  }
  CHECK(next.ownership()->owned() == 8);
  CHECK(next.live_members() == 1);
  REQUIRE(!owned_per_round.empty());
  CHECK(owned_per_round.front() <= 3);  // capped
}

TEST_CASE("lease keeper: the single lease (the stream router's) has one holder, a keeper that leaves gives it back "
          "and another takes it",
          "[service][partitions][stream]") {
  RedisServer server;
  const hourglass::io::LeaseKeys router{"test:{r}:lease", "test:{r}:fence", "the test router"};
  LeaseKeeperOptions oa = options(server, "host-a-1-aaaaaa", 3s);
  oa.single = router;
  LeaseKeeperOptions ob = options(server, "host-b-2-bbbbbb", 3s);
  ob.single = router;
  LeaseKeeper a(oa, {});
  LeaseKeeper b(ob, {});
  REQUIRE(a.round());
  REQUIRE(b.round());
  CHECK(a.holds_single());
  CHECK_FALSE(b.holds_single());  // a live holder's: not taken
  REQUIRE(a.round());             // renewed
  REQUIRE(b.round());
  CHECK(a.holds_single());
  CHECK_FALSE(b.holds_single());
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(r.hget(router.lease, "owner") == std::optional<std::string>("host-a-1-aaaaaa"));

  a.hand_off_all();  // SIGTERM: given back at its next round, not after the ttl
  REQUIRE(a.round());
  CHECK_FALSE(a.holds_single());
  CHECK_FALSE(r.hget(router.lease, "owner"));
  REQUIRE(b.round());
  CHECK(b.holds_single());
  CHECK(r.hget(router.lease, "token") == std::optional<std::string>("2"));  // a new token
}
