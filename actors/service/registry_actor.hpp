// The campaign registry: knows every campaign the service has seen. A
// campaign is bootstrapped from the API on its first message (its world
// time and all its entities), then gets its messages one at a time, in
// arrival order: a message whose entity must be fetched from the API waits
// for it, and the ones behind it wait too. After a Redis reconnect it
// resyncs every campaign to the API's world time (pub/sub dropped what was
// sent meanwhile). A campaign whose actor fails is restarted from the API;
// one that keeps failing is quarantined (its messages dead-lettered, the
// others unaffected).
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "actors/fault_injection.hpp"
#include "actors/protocol.hpp"
#include "actors/restart_budget.hpp"
#include "runtime/service/metrics.hpp"

namespace hourglass::actors {

struct Inbound {
  messages::Message message;
  std::string channel;
  std::string payload;  // raw, for dead letters
  std::optional<nlohmann::json> fetched;  // the entity read from the API, for the flight recorder
};

struct RegistryOptions {
  sim::RulesPtr rules;
  caf::actor reader;   // api_reader
  caf::actor gateway;
  caf::actor bridge;   // dead letters, publishing
  service::Registry* metrics = nullptr;
  int restart_limit = 5;
  std::chrono::seconds restart_window{10};
  FaultInjectorPtr faults;  // tests only; usually none
  caf::actor recorder;      // the flight recorder; none when off
};

struct CampaignEntry {
  caf::actor campaign;
  caf::actor sink;
  bool ready = false;
  bool busy = false;
  bool quarantined = false;
  std::deque<Inbound> waiting;
  RestartBudget restarts;  // of its campaign actor; set when it is spawned
};

struct RegistryStatus {
  std::size_t campaigns = 0;
  std::size_t ready = 0;
  std::size_t quarantined = 0;
};

struct RegistryState {
  RegistryOptions options;
  std::map<std::string, CampaignEntry> campaigns;
  std::vector<caf::response_promise> drain_waiters;  // answered when nothing is in flight
  static inline const char* name = "registry";
};

caf::behavior registry_actor(caf::stateful_actor<RegistryState>* self, RegistryOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::Inbound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryOptions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryStatus)
