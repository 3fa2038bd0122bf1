// A partition taken over with a pub/sub input opens its intake only once an
// intake marker, published after the acquisition, has come back through the
// subscription (actors/service/registry_acquire): what the subscription still
// held from before — published while another instance owned the partition,
// and taken by it — is left, not applied a second time here. Before this, an
// instance woken from a SIGSTOP read its socket's backlog after taking a
// partition over and ran deferred effects the previous owner had run (the
// three-instance drill, seed 16).
//
// Real pub/sub: a real redis-server, a real io::RedisSubscriber forwarding to
// the bridge as `hourglass serve` does, held (not reading, as a frozen or busy
// instance's) while the earlier message is published; the HTTP fake API.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "io/partition_ownership.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "io/redis_subscriber.hpp"
#include "tests/service/support/eventually.hpp"
#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::eventually;
using service::testing::RegistryRig;
using service::testing::RegistryRigOptions;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr std::uint32_t kPartitions = 64;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

struct MarkerRig : RegistryRig {
  std::shared_ptr<io::PartitionOwnership> owned;
  std::uint32_t p = io::partition_of("c1", kPartitions);
  std::atomic<bool> held{true};
  std::mutex mutex;
  std::condition_variable cv;
  bool subscribed = false;
  std::unique_ptr<io::RedisSubscriber> subscriber;

  explicit MarkerRig(std::shared_ptr<io::PartitionOwnership> ownership)
      : RegistryRig(options(ownership)), owned(std::move(ownership)) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    seed_c1(kT0);
    io::RedisSubscriberOptions o;
    o.endpoint = redis.endpoint();
    o.patterns = {"campaign.*.entityModified", actors::kIntakeMarkChannel};
    o.poll_interval = 10ms;
    o.hold = [this] { return held.load(); };
    io::RedisSubscriberCallbacks cb;
    cb.on_message = [b = bridge](std::string channel, std::string payload) {
      caf::anon_send(b, actors::inbound_atom::value, std::move(channel), std::move(payload));
    };
    cb.on_connected = [this](bool) {
      std::lock_guard<std::mutex> lock(mutex);
      subscribed = true;
      cv.notify_all();
    };
    subscriber = std::make_unique<io::RedisSubscriber>(o, cb);
    subscriber->start();
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(cv.wait_for(lock, 10s, [this] { return subscribed; }));
  }
  ~MarkerRig() { subscriber->stop(); }

  static RegistryRigOptions options(const std::shared_ptr<io::PartitionOwnership>& ownership) {
    RegistryRigOptions o;
    o.ownership = ownership;
    o.intake_mark_instance = "rig-1";
    return o;
  }

  // As the API does: the effect exists, then its CREATE is announced. Due
  // before the campaign's clock, it runs as soon as its CREATE is taken.
  void publish_effect(const std::string& id) {
    const json entity{{"id", id}, {"executeAt", iso(kT0 - kHour)}};
    api.apply_entity_change("c1", "Effect", "CREATE", entity);
    const json payload{{"campaignId", "c1"}, {"entityType", "Effect"}, {"entityId", id}, {"operation", "CREATE"},
                       {"entity", entity}};
    io::RedisConnection conn = io::RedisConnection::connect(redis.endpoint(), 2s);
    REQUIRE(conn.publish("campaign.c1.entityModified", payload.dump()) == 1);
  }

};

}  // namespace

TEST_CASE("takeover: what the subscription held from before the acquisition is left to its owner, what follows the "
          "intake marker is taken",
          "[service][partitions][intake]") {
  auto ownership = std::make_shared<io::PartitionOwnership>(kPartitions);
  MarkerRig rig(ownership);

  // Published while another instance owned c1's partition (and ran it):
  // this instance's subscription holds it unread.
  rig.publish_effect("fx-before");
  // This instance takes the partition over, its intake waiting, as the lease
  // keeper leaves a partition acquired after its first round.
  ownership->set(rig.p, 2, true);
  CHECK_FALSE(ownership->token_of("c1"));
  CHECK(ownership->token(rig.p) == std::optional<std::uint64_t>(2));
  caf::anon_send(rig.registry, actors::acquired_atom::value, rig.p, true);
  // The subscription catches up: the earlier message, then the marker.
  rig.held = false;
  REQUIRE(eventually([&] { return !ownership->intake_waiting(rig.p); }, 10s));
  CHECK(ownership->token_of("c1") == std::optional<std::uint64_t>(2));

  rig.publish_effect("fx-after");
  // It reaches the registry through the subscription, after fx-before (and
  // the marker): once it has run, fx-before has been dealt with.
  REQUIRE(eventually([&] { return rig.api.effect_executions("fx-after") > 0; }, 30s));
  REQUIRE(rig.settle(30s));
  CHECK(rig.api.effect_executions("fx-after") == 1);
  CHECK(rig.api.effect_executions("fx-before") == 0);
  CHECK(rig.dead_letter_reasons().empty());  // left to its owner, not refused
  const auto s = rig.status();
  REQUIRE(s);
  CHECK(s->campaigns == 1);
  CHECK(s->quarantined == 0);
}

TEST_CASE("partition ownership: a partition set with its intake waiting answers no intake token until opened",
          "[service][partitions][intake]") {
  io::PartitionOwnership o(8);
  const std::uint32_t p = io::partition_of("c1", 8);
  o.set(p, 3, true);
  CHECK(o.intake_waiting(p));
  CHECK_FALSE(o.token_of("c1"));
  CHECK_FALSE(o.intake_token(p));
  CHECK(o.token(p) == std::optional<std::uint64_t>(3));
  CHECK(o.owned() == 1);
  o.open_intake(p);
  CHECK_FALSE(o.intake_waiting(p));
  CHECK(o.token_of("c1") == std::optional<std::uint64_t>(3));
  // Dropped while waiting, then set open: nothing of the wait is left.
  o.set(p, 4, true);
  o.drop(p);
  CHECK_FALSE(o.intake_waiting(p));
  o.set(p, 5);
  CHECK(o.token_of("c1") == std::optional<std::uint64_t>(5));
  // Opening a partition not held is a no-op.
  o.open_intake((p + 1) % 8);
  CHECK_FALSE(o.token((p + 1) % 8));
}
