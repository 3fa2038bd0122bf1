#include "bench/service_under_test.hpp"

#include <stdexcept>

#include "io/redis_connection.hpp"

namespace hourglass::bench {

using namespace std::chrono_literals;

void ServiceUnderTest::start(int gateway_concurrency, bool publish_records) {
  service::ServiceConfig c;
  c.redis_url = redis.url();
  c.api_url = api.url();
  c.api_token = api.token();
  c.port = service::testing::RedisServer::free_port();
  c.log_level = "warn";
  c.log_format = "text";
  c.gateway_concurrency = gateway_concurrency;
  c.publish_records = publish_records ? "on" : "off";
  app = std::make_unique<runtime::ServeApp>(c);
  app->start();
  runner = std::thread([this] { exit_code = app->wait(); });
  if (!app->wait_subscribed(1, 10s)) throw std::runtime_error("the service did not subscribe to Redis within 10 s");
}

void ServiceUnderTest::stop() {
  if (!app) return;
  app->request_stop();
  if (runner.joinable()) runner.join();
  app.reset();
}

std::pair<std::size_t, std::size_t> ServiceUnderTest::dead_letters() {
  auto r = io::RedisConnection::connect(redis.endpoint(), 2000ms);
  return {r.xlen("hourglass:deadletter"), r.xlen("hourglass:gateway:deadletter")};
}

}  // namespace hourglass::bench
