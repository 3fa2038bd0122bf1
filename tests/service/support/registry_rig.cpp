#include "tests/service/support/registry_rig.hpp"

#include <nlohmann/json.hpp>

#include "actors/errors.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::service::testing {

RegistryRig::RegistryRig(RegistryRigOptions o) {
  api.start();
  cfg.set("logger.verbosity", caf::atom("quiet"));
  actors::add_error_rendering(cfg);
  system = std::make_unique<caf::actor_system>(cfg);
  auto rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  io::CampaignApiConfig api_config{api.url(), "secret-token", o.api_timeout};
  reader = system->spawn<caf::detached>(actors::api_reader, api_config);
  actors::BridgeOptions bridge_options{redis.endpoint(), rules, {}};
  bridge_options.intake_mark_instance = o.intake_mark_instance;
  bridge = system->spawn<caf::detached>(actors::bridge, bridge_options);
  actors::GatewayOptions gateway_options;
  gateway_options.api = api_config;
  gateway_options.redis = redis.endpoint();
  gateway_options.concurrency = 1;
  gateway_options.dead_letters = bridge;
  gateway = system->spawn(actors::gateway, gateway_options);
  store = system->spawn<caf::detached>(actors::store, redis.endpoint(), nullptr, nullptr);
  actors::RegistryOptions options;
  options.rules = rules;
  options.reader = reader;
  options.gateway = gateway;
  options.bridge = bridge;
  options.store = store;
  options.restart_limit = o.restart_limit;
  options.faults = o.faults;
  options.retry_initial = o.retry_initial;
  options.retry_cap = o.retry_cap;
  options.max_advance = o.max_advance;
  options.commit_span = o.commit_span;
  options.draining = o.draining;
  options.ownership = o.ownership;
  registry = system->spawn(actors::registry, options);
  caf::anon_send(bridge, actors::set_registry_atom::value, actors::inbound_router_actor{registry});
}

RegistryRig::~RegistryRig() {
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
}

void RegistryRig::seed_c1(sim::WorldTime t0) {
  api.add_campaign("c1", t0);
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"},
                            {"name", "Oakridge"},
                            {"level", 1},
                            {"createdAt", sim::format_world_time(t0)},
                            {"variables", {{"population", 1000}, {"resources", {{"food", 50}, {"gold", 10}}}}}});
}

actors::Inbound RegistryRig::advance(const std::string& campaign, sim::WorldTime from, sim::WorldTime to) {
  const std::string channel = "campaign." + campaign + ".worldTimeAdvanced";
  const nlohmann::json payload{{"campaignId", campaign},
                               {"previousTime", sim::format_world_time(from)},
                               {"newTime", sim::format_world_time(to)}};
  return actors::Inbound{messages::WorldTimeAdvanced{campaign, from, to}, channel, payload.dump(), std::nullopt};
}

void RegistryRig::route(const std::vector<actors::Inbound>& messages) {
  for (const auto& in : messages) caf::anon_send(registry, actors::route_atom::value, in);
}

bool RegistryRig::drain(std::chrono::milliseconds bound) {
  caf::scoped_actor self{*system};
  bool drained = false;
  self->request(registry, bound, actors::registry_drain_atom::value).receive([&](bool) { drained = true; },
                                                                              [](caf::error&) {});
  return drained;
}

bool RegistryRig::route_then_drain(const std::vector<actors::Inbound>& messages, std::chrono::milliseconds bound) {
  route(messages);
  return drain(bound);
}

bool RegistryRig::settle(std::chrono::milliseconds bound) {
  if (!drain(bound)) return false;
  caf::scoped_actor self{*system};
  bool done = false;
  self->request(gateway, bound, actors::gateway_drain_atom::value).receive([&](bool) { done = true; },
                                                                           [](caf::error&) {});
  return done;
}

std::optional<actors::RegistryStatus> RegistryRig::status() {
  caf::scoped_actor self{*system};
  std::optional<actors::RegistryStatus> out;
  self->request(registry, std::chrono::seconds(20), actors::registry_status_atom::value)
      .receive([&](actors::RegistryStatus& s) { out = s; }, [](caf::error&) {});
  return out;
}

nlohmann::json RegistryRig::checkpoint(const std::string& id) {
  auto r = io::RedisConnection::connect(redis.endpoint(), std::chrono::milliseconds(2000));
  const auto text = r.get("hourglass:{" + id + "}:checkpoint");
  return text ? nlohmann::json::parse(*text) : nlohmann::json();
}

std::vector<std::string> RegistryRig::dead_letter_reasons() {
  caf::scoped_actor self{*system};
  self->request(bridge, std::chrono::seconds(20), actors::flush_dead_letters_atom::value)
      .receive([](std::size_t) {}, [](caf::error&) {});
  std::vector<std::string> reasons;
  auto r = io::RedisConnection::connect(redis.endpoint(), std::chrono::milliseconds(2000));
  for (const auto& e : r.xrange("hourglass:deadletter"))
    for (const auto& [k, v] : e.fields)
      if (k == "reason") reasons.push_back(v);
  return reasons;
}

}  // namespace hourglass::service::testing
