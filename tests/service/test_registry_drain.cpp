// The registry's drain (what `hourglass serve` waits for at shutdown) is
// answered whenever the registry becomes idle, not only when a campaign's
// message completes: after a campaign fails and is restarted, after it is
// quarantined, after a bootstrap fails. The real registry, API reader,
// gateway and bridge, against the fake API over HTTP and a real
// redis-server; the campaign fails by fault injection (repeat mode: every
// fresh campaign actor fails again). The drain is asked for while the
// messages are still in flight, and must be answered within a bound.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <optional>

#include "actors/errors.hpp"
#include "actors/service/api_reader.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/registry_actor.hpp"
#include "actors/service/store_actor.hpp"
#include "actors/service/service_protocol.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// Campaign c1: settlement s1 and an event e1 due at 00:35, so that any
// advance past it makes the campaign fire (and the injected fault throw).
void seed(service::testing::FakeCampaignApi& api) {
  api.add_campaign("c1", kT0);
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                            {"variables", {{"population", 100}, {"resources", {{"food", 0}, {"gold", 0}}}}}});
  api.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + kHour / 2)}, {"isCompleted", false}});
}

// Campaign c1's every fresh campaign actor fails at its first firing.
struct RegistryRig : service::testing::RegistryRig {
  explicit RegistryRig(int restart_limit)
      : service::testing::RegistryRig(service::testing::RegistryRigOptions{
            restart_limit, std::make_shared<actors::FaultInjector>(actors::FaultPlan{"campaign", "c1", 1}, true)}) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    seed(api);
  }
};

}  // namespace

TEST_CASE("registry: a drain asked while a campaign fails until quarantined is answered",
          "[service][registry][drain]") {
  RegistryRig rig(0);  // the first failure quarantines
  // The second message waits behind the first, which fails.
  REQUIRE(rig.route_then_drain({rig.advance("c1", kT0, kT0 + kHour), rig.advance("c1", kT0 + kHour, kT0 + 2 * kHour)}));
  const auto status = rig.status();
  REQUIRE(status);
  CHECK(status->quarantined == 1);
  // Quarantined: the next message is dead-lettered at once.
  REQUIRE(rig.route_then_drain({rig.advance("c1", kT0 + 2 * kHour, kT0 + 3 * kHour)}));
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 3);
  CHECK_THAT(reasons[0], Catch::Contains("campaign c1 failed") && Catch::Contains("fault injected"));
  CHECK_THAT(reasons[1], Catch::Contains("campaign c1 is quarantined"));  // the one that waited
  CHECK_THAT(reasons[2], Catch::Contains("campaign c1 is quarantined"));
}

TEST_CASE("registry: a drain asked while a campaign's last message fails is answered after its restart",
          "[service][registry][drain]") {
  RegistryRig rig(5);
  REQUIRE(rig.route_then_drain({rig.advance("c1", kT0, kT0 + kHour)}));
  // Restarted (the registry outlives the failed campaign's actor and sink):
  // the next message (from the API's clock: nothing was simulated)
  // bootstraps it again, and fails again.
  REQUIRE(rig.route_then_drain({rig.advance("c1", kT0, kT0 + 2 * kHour)}));
  const auto status = rig.status();
  REQUIRE(status);
  CHECK(status->quarantined == 0);
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 2);
  CHECK_THAT(reasons[0], Catch::Contains("campaign c1 failed"));
  CHECK_THAT(reasons[1], Catch::Contains("campaign c1 failed"));
}

TEST_CASE("registry: a campaign that keeps failing is quarantined once its restarts are spent",
          "[service][registry][quarantine]") {
  RegistryRig rig(2);  // two restarts, then quarantine
  // Each advance starts from the API's clock (nothing was simulated), so
  // each bootstrap starts before e1 is due and each message fails once.
  for (int i = 0; i < 3; ++i) {
    INFO("failure " << i + 1);
    REQUIRE(rig.route_then_drain({rig.advance("c1", kT0, kT0 + (i + 1) * kHour)}));
    const auto status = rig.status();
    REQUIRE(status);
    CHECK(status->quarantined == (i < 2 ? 0u : 1u));
  }
  REQUIRE(rig.route_then_drain({rig.advance("c1", kT0, kT0 + 4 * kHour)}));
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 4);
  CHECK_THAT(reasons[2], Catch::Contains("campaign c1 failed"));
  CHECK_THAT(reasons[3], Catch::Contains("campaign c1 is quarantined"));
}

TEST_CASE("registry: a drain asked while a bootstrap fails is answered", "[service][registry][drain]") {
  RegistryRig rig(5);
  // c9 is unknown to the API: its bootstrap fails, its message is dead-lettered.
  REQUIRE(rig.route_then_drain({rig.advance("c9", kT0, kT0 + kHour)}));
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 1);
  CHECK_THAT(reasons[0], Catch::Contains("campaign c9 could not be bootstrapped"));
}
