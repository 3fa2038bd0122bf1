// The campaign registry: knows every campaign the service has seen, and
// makes what each computes durable before anything of it is sent. A campaign
// (re)starts from its checkpoint in Redis when it has one, else from the API
// (its world time and all its entities); then it gets its messages one at a
// time, in arrival order: a message whose entity must be fetched from the
// API waits for it, and the ones behind it wait too. After each message the
// registry commits the campaign's checkpoint and the API writes the message
// produced, atomically in one Redis script (actors/service/store_actor), and only
// then hands the writes to the gateway and takes the campaign's next message.
// After a Redis reconnect, and at start for every campaign with a
// checkpoint, it resyncs campaigns to the API's world time (pub/sub dropped
// what was sent meanwhile). A campaign whose actor fails is restarted from
// its checkpoint; one that keeps failing is quarantined (its messages
// dead-lettered, the others unaffected).
//
// Its code, by concern:
//   registry_actor.cpp      the behaviour: routing, restarts, resync, drain
//   registry_lifecycle.cpp  starting a campaign: checkpoint, else the API
//   registry_commit.cpp     one message handled, committed, handed on
//   registry_resume.cpp     resync to the API's clock; reconcile at start
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "actors/fault_injection.hpp"
#include "actors/protocol.hpp"
#include "actors/restart_budget.hpp"
#include "actors/service/api_reader.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/flight_recorder.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/service_protocol.hpp"
#include "actors/service/store_actor.hpp"
#include "actors/service/telemetry.hpp"

namespace hourglass::actors {

struct RegistryOptions {
  sim::RulesPtr rules;
  api_reader_actor reader;
  gateway_actor gateway;  // the campaigns' writes
  bridge_actor bridge;    // dead letters, publishing
  store_actor store;      // checkpoints and outboxes
  Telemetry* telemetry = &Telemetry::none();
  int restart_limit = 5;
  std::chrono::seconds restart_window{10};
  FaultInjectorPtr faults;  // tests only; usually none
  flight_recorder_actor recorder;  // none when off
  // A campaign idle this long (no message in flight or waiting) is
  // passivated: its actors stop (all it did is in its checkpoint) and its
  // next message starts it again from there. 0: never.
  std::chrono::milliseconds passivate_after{0};
  PublishBacklogPtr publish_backlog;  // shared with the bridge; may be null
};

struct CampaignEntry {
  caf::actor campaign;
  caf::actor sink;
  bool ready = false;
  bool busy = false;
  bool quarantined = false;
  // Its actor failed a message: until its down message (which follows the
  // failed reply) restarts or quarantines it, it takes nothing, and the
  // registry is not idle.
  bool failed = false;
  std::deque<Inbound> waiting;
  sim::WorldTime clock = 0;  // the campaign's clock as its messages leave it (anchors a CREATE)
  // What its checkpoint records of its input (messages::CheckpointInput):
  // messages handled, the last stream entry applied, writes numbered.
  std::uint64_t messages = 0;
  std::string stream_id;
  std::uint64_t write_seq = 0;
  // Writes made outside the records (anchors: actors/service/anchors) that
  // go out with the next commit.
  std::vector<io::EntityWrite> pending_writes;
  // Which life of the campaign this entry is: a restart drops the entry and
  // makes a new one, and answers meant for the old one must not touch it.
  std::uint64_t generation = 0;
  std::chrono::steady_clock::time_point last_active;  // its last message done (passivation)
};

struct RegistryStatus {
  std::size_t campaigns = 0;  // in memory (active or starting); passivated ones are not
  std::size_t ready = 0;
  std::size_t quarantined = 0;
  std::uint64_t passivations = 0;  // since start
};

struct RegistryState {
  RegistryOptions options;
  // Each campaign's restarts, by id. Kept apart from its entry, which a
  // restart drops and makes again: the budget must outlive both, or a
  // campaign that keeps failing is restarted for ever, never quarantined.
  std::map<std::string, RestartBudget> restarts;
  std::map<std::string, CampaignEntry> campaigns;
  std::uint64_t generations = 0;  // the last CampaignEntry::generation given
  // Which campaign holds each entity Hourglass knows (from the bootstraps
  // and the CREATE/DELETE messages): the campaign API's entity.modified
  // names only the entity.
  std::map<std::string, std::string> campaign_of_entity;
  std::uint64_t passivations = 0;
  // Resyncs at start run a few at a time: a catch-up holds the records of
  // its whole message until its commit, so a thousand at once would hold a
  // thousand catch-ups in memory.
  std::deque<std::string> resync_queue;
  std::set<std::string> resyncing;  // campaigns whose resync advance is under way
  std::vector<caf::typed_response_promise<bool>> drain_waiters;  // answered when nothing is in flight
  static inline const char* name = "registry";
};

using registry_actor = caf::typed_actor<
    // a valid message (from the bridge), to its campaign in arrival order
    caf::reacts_to<route_atom, Inbound>,
    // the campaign API's entity.modified: an UPDATE (or DELETE) of the
    // campaign that holds the entity; ignored for an entity no campaign has
    caf::reacts_to<api_change_atom, ApiChange>,
    // Redis reconnected: every campaign advances to the API's world time
    caf::reacts_to<resync_atom>,
    // these campaigns (those with a checkpoint, at start) are reconciled
    // with the API (messages/reconcile: its edits made while Hourglass was
    // down, at their resume clock), then advance to the API's world time:
    // started from their checkpoints, they catch up on the time that passed
    caf::reacts_to<resync_atom, std::vector<std::string>>,
    // new rules (SIGHUP): true once every campaign will take them before
    // any message routed after this answer
    caf::replies_to<rules_atom, sim::RulesPtr>::with<bool>,
    // answers once no message is in flight or waiting (quarantined ones aside)
    caf::replies_to<registry_drain_atom>::with<bool>,
    caf::replies_to<registry_status_atom>::with<RegistryStatus>,
    // its own timer: passivates the campaigns idle for passivate_after
    caf::reacts_to<passivate_atom>>;

registry_actor::behavior_type registry(registry_actor::stateful_pointer<RegistryState> self, RegistryOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryOptions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryStatus)
