// The configuration every in-process `hourglass serve` test starts from:
// the test's redis-server and fake API, a free status port, quiet logs and
// a short API timeout. Each test then sets what it is about.
#pragma once

#include <chrono>
#include <string>

#include "runtime/service/config.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"

namespace hourglass::service::testing {

// `Redis`: a RedisServer, or a RedisCluster (its first master as the seed).
template <class Redis>
ServiceConfig serve_test_config(const Redis& redis, const FakeCampaignApi& api) {
  ServiceConfig c;
  c.redis_url = redis.url();
  c.api_url = api.url();
  c.api_token = api.token();
  c.port = RedisServer::free_port();
  c.log_level = "off";
  c.log_format = "text";
  c.gateway_timeout = std::chrono::milliseconds(2000);
  return c;
}

}  // namespace hourglass::service::testing
