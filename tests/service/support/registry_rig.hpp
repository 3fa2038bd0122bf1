// The service's actors in one process, as `hourglass serve` wires them (API
// reader, bridge, gateway, store, registry), against a real redis-server the
// rig starts and the HTTP fake of the campaign API: for tests of the
// registry and the campaign sessions that need to reach into the actors
// (route a message, ask for the drain, read the status).
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/service/api_reader.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/registry_actor.hpp"
#include "actors/service/store_actor.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"

namespace hourglass::service::testing {

struct RegistryRigOptions {
  int restart_limit = 5;  // failures the registry restarts before it quarantines
  actors::FaultInjectorPtr faults;  // none: no fault injected
  std::chrono::milliseconds api_timeout{2000};
  // The campaign sessions' backoff on a transient failure.
  std::chrono::milliseconds retry_initial{50};
  std::chrono::milliseconds retry_cap{400};
  sim::Duration max_advance = 0;  // the longest advance a campaign takes; 0 no limit
  sim::Duration commit_span = 0;  // a long advance is committed span by span; 0 whole
  std::shared_ptr<const std::atomic<bool>> draining;  // set: long advances stop at their next span
  // The partitions "this instance" owns (RegistryOptions::ownership); none: all, unfenced.
  std::shared_ptr<io::PartitionOwnership> ownership = nullptr;
  // The bridge's name in its intake markers (BridgeOptions); empty: none.
  std::string intake_mark_instance;
};

struct RegistryRig {
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  actors::api_reader_actor reader;
  actors::bridge_actor bridge;
  actors::gateway_actor gateway;
  actors::registry_actor registry;
  actors::store_actor store;

  // Starts the fake API (the test seeds it before routing) and the actors.
  explicit RegistryRig(RegistryRigOptions options = {});
  ~RegistryRig();

  // Campaign c1 in the fake API, its clock at `t0`: kingdom k1 with
  // settlement s1 (level 1, 1000 people, food 50, gold 10, created at t0).
  void seed_c1(sim::WorldTime t0);
  // A worldTimeAdvanced of `campaign` from `from` to `to`.
  static actors::Inbound advance(const std::string& campaign, sim::WorldTime from, sim::WorldTime to);
  void route(const std::vector<actors::Inbound>& messages);
  // Asks for the drain; true when answered within `bound`.
  bool drain(std::chrono::milliseconds bound);
  // Routes the messages, then asks for the drain (the registry takes them
  // in this order: the drain arrives while they are in flight).
  bool route_then_drain(const std::vector<actors::Inbound>& messages,
                        std::chrono::milliseconds bound = std::chrono::seconds(20));
  // The registry has nothing in flight and the gateway nothing left to
  // write, each within `bound`.
  bool settle(std::chrono::milliseconds bound = std::chrono::seconds(30));
  // Nothing when the registry does not answer (it ended).
  std::optional<actors::RegistryStatus> status();
  // Campaign `id`'s checkpoint as Redis holds it (null when it has none).
  nlohmann::json checkpoint(const std::string& id);
  // The reasons in hourglass:deadletter, once the bridge has written them.
  std::vector<std::string> dead_letter_reasons();
};

}  // namespace hourglass::service::testing
