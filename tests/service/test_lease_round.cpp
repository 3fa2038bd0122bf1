// What the lease keeper reports after each round (io::LeaseRound, for
// /health and the metrics), against a real redis-server: what it holds, the
// live members, the handoffs in progress, and a round Redis did not answer.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <vector>

#include "io/instance_id.hpp"
#include "io/lease_keeper.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::LeaseKeeper;
using hourglass::io::LeaseKeeperCallbacks;
using hourglass::io::LeaseKeeperOptions;
using hourglass::io::LeaseRound;
using hourglass::service::testing::RedisServer;

TEST_CASE("lease keeper: each round reports what it holds, the members, the handoffs, and a round Redis did not "
          "answer",
          "[service][partitions][ownership]") {
  RedisServer server;
  std::mutex mutex;
  std::vector<LeaseRound> rounds;
  LeaseKeeperCallbacks cb;
  cb.on_round = [&](const LeaseRound& r) {
    std::lock_guard<std::mutex> lock(mutex);
    rounds.push_back(r);
  };
  LeaseKeeperOptions o;
  o.endpoint = server.endpoint();
  o.instance_id = hourglass::io::make_instance_id();
  o.partitions = 8;
  o.ttl = 60s;  // the thread's rounds come every 20 s: this test calls round() itself
  LeaseKeeper keeper(o, cb);
  keeper.start();
  {
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(rounds.size() == 1);
    CHECK(rounds[0].answered);
    CHECK(rounds[0].held == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(rounds[0].live_members == 1);
    CHECK(rounds[0].handing_off == 0);
  }

  keeper.hand_off(3);
  REQUIRE(keeper.round());
  {
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(rounds.back().answered);
    CHECK(rounds.back().handing_off == 1);
    CHECK(rounds.back().held.size() == 8);  // renewed until its sessions end
  }

  server.stop();
  CHECK_FALSE(keeper.round());
  {
    std::lock_guard<std::mutex> lock(mutex);
    CHECK_FALSE(rounds.back().answered);
    CHECK_FALSE(rounds.back().error.empty());
    CHECK(rounds.back().held.size() == 8);  // kept until a whole ttl passes unrenewed
  }
  keeper.stop(false);
}
