// The graceful handoff of a partition (docs/operations.md, Several
// instances), against a real redis-server:
//   - the lease keeper keeps (renews) a handed-off partition's lease until
//     the registry says its sessions have ended, then releases it, and
//     another instance takes it at once, with a higher token;
//   - the registry (with the HTTP fake of the campaign API,
//     support/registry_rig): a partition handed off in the middle of a long
//     advance commits the advance first, then its session ends and only
//     then is the partition reported ready to release; what arrives
//     meanwhile is left to the next owner; nothing is fenced.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "io/lease_keeper.hpp"
#include "io/partition_lease.hpp"
#include "io/partition_ownership.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/eventually.hpp"
#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::eventually;
using service::testing::RedisServer;
using service::testing::RegistryRig;
using service::testing::RegistryRigOptions;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr sim::WorldTime kYear = 365 * 24 * kHour;
constexpr std::uint32_t kPartitions = 64;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }


io::LeaseKeeperOptions keeper_options(const RedisServer& server, std::string id) {
  io::LeaseKeeperOptions o;
  o.endpoint = server.endpoint();
  o.instance_id = std::move(id);
  o.partitions = 8;
  o.ttl = 3s;
  return o;
}

}  // namespace

TEST_CASE("handoff: the keeper renews a handed-off lease until its sessions have ended, then releases it",
          "[service][redis][partition_lease][handoff]") {
  RedisServer server;
  std::vector<std::uint32_t> asked;
  std::vector<std::uint32_t> handed;
  io::LeaseKeeperCallbacks cb;
  cb.on_hand_off = [&](std::uint32_t p) { asked.push_back(p); };
  cb.on_handed_over = [&](std::uint32_t p, std::chrono::milliseconds) { handed.push_back(p); };
  io::LeaseKeeper first(keeper_options(server, "host-a-1-aaaaaa"), cb);
  io::LeaseKeeper second(keeper_options(server, "host-b-2-bbbbbb"), {});
  REQUIRE(first.round());
  REQUIRE(second.round());
  REQUIRE(first.ownership()->owned() == 8);
  const std::uint64_t token = *first.ownership()->token(3);

  first.hand_off(3);
  CHECK(asked == std::vector<std::uint32_t>{3});
  CHECK_FALSE(first.ownership()->intake_token(3));
  CHECK(first.ownership()->token(3) == token);  // still held: renewed, not released
  REQUIRE(first.round());
  REQUIRE(second.round());
  CHECK(first.ownership()->token(3) == token);
  CHECK(second.ownership()->owned() == 0);
  CHECK(handed.empty());

  first.ownership()->sessions_ended(3);  // the registry's word
  REQUIRE(first.round());
  CHECK(handed == std::vector<std::uint32_t>{3});
  CHECK_FALSE(first.ownership()->token(3));
  CHECK(first.ownership()->owned() == 7);
  REQUIRE(second.round());
  CHECK(second.ownership()->owned() == 1);
  CHECK(*second.ownership()->token(3) > token);
  REQUIRE(first.round());  // the sticky share: not taken back
  CHECK(first.ownership()->owned() == 7);
}

TEST_CASE("handoff: a partition handed off mid-advance commits the advance, then ends its session, then is released",
          "[service][session][handoff]") {
  auto ownership = std::make_shared<io::PartitionOwnership>(kPartitions);
  RegistryRigOptions options;
  options.ownership = ownership;
  options.commit_span = kYear;
  RegistryRig rig(options);
  spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
  rig.api.add_campaign("c1", kT0);
  rig.api.add_kingdom("c1", "k1");
  for (const char* s : {"s1", "s2", "s3"})
    rig.api.add_settlement("k1", {{"id", s}, {"name", s}, {"level", 1}, {"createdAt", iso(kT0)},
                                  {"variables", {{"population", 1000}, {"resources", {{"food", 50}, {"gold", 10}}}}}});
  const std::uint32_t p = io::partition_of("c1", kPartitions);
  ownership->set(p, 7);
  auto redis = [&] { return io::RedisConnection::connect(rig.redis.endpoint(), 2s); };

  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + kHour)}));
  REQUIRE(rig.settle(30s));
  REQUIRE(rig.status()->campaigns == 1);

  // A long advance (committed a year at a time), and the handoff asked
  // once it is under way, as the keeper asks: intake stops, then the
  // registry is told.
  const sim::WorldTime target = kT0 + 30 * kYear;
  rig.route({RegistryRig::advance("c1", kT0 + kHour, target)});
  REQUIRE(eventually([&] { return rig.checkpoint("c1")["campaign"]["currentWorldTime"] != iso(kT0 + kHour); }, 60s));
  ownership->hand_off(p);
  caf::anon_send(rig.registry, actors::handoff_atom::value, p);
  CHECK(rig.checkpoint("c1")["campaign"]["currentWorldTime"] != iso(target));  // still in flight

  // Released only once the advance is committed and the session has ended.
  std::string clock_when_ready;
  REQUIRE(eventually(
      [&] {
        if (!ownership->ready_to_release(p)) return false;
        clock_when_ready = rig.checkpoint("c1")["campaign"]["currentWorldTime"].get<std::string>();
        return true;
      },
      60s));
  CHECK(clock_when_ready == iso(target));
  const auto status = rig.status();
  REQUIRE(status);
  CHECK(status->campaigns == 0);
  CHECK(status->quarantined == 0);
  CHECK(redis().get("hourglass:{c1}:fence") == std::optional<std::string>("7"));  // nothing fenced

  // What arrives meanwhile is left to the next owner: nothing written here.
  const auto checkpoint = redis().get("hourglass:{c1}:checkpoint");
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", target, target + kHour)}));
  REQUIRE(rig.settle(30s));
  CHECK(rig.status()->campaigns == 0);
  CHECK(redis().get("hourglass:{c1}:checkpoint") == checkpoint);
  CHECK(rig.dead_letter_reasons().empty());
}
