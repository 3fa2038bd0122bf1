#include <catch2/catch.hpp>

#include "io/redis_link_loss.hpp"

using namespace hourglass::io;

namespace {

RedisServerInfo info(std::string run_id, std::optional<std::uint64_t> evicted,
                     std::optional<std::uint64_t> obl = std::nullopt) {
  return {std::move(run_id), evicted, obl};
}

}  // namespace

TEST_CASE("parse_redis_info reads run_id and the disconnection counters, whatever the sections", "[service][redis]") {
  const auto i = parse_redis_info(
      "# Server\r\nredis_version:7.0.15\r\nrun_id:abc123\r\n\r\n# Stats\r\nevicted_clients:3\r\n"
      "client_output_buffer_limit_disconnections:7\r\n");
  CHECK(i.run_id == "abc123");
  CHECK(i.evicted_clients == std::optional<std::uint64_t>(3));
  CHECK(i.output_buffer_limit_disconnections == std::optional<std::uint64_t>(7));
  // Redis 7.0: no output buffer counter; a field that is not a number stays empty.
  const auto old = parse_redis_info("run_id:x\nevicted_clients:n/a\n");
  CHECK(old.run_id == "x");
  CHECK_FALSE(old.evicted_clients);
  CHECK_FALSE(old.output_buffer_limit_disconnections);
  CHECK(parse_redis_info("").run_id.empty());
}

TEST_CASE("explain_link_loss tells the causes apart", "[service][redis]") {
  SECTION("a counter that grew proves the output buffer limit") {
    const auto v = explain_link_loss(info("r", 0, 4), info("r", 0, 5), true);
    CHECK(v.cause == LinkLossCause::output_buffer_limit);
    CHECK_FALSE(v.inferred);
    CHECK_THAT(v.evidence, Catch::Contains("from 4 to 5"));
  }
  SECTION("without the counter (Redis 7.0), Redis closing the link while it kept running is inferred as it") {
    const auto v = explain_link_loss(info("r", 0), info("r", 0), true);
    CHECK(v.cause == LinkLossCause::output_buffer_limit);
    CHECK(v.inferred);
    CHECK_THAT(v.evidence, Catch::Contains("inferred"));
  }
  SECTION("a counter that did not grow: closed for another reason") {
    CHECK(explain_link_loss(info("r", 0, 4), info("r", 0, 4), true).cause == LinkLossCause::closed_by_server);
  }
  SECTION("a new run_id is a restart, whatever the counters") {
    CHECK(explain_link_loss(info("r1", 0, 4), info("r2", 0, 0), true).cause == LinkLossCause::server_restarted);
  }
  SECTION("an evicted client is not an overflow") {
    const auto v = explain_link_loss(info("r", 2), info("r", 3), true);
    CHECK(v.cause == LinkLossCause::client_evicted);
    CHECK_THAT(v.evidence, Catch::Contains("maxmemory-clients"));
  }
  SECTION("a broken link Redis did not close is the network's") {
    CHECK(explain_link_loss(info("r", 0), info("r", 0), false).cause == LinkLossCause::network);
  }
  SECTION("INFO unread on either side: unknown") {
    CHECK(explain_link_loss(RedisServerInfo{}, info("r", 0), true).cause == LinkLossCause::unknown);
    CHECK(explain_link_loss(info("r", 0), RedisServerInfo{}, true).cause == LinkLossCause::unknown);
  }
}
