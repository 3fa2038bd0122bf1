// The lease keeper of `hourglass serve` (runtime/service/partition_leases)
// counted in the Prometheus metrics, against a real redis-server: its lease
// rounds by outcome, the live members and the handoffs in progress
// (docs/operations.md, Health and metrics).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "io/instance_id.hpp"
#include "runtime/service/partition_leases.hpp"
#include "runtime/service/prometheus_telemetry.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::service::PrometheusTelemetry;
using hourglass::service::Registry;
using hourglass::service::ServiceConfig;
using hourglass::service::testing::RedisServer;

namespace {

bool has(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

}  // namespace

TEST_CASE("metrics: the lease rounds by outcome, the live members and the handoffs in progress",
          "[service][metrics][partitions]") {
  RedisServer server;
  Registry metrics;
  PrometheusTelemetry telemetry(metrics);
  ServiceConfig config;
  config.partitions = 8;
  config.lease_ttl = 60s;  // the thread's rounds come every 20 s: this test calls round() itself
  auto keeper = hourglass::service::make_lease_keeper(config, server.endpoint(), hourglass::io::make_instance_id(),
                                                      telemetry);
  keeper->start();
  std::string text = metrics.render();
  INFO(text);
  CHECK(has(text, "hourglass_lease_rounds_total{outcome=\"ok\"} 1"));
  CHECK(has(text, "hourglass_live_members 1"));
  CHECK(has(text, "hourglass_partition_handoffs_in_progress 0"));

  keeper->hand_off(2);
  keeper->hand_off(5);
  REQUIRE(keeper->round());
  text = metrics.render();
  CHECK(has(text, "hourglass_lease_rounds_total{outcome=\"ok\"} 2"));
  CHECK(has(text, "hourglass_partition_handoffs_in_progress 2"));

  server.stop();
  CHECK_FALSE(keeper->round());
  text = metrics.render();
  CHECK(has(text, "hourglass_lease_rounds_total{outcome=\"failed\"} 1"));
  CHECK(has(text, "hourglass_lease_rounds_total{outcome=\"ok\"} 2"));
  keeper->stop(false);
}
