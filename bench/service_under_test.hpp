// The service benchmark's system under test, all on loopback: a real
// redis-server (child process), the fake campaign API (in this process) and
// `hourglass serve` itself (ServeApp, in this process), as the integration
// tests run them. Stopped (intake closed, backlog drained) on destruction.
#pragma once

#include <memory>
#include <thread>
#include <utility>

#include "runtime/serve_app.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"

namespace hourglass::bench {

struct ServiceUnderTest {
  service::testing::RedisServer redis;  // started at construction
  service::testing::FakeCampaignApi api{"bench-token"};  // start() and seed it before start()
  std::unique_ptr<runtime::ServeApp> app;
  std::thread runner;  // ServeApp::wait
  int exit_code = -1;

  ServiceUnderTest() = default;
  ServiceUnderTest(const ServiceUnderTest&) = delete;
  ServiceUnderTest& operator=(const ServiceUnderTest&) = delete;
  ~ServiceUnderTest() { stop(); }

  // Starts the service with the defaults of `hourglass serve` but these
  // endpoints, and waits until it has subscribed to Redis (pub/sub drops
  // what is published before).
  void start(int gateway_concurrency, bool publish_records = true);
  void stop();
  // Entries in hourglass:deadletter and hourglass:gateway:deadletter.
  std::pair<std::size_t, std::size_t> dead_letters();
};

}  // namespace hourglass::bench
