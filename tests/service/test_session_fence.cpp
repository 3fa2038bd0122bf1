// The fence through the registry and the campaign session, against a real
// redis-server and the HTTP fake of the campaign API (support/registry_rig):
// a session claims its campaign with its partition's token before it reads
// the checkpoint and commits with it; once another instance has claimed the
// campaign with a higher token, this one's next commit writes nothing, its
// session stops at once (never retried), and the registry drops the campaign
// (not quarantined) and does not start it again under that token.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

#include "io/checkpoint_store.hpp"
#include "io/partition_ownership.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::RegistryRig;
using service::testing::RegistryRigOptions;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr std::uint32_t kPartitions = 64;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

struct FencedRig : RegistryRig {
  std::shared_ptr<io::PartitionOwnership> owned;
  std::uint32_t p = io::partition_of("c1", kPartitions);

  explicit FencedRig(std::shared_ptr<io::PartitionOwnership> ownership)
      : RegistryRig(options(ownership)), owned(std::move(ownership)) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    // c1: settlement s1 that grows, event e1 due after 12 hours.
    seed_c1(kT0);
    api.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + 12 * kHour)}, {"isCompleted", false}});
  }
  static RegistryRigOptions options(const std::shared_ptr<io::PartitionOwnership>& ownership) {
    RegistryRigOptions o;
    o.ownership = ownership;
    return o;
  }
  io::RedisConnection redis_conn() { return io::RedisConnection::connect(redis.endpoint(), 2s); }
  std::optional<std::string> get(const std::string& key) { return redis_conn().get(key); }
  std::size_t campaigns() {
    const auto s = status();
    REQUIRE(s);
    CHECK(s->quarantined == 0);
    return s->campaigns;
  }
};

}  // namespace

TEST_CASE("session fence: claimed with its partition's token, committed with it - fenced out once another claims it",
          "[service][session][fence]") {
  auto ownership = std::make_shared<io::PartitionOwnership>(kPartitions);
  FencedRig rig(ownership);
  ownership->set(rig.p, 7);

  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + kHour)}));
  REQUIRE(rig.settle(30s));
  CHECK(rig.get("hourglass:{c1}:fence") == std::optional<std::string>("7"));
  CHECK(rig.checkpoint("c1")["input"]["messages"] == 2);  // its load, then the advance
  CHECK(rig.campaigns() == 1);

  // Another instance took the partition over (token 8) and claimed c1.
  {
    io::RedisConnection conn = rig.redis_conn();
    io::CheckpointStore other(conn);
    other.claim("c1", 8);
  }
  const auto checkpoint_before = rig.get("hourglass:{c1}:checkpoint");
  const json settlement_before = rig.api.settlement("s1");

  // This instance, not yet told its lease is gone, takes the next advance:
  // past the event, which it would expire.
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0 + kHour, kT0 + 24 * kHour)}));
  REQUIRE(rig.settle(30s));
  CHECK(rig.get("hourglass:{c1}:checkpoint") == checkpoint_before);
  CHECK(rig.redis_conn().xlen("hourglass:{c1}:outbox") == 0);
  CHECK(rig.api.settlement("s1") == settlement_before);
  CHECK(rig.api.event("e1")["isCompleted"] == false);
  CHECK(rig.get("hourglass:{c1}:fence") == std::optional<std::string>("8"));
  CHECK(rig.campaigns() == 0);                 // dropped, not quarantined
  CHECK(rig.dead_letter_reasons().empty());    // its messages are the owner's, not dead letters

  // Still holding token 7 here: the campaign is not started again under it.
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0 + 24 * kHour, kT0 + 25 * kHour)}));
  CHECK(rig.campaigns() == 0);
  CHECK(rig.get("hourglass:{c1}:checkpoint") == checkpoint_before);

  // The partition comes back to this instance under a higher token: a new
  // session claims c1 with it and commits again.
  ownership->set(rig.p, 9);
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0 + 25 * kHour, kT0 + 26 * kHour)}));
  REQUIRE(rig.settle(30s));
  CHECK(rig.get("hourglass:{c1}:fence") == std::optional<std::string>("9"));
  CHECK(rig.campaigns() == 1);
  CHECK(rig.checkpoint("c1")["campaign"]["currentWorldTime"] == iso(kT0 + 26 * kHour));
}

TEST_CASE("session fence: a campaign in a partition this instance does not own is left alone",
          "[service][session][fence]") {
  auto ownership = std::make_shared<io::PartitionOwnership>(kPartitions);
  FencedRig rig(ownership);  // owns nothing
  const json settlement_before = rig.api.settlement("s1");
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 24 * kHour)}));
  CHECK(rig.campaigns() == 0);
  CHECK_FALSE(rig.get("hourglass:{c1}:checkpoint"));
  CHECK_FALSE(rig.get("hourglass:{c1}:fence"));
  CHECK(rig.api.settlement("s1") == settlement_before);
  CHECK(rig.dead_letter_reasons().empty());
}
