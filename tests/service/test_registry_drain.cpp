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

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
// Far longer than the work takes; short enough that a drain never answered
// fails the test instead of hanging it.
constexpr auto kDrainBound = 20s;

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

struct RegistryRig {
  service::testing::RedisServer redis;
  service::testing::FakeCampaignApi api{"secret-token"};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  actors::api_reader_actor reader;
  actors::bridge_actor bridge;
  actors::gateway_actor gateway;
  actors::registry_actor registry;
  actors::store_actor store;

  // `restart_limit`: failures the registry restarts before it quarantines.
  explicit RegistryRig(int restart_limit) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    api.start();
    seed(api);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    actors::add_error_rendering(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    auto rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
    io::CampaignApiConfig api_config{api.url(), "secret-token", 2000ms};
    reader = system->spawn<caf::detached>(actors::api_reader, api_config);
    bridge = system->spawn<caf::detached>(actors::bridge, actors::BridgeOptions{redis.endpoint(), rules, {}});
    actors::GatewayOptions gateway_options;
    gateway_options.api = api_config;
    gateway_options.redis = redis.endpoint();
    gateway_options.concurrency = 1;
    gateway_options.dead_letters = bridge;
    gateway = system->spawn(actors::gateway, gateway_options);
    actors::RegistryOptions options;
    options.rules = rules;
    options.reader = reader;
    options.gateway = gateway;
    options.bridge = bridge;
    store = system->spawn<caf::detached>(actors::store, redis.endpoint(), nullptr, nullptr);
    options.store = store;
    options.restart_limit = restart_limit;
    options.faults = std::make_shared<actors::FaultInjector>(actors::FaultPlan{"campaign", "c1", 1}, true);
    registry = system->spawn(actors::registry, options);
  }
  ~RegistryRig() {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }

  actors::Inbound advance(const std::string& campaign, sim::WorldTime from, sim::WorldTime to) {
    const std::string channel = "campaign." + campaign + ".worldTimeAdvanced";
    const json payload{{"campaignId", campaign}, {"previousTime", iso(from)}, {"newTime", iso(to)}};
    return actors::Inbound{messages::WorldTimeAdvanced{campaign, from, to}, channel, payload.dump(), std::nullopt};
  }

  // Routes the messages, then asks for the drain (the registry takes them
  // in this order: the drain arrives while they are in flight).
  bool route_then_drain(const std::vector<actors::Inbound>& messages) {
    caf::scoped_actor self{*system};
    for (const auto& in : messages) self->send(registry, actors::route_atom::value, in);
    bool drained = false;
    self->request(registry, kDrainBound, actors::registry_drain_atom::value)
        .receive([&](bool) { drained = true; }, [](caf::error&) {});
    return drained;
  }

  // Nothing when the registry does not answer (it ended).
  std::optional<actors::RegistryStatus> status() {
    caf::scoped_actor self{*system};
    std::optional<actors::RegistryStatus> out;
    self->request(registry, kDrainBound, actors::registry_status_atom::value)
        .receive([&](actors::RegistryStatus& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  // The reasons in hourglass:deadletter, once the bridge has written them
  // (the registry tells the bridge before it answers anything after).
  std::vector<std::string> dead_letter_reasons() {
    caf::scoped_actor self{*system};
    self->request(bridge, kDrainBound, actors::flush_dead_letters_atom::value).receive([](std::size_t) {}, [](caf::error&) {});
    std::vector<std::string> reasons;
    auto r = io::RedisConnection::connect(redis.endpoint(), 2000ms);
    for (const auto& e : r.xrange("hourglass:deadletter"))
      for (const auto& [k, v] : e.fields)
        if (k == "reason") reasons.push_back(v);
    return reasons;
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
