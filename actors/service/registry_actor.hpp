// The campaign registry: knows every campaign the service has seen and
// routes each message to the campaign's session (actors/service/
// campaign_session), which owns the campaign's queue, start, commits and
// retries. The registry keeps what outlives a session:
//   - routing, and the entity index (which campaign holds each entity: the
//     campaign API's entity.modified names only the entity);
//   - restart budgets: a session that ends because its campaign failed is
//     replaced by a new one from the checkpoint, taking the messages the old
//     one held; past the budget the campaign is quarantined;
//   - quarantine (its messages dead-lettered, its reason in /health), for a
//     campaign that keeps failing or whose keys Redis refuses;
//   - passivation of idle sessions, and the drain;
//   - the resync to the API's world time after a Redis reconnect, and at
//     start for every campaign with a checkpoint, a few at a time.
//
// Its code, by concern:
//   registry_actor.cpp      the behaviour: routing, sessions' ends, drain, passivation
//   registry_resume.cpp     resync to the API's clock; reconcile at start
//   registry_ownership.cpp  only owned partitions' campaigns; fenced sessions
//   registry_handoff.cpp    a handed-off partition's sessions end
//   registry_acquire.cpp    a partition taken over: outboxes sent, resynced
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
#include "actors/service/campaign_session.hpp"
#include "actors/service/flight_recorder.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/service_protocol.hpp"
#include "actors/service/store_actor.hpp"
#include "actors/service/telemetry.hpp"
#include "io/partition_ownership.hpp"

namespace hourglass::actors {

// What the registry starts its sessions with (SessionOptions: its restart
// limit is also the campaigns' restart budget), and what only it uses.
struct RegistryOptions : SessionOptions {
  // A campaign idle this long (no message in flight or waiting) is
  // passivated: its actors stop (all it did is in its checkpoint) and its
  // next message starts it again from there. 0: never.
  std::chrono::milliseconds passivate_after{0};
  // The partitions this instance owns (io/lease_keeper keeps it): a message
  // of a campaign in a partition it does not own is left to the instance
  // that does, and a session starts with its partition's token
  // (SessionOptions::fence). None: every campaign is this instance's, with
  // no fence (one instance, and tests).
  // The registry also reports there that a handed-off partition's sessions
  // have all ended (sessions_ended), for the keeper to release its lease.
  std::shared_ptr<io::PartitionOwnership> ownership;
};

struct CampaignEntry {
  campaign_session_actor session;  // none while quarantined
  std::uint64_t routed = 0;        // messages given to this session
  SessionReport report;            // its last report: finished == routed is idle
  bool quarantined = false;
  std::string quarantine_reason;
  std::chrono::steady_clock::time_point last_active;  // its last message done (passivation)
  std::uint64_t fence = 0;  // the partition token its session claimed it with (0: none)
  bool idle() const { return quarantined || (session && report.ready && report.finished == routed); }
};

struct RegistryStatus {
  std::size_t campaigns = 0;  // in memory (active or starting); passivated ones are not
  std::size_t ready = 0;
  std::size_t quarantined = 0;
  // The first quarantined campaigns (at most 20), id -> why, for /health.
  std::map<std::string, std::string> quarantine_reasons;
  std::uint64_t passivations = 0;  // since start
};

struct RegistryState {
  RegistryOptions options;
  // Each campaign's restarts, by id. Kept apart from its entry, which a
  // restart drops and makes again: the budget must outlive both, or a
  // campaign that keeps failing is restarted for ever, never quarantined.
  std::map<std::string, RestartBudget> restarts;
  std::map<std::string, CampaignEntry> campaigns;
  // Which campaign holds each entity Hourglass knows (from the sessions'
  // starts and the CREATE/DELETE messages): the campaign API's
  // entity.modified names only the entity.
  std::map<std::string, std::string> campaign_of_entity;
  std::uint64_t passivations = 0;
  // Campaigns whose fence refused this instance, with the token refused: not
  // started again here under that token or a lower one (another instance
  // claimed them; the lease keeper may not know yet that the lease is gone).
  std::map<std::string, std::uint64_t> fenced_at;
  // Resyncs at start run a few at a time: a catch-up holds the records of
  // its whole message until its commit, so a thousand at once would hold a
  // thousand catch-ups in memory.
  std::deque<std::string> resync_queue;
  std::set<std::string> resyncing;  // campaigns whose resync advance is under way
  std::vector<caf::typed_response_promise<bool>> drain_waiters;  // answered when nothing is in flight
  // Handed-off partitions whose sessions have ended, their campaigns'
  // outboxes being checked (registry_handoff.cpp).
  std::set<std::uint32_t> handoff_outbox_checks;
  // Partitions taken over whose intake waits for an intake marker
  // (registry_acquire.cpp): the marker's number and the acquisition's resync flag.
  struct IntakeWait {
    std::uint64_t mark = 0;
    bool resync = false;
  };
  std::map<std::uint32_t, IntakeWait> intake_waits;
  std::uint64_t marks_asked = 0;
  bool mark_tick_pending = false;
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
    caf::reacts_to<passivate_atom>,
    // the lease keeper hands this partition off (intake for it has stopped,
    // io::PartitionOwnership::hand_off): each of its sessions ends once it
    // has committed what it was given; then sessions_ended
    caf::reacts_to<handoff_atom, std::uint32_t>,
    // this instance took the partition over (after its start-up): the
    // outbox entries its campaigns' previous owner committed and did not
    // send are sent, and (with `true`: a lossy input, as at start) each is
    // reconciled with the API and resynced to the API's world time, which
    // covers what was published while the partition moved
    caf::reacts_to<acquired_atom, std::uint32_t, bool>,
    // (from the bridge, in the subscription's order) the intake marker with
    // this number has come through: a partition taken over and waiting for
    // it opens its intake (registry_acquire.cpp); and its own timer that
    // publishes another while one waits
    caf::reacts_to<intake_mark_atom, std::uint64_t>,
    caf::reacts_to<mark_tick_atom>,
    // from the sessions (session_parent_actor)
    caf::reacts_to<session_report_atom, std::string, SessionReport>,
    caf::replies_to<session_ended_atom, std::string, SessionEnd>::with<bool>,
    caf::reacts_to<resync_done_atom, std::string>,
    caf::reacts_to<index_atom, std::string, std::vector<std::string>>>;

registry_actor::behavior_type registry(registry_actor::stateful_pointer<RegistryState> self, RegistryOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryOptions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::RegistryStatus)
