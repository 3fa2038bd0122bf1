#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/redis_connection.hpp"
#include "io/redis_subscriber.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::io::RedisSubscriber;
using hourglass::io::RedisSubscriberCallbacks;
using hourglass::io::RedisSubscriberOptions;
using hourglass::service::testing::RedisServer;
using Clock = std::chrono::steady_clock;

namespace {

// Records every callback in order, as text, and lets the test wait (with a
// deadline) until a condition on the record holds.
class Recorder {
 public:
  RedisSubscriberCallbacks callbacks() {
    RedisSubscriberCallbacks cb;
    cb.on_message = [this](std::string channel, std::string payload) {
      add("message " + channel + " " + payload);
    };
    cb.on_connected = [this](bool reconnected) { add(reconnected ? "connected again" : "connected"); };
    cb.on_disconnected = [this](std::string why) {
      add("disconnected");
      std::lock_guard<std::mutex> lock(mutex_);
      whys_.push_back(why);
    };
    cb.on_connect_failed = [this](std::string why, std::chrono::milliseconds) {
      add("failed");
      std::lock_guard<std::mutex> lock(mutex_);
      whys_.push_back(why);
    };
    return cb;
  }

  // Waits until `event` has been recorded `times` times; false on timeout.
  bool wait_for(const std::string& event, std::size_t times = 1, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return count_locked(event) >= times; });
  }
  std::size_t count(const std::string& event) {
    std::lock_guard<std::mutex> lock(mutex_);
    return count_locked(event);
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  // Events other than repeated connect failures (whose number depends on timing).
  std::vector<std::string> events_without_failures() {
    std::vector<std::string> out;
    for (auto& e : events()) {
      if (e != "failed") out.push_back(e);
    }
    return out;
  }
  std::vector<std::string> whys() {
    std::lock_guard<std::mutex> lock(mutex_);
    return whys_;
  }

 private:
  void add(std::string event) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  std::size_t count_locked(const std::string& event) const {
    std::size_t n = 0;
    for (const auto& e : events_) n += e == event ? 1 : 0;
    return n;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  std::vector<std::string> whys_;
};

RedisSubscriberOptions fast_options(const RedisServer& server, std::vector<std::string> patterns) {
  RedisSubscriberOptions o;
  o.endpoint = server.endpoint();
  o.patterns = std::move(patterns);
  o.backoff_initial = 20ms;
  o.backoff_cap = 200ms;
  return o;
}

template <class F>
std::chrono::milliseconds time_of(F&& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

}  // namespace

TEST_CASE("redis subscriber: receives pmessages on matching channels only", "[service][redis][integration]") {
  RedisServer server;
  Recorder rec;
  RedisSubscriber sub(fast_options(server, {"world.*.tick", "control"}), rec.callbacks());
  sub.start();
  REQUIRE(rec.wait_for("connected"));

  RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(pub.publish("other", "x") == 0);
  CHECK(pub.publish("world.a.tock", "x") == 0);
  CHECK(pub.publish("controls", "x") == 0);
  CHECK(pub.publish("world.a.tick", "1") == 1);
  CHECK(pub.publish("control", "pause") == 1);
  CHECK(pub.publish("world.b.tick", std::string("2\0two", 5)) == 1);
  // Pub/sub keeps order on one connection, so once the last message is in,
  // anything wrongly delivered before it would be too.
  REQUIRE(rec.wait_for("message world.b.tick " + std::string("2\0two", 5)));
  sub.stop();
  CHECK(rec.events() == std::vector<std::string>{"connected", "message world.a.tick 1", "message control pause",
                                                 "message world.b.tick " + std::string("2\0two", 5)});
}

TEST_CASE("redis connection: publish_each sends each payload's parts as one message, in order, and goes on after",
          "[service][redis][integration]") {
  RedisServer server;
  Recorder rec;
  RedisSubscriber sub(fast_options(server, {"feed"}), rec.callbacks());
  sub.start();
  REQUIRE(rec.wait_for("connected"));

  RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
  // Larger than a socket's buffer (the write goes out in parts), and with
  // more parts than one writev takes (IOV_MAX, 1024).
  const std::string big(6u << 20, 'b');
  std::vector<std::string> small;
  for (int i = 0; i < 3000; ++i) small.push_back(std::to_string(i % 10));
  std::vector<std::string_view> many(small.begin(), small.end());
  std::string many_joined;
  for (const auto& s : small) many_joined += s;
  const std::vector<std::vector<std::string_view>> payloads{
      {"a", "", "bc"}, {big}, many, {std::string_view("x\0y", 3)}, {}};
  CHECK(pub.publish_each("feed", payloads) == payloads.size());  // one subscriber, reached by each
  CHECK(pub.publish_each("nobody", payloads) == 0);
  CHECK(pub.publish("feed", "after") == 1);  // the connection is in step with the server
  REQUIRE(rec.wait_for("message feed after"));
  sub.stop();
  CHECK(rec.events() == std::vector<std::string>{"connected", "message feed abc", "message feed " + big,
                                                 "message feed " + many_joined, "message feed " + std::string("x\0y", 3),
                                                 "message feed ", "message feed after"});
}

TEST_CASE("redis subscriber: reconnects after the server restarts and receives new messages",
          "[service][redis][integration]") {
  RedisServer server;
  Recorder rec;
  RedisSubscriber sub(fast_options(server, {"hg.*"}), rec.callbacks());
  sub.start();
  REQUIRE(rec.wait_for("connected"));
  {
    RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
    REQUIRE(pub.publish("hg.before", "1") == 1);
    REQUIRE(rec.wait_for("message hg.before 1"));
  }

  server.stop();
  REQUIRE(rec.wait_for("disconnected"));
  server.restart();
  REQUIRE(rec.wait_for("connected again"));

  RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(pub.publish("hg.after", "2") == 1);
  REQUIRE(rec.wait_for("message hg.after 2"));
  sub.stop();

  CHECK(rec.events_without_failures() == std::vector<std::string>{"connected", "message hg.before 1", "disconnected",
                                                                  "connected again", "message hg.after 2"});
  const auto whys = rec.whys();
  REQUIRE_FALSE(whys.empty());
  CHECK_THAT(whys.front(), Catch::Contains("Server closed the connection") || Catch::Contains("Connection reset"));
  CHECK_THAT(whys.front(), Catch::Contains("127.0.0.1:" + std::to_string(server.port())));
  for (std::size_t i = 1; i < whys.size(); ++i) CHECK_THAT(whys[i], Catch::Contains("Connection refused"));
}

TEST_CASE("redis subscriber: keeps retrying until the server first comes up", "[service][redis][integration]") {
  RedisServer server;
  server.stop();
  Recorder rec;
  RedisSubscriber sub(fast_options(server, {"hg.*"}), rec.callbacks());
  sub.start();
  REQUIRE(rec.wait_for("failed", 2));
  CHECK_THAT(rec.whys().front(), Catch::Equals("Redis CONNECT on 127.0.0.1:" + std::to_string(server.port()) +
                                               " failed: Connection refused"));
  server.restart();
  REQUIRE(rec.wait_for("connected"));  // the first subscription ever: not "again"
  RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
  CHECK(pub.publish("hg.x", "y") == 1);
  REQUIRE(rec.wait_for("message hg.x y"));
  sub.stop();
  CHECK(rec.count("disconnected") == 0);
  CHECK(rec.events_without_failures() == std::vector<std::string>{"connected", "message hg.x y"});
}

TEST_CASE("redis subscriber: stop() returns within a second", "[service][redis][integration]") {
  RedisServer server;
  Recorder rec;

  SECTION("while subscribed and idle") {
    RedisSubscriber sub(fast_options(server, {"hg.*"}), rec.callbacks());
    sub.start();
    REQUIRE(rec.wait_for("connected"));
    CHECK(time_of([&] { sub.stop(); }) < 1s);
    // No callback after stop(): the subscription is gone from the server.
    RedisConnection pub = RedisConnection::connect(server.endpoint(), 2s);
    CHECK(pub.publish("hg.late", "x") == 0);
    CHECK(rec.count("message hg.late x") == 0);
  }

  SECTION("while waiting out a long backoff") {
    server.stop();
    RedisSubscriberOptions o = fast_options(server, {"hg.*"});
    o.backoff_initial = 30s;
    o.backoff_cap = 60s;
    RedisSubscriber sub(o, rec.callbacks());
    sub.start();
    REQUIRE(rec.wait_for("failed"));
    CHECK(time_of([&] { sub.stop(); }) < 1s);
    CHECK(rec.count("failed") == 1);
  }

  SECTION("twice, and from the destructor") {
    auto sub = std::make_unique<RedisSubscriber>(fast_options(server, {"hg.*"}), rec.callbacks());
    sub->start();
    REQUIRE(rec.wait_for("connected"));
    CHECK(time_of([&] {
            sub->stop();
            sub->stop();
            sub.reset();
          }) < 1s);
  }
}

TEST_CASE("redis subscriber: rejects bad options", "[service][redis]") {
  RedisSubscriberOptions o;
  CHECK_THROWS_WITH(RedisSubscriber(o, {}), "RedisSubscriber: no patterns to subscribe to");
  o.patterns = {"a", ""};
  CHECK_THROWS_WITH(RedisSubscriber(o, {}), "RedisSubscriber: empty pattern");
  o.patterns = {"a"};
  o.backoff_initial = 0ms;
  CHECK_THROWS_AS(RedisSubscriber(o, {}), std::invalid_argument);
  o.backoff_initial = 10ms;
  o.endpoint.port = RedisServer::free_port();  // nothing listens there
  RedisSubscriberCallbacks quiet;
  quiet.on_message = [](std::string, std::string) {};
  quiet.on_connected = [](bool) {};
  quiet.on_disconnected = [](std::string) {};
  quiet.on_connect_failed = [](std::string, std::chrono::milliseconds) {};
  RedisSubscriber sub(o, quiet);
  sub.start();
  CHECK_THROWS_WITH(sub.start(), "RedisSubscriber: start() called twice");
}

TEST_CASE("redis subscriber: dropped for a message past the pub/sub output limit, the reconnection says why",
          "[service][redis][integration]") {
  using hourglass::io::LinkLossCause;
  using hourglass::io::LinkLossVerdict;
  RedisServer server;  // Redis' default client-output-buffer-limit pubsub 32mb 8mb 60
  Recorder rec;
  RedisSubscriberCallbacks cb = rec.callbacks();
  std::mutex m;
  std::vector<LinkLossVerdict> verdicts;
  cb.on_link_loss_explained = [&](const LinkLossVerdict& v) {
    std::lock_guard<std::mutex> lock(m);
    verdicts.push_back(v);
  };
  RedisSubscriber sub(fast_options(server, {"hg.*"}), cb);
  sub.start();
  REQUIRE(rec.wait_for("connected"));
  RedisConnection pub = RedisConnection::connect(server.endpoint(), 5s);
  CHECK(pub.publish("hg.big", std::string(50u << 20, 'x')) == 1);  // queued for it, over 32 MB: dropped
  REQUIRE(rec.wait_for("connected again"));
  {
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(verdicts.size() == 1);  // told before on_connected(true)
    CHECK(verdicts[0].cause == LinkLossCause::output_buffer_limit);
    CHECK_THAT(verdicts[0].evidence, Catch::Contains("output buffer"));
  }
  CHECK(pub.publish("hg.after", "1") == 1);  // subscribed again
  REQUIRE(rec.wait_for("message hg.after 1"));

  // A restart is told apart from it.
  server.restart();
  REQUIRE(rec.wait_for("connected again", 2));
  sub.stop();
  std::lock_guard<std::mutex> lock(m);
  REQUIRE(verdicts.size() == 2);
  CHECK(verdicts[1].cause == LinkLossCause::server_restarted);
  CHECK(rec.events_without_failures() == std::vector<std::string>{"connected", "disconnected", "connected again",
                                                                  "message hg.after 1", "disconnected",
                                                                  "connected again"});
}
