// io::RedisLivenessProbe against a real redis-server: answered while it runs,
// unanswered within the deadline while it is frozen (SIGSTOP), answered again
// after SIGCONT.
#include <catch2/catch.hpp>

#include <signal.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "io/redis_liveness_probe.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::RedisLivenessProbe;
using hourglass::io::RedisPing;

namespace {

struct Results {
  std::mutex m;
  std::condition_variable cv;
  std::vector<RedisPing> all;
  void add(const RedisPing& p) {
    std::lock_guard<std::mutex> lock(m);
    all.push_back(p);
    cv.notify_all();
  }
  // The first result after the `from`-th that satisfies `want`, within `timeout`.
  std::optional<RedisPing> next(std::size_t& from, bool answered, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(m);
    std::optional<RedisPing> found;
    cv.wait_for(lock, timeout, [&] {
      for (; from < all.size(); ++from)
        if (all[from].answered == answered) return (found = all[from++]).has_value();
      return false;
    });
    return found;
  }
};

}  // namespace

TEST_CASE("liveness probe: PONG while Redis runs, none within the deadline while it is frozen", "[service][redis]") {
  hourglass::service::testing::RedisServer redis;
  Results results;
  hourglass::io::RedisLivenessProbeOptions o;
  o.endpoint = redis.endpoint();
  o.interval = 100ms;
  o.deadline = 300ms;
  RedisLivenessProbe probe(o, [&](const RedisPing& p) { results.add(p); });
  probe.start();
  std::size_t seen = 0;
  REQUIRE(results.next(seen, true, 5s));

  struct Thaw {
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
  } thaw{redis.pid()};
  REQUIRE(::kill(redis.pid(), SIGSTOP) == 0);
  const auto missed = results.next(seen, false, 5s);
  REQUIRE(missed);
  CHECK(missed->took >= 250ms);  // it waited for the deadline...
  CHECK(missed->took < 2s);      // ...and not much longer (connect + PING, each bounded)
  CHECK_FALSE(missed->error.empty());

  REQUIRE(::kill(redis.pid(), SIGCONT) == 0);
  CHECK(results.next(seen, true, 5s));
  probe.stop();
}
