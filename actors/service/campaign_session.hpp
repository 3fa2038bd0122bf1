// The campaign session: one actor per active campaign (Orleans would call it
// an activation). It owns everything of one campaign's life in the service:
//   - its inbound queue: messages in arrival order, one at a time;
//   - its campaign actor and record sink (linked: they end with it);
//   - its start: from its checkpoint, else bootstrapped from the API;
//   - each message as straight-line code: [fetch the entity] -> handle ->
//     snapshot -> records -> writes -> store -> gateway -> next;
//   - its retries while the API or Redis is away (failure_class::transient:
//     the message waits, unacknowledged, with backoff).
// What it cannot decide alone it hands to its parent, the registry, and
// ends: a failed campaign (restarted from its checkpoint as a new session,
// within the registry's restart budget), Redis refusing the campaign's keys
// (quarantine), a start the API refused (forgotten until the next message).
// A restart is a new session: replies meant for an old one die with it.
//
// States (docs/architecture.md draws them):
//   starting --ready--> idle <--> busy --(failure)--> ending
//        \--(transient: backoff)--/   \--(transient: backoff)--/
// While ending it waits for the registry to take its queue back, and sends
// anything that still reaches it back to the registry, in order.
#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/advance_progress.hpp"
#include "actors/fault_injection.hpp"
#include "actors/protocol.hpp"
#include "actors/service/api_reader.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/record_feed_actor.hpp"
#include "actors/service/flight_recorder.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/service_protocol.hpp"
#include "actors/service/store_actor.hpp"
#include "actors/service/telemetry.hpp"
#include "io/backoff.hpp"

namespace hourglass::actors {

using session_report_atom = caf::atom_constant<caf::atom("sreport")>;
using session_ended_atom = caf::atom_constant<caf::atom("sended")>;
using session_retry_atom = caf::atom_constant<caf::atom("sretry")>;
using resync_done_atom = caf::atom_constant<caf::atom("resyncdone")>;
using index_atom = caf::atom_constant<caf::atom("index")>;

// session -> registry: how far it got. `finished` counts the messages it was
// given that are done with (committed, ignored, refused, dead-lettered);
// the registry compares it with what it routed to know the campaign idle.
struct SessionReport {
  std::uint64_t finished = 0;
  bool ready = false;
};

// session -> registry, as it ends: what to do, and the messages it still
// held, for the campaign's next session (in order: `retake` first).
struct SessionEnd {
  enum class Then : std::uint8_t {
    restart,     // the campaign failed: a new session from its checkpoint takes the messages
    quarantine,  // Redis refuses its keys: quarantined, the messages dead-lettered
    forget,      // its start was refused: dropped; the next message starts it again
    fenced,      // another instance claimed the campaign: dropped, its messages not taken again here
  };
  Then then = Then::restart;
  caf::error why;
  std::optional<Inbound> retake;  // the message whose effects were not committed
  std::vector<Inbound> waiting;
};

// What the session needs of its parent (the registry's interface has all of
// these): reports, its end, start-up resyncs done, the entities it holds.
using session_parent_actor = caf::typed_actor<
    caf::reacts_to<session_report_atom, std::string, SessionReport>,
    // answered once the registry has taken the queue back: the session then stops
    caf::replies_to<session_ended_atom, std::string, SessionEnd>::with<bool>,
    caf::reacts_to<route_atom, Inbound>,  // a message that reached an ending session, back to be routed again
    caf::reacts_to<resync_done_atom, std::string>,
    caf::reacts_to<index_atom, std::string, std::vector<std::string>>>;

struct SessionOptions {
  sim::RulesPtr rules;
  api_reader_actor reader;
  gateway_actor gateway;
  bridge_actor bridge;
  record_feed_actor feed;  // where the sinks publish records (HOURGLASS_PUBLISH_RECORDS)
  store_actor store;
  Telemetry* telemetry = &Telemetry::none();
  int restart_limit = 5;  // of its settlement actors, within the window
  std::chrono::seconds restart_window{10};
  FaultInjectorPtr faults;
  flight_recorder_actor recorder;
  PublishBacklogPtr publish_backlog;
  sim::Duration max_advance = 0;  // CampaignInit::max_advance
  // Whether records are published (HOURGLASS_PUBLISH_RECORDS): without, the
  // campaign writes no record as JSON (CampaignInit::capture.text).
  bool publish_records = true;
  // A longer advance goes to the campaign one span of world time at a time,
  // each committed (checkpoint and writes) before the next: what a crash or a
  // stop loses, and what waits for the API, is one span, not the advance; an
  // entity gets at most one write per span. 0: never split.
  sim::Duration commit_span = 365 * sim::kMsPerDay;
  // Set when the service stops: a long advance stops at its next span's
  // commit, unacknowledged (the next start resumes it). May be null.
  std::shared_ptr<const std::atomic<bool>> draining;
  // How far the long advances have got, span by span (/health, logs). May be null.
  AdvanceProgressPtr progress;
  // How long a transient failure waits before the next try: doubles from
  // `retry_initial` up to `retry_cap`.
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_cap{5000};
  // The token of the partition lease the campaign's partition is held under
  // (several instances, docs/operations.md): the session claims the campaign
  // with it before reading its checkpoint, and every commit carries it, so a
  // session whose campaign another instance has claimed since writes
  // nothing (hourglass_errc::fenced). 0: no claim, no fence (one instance
  // without partitions, and tests).
  std::uint64_t fence = 0;
};

using campaign_session_actor = caf::typed_actor<
    // a message of this campaign, queued in arrival order
    caf::reacts_to<route_atom, Inbound>,
    // new rules: the campaign takes them between two messages
    caf::reacts_to<rules_atom, sim::RulesPtr>,
    // its own timer: the step that failed transiently is tried again
    caf::reacts_to<session_retry_atom>>;

struct SessionState {
  std::string id;
  SessionOptions options;
  session_parent_actor parent;
  caf::actor campaign;
  caf::actor sink;
  bool ready = false;
  bool busy = false;    // a message (or the start) is in flight
  bool ending = false;  // handed back to the registry; forwards what still arrives
  bool claimed = false;  // the campaign is claimed for options.fence (when set)
  std::deque<Inbound> queue;
  std::uint64_t finished = 0;
  // The step a transient failure interrupted, run again by session_retry_atom.
  std::function<void()> retry;
  io::Backoff backoff{std::chrono::milliseconds(100), std::chrono::milliseconds(5000)};
  std::uint64_t waits_at_cap = 0;  // tries at the backoff's cap (their log lines are thinned)
  // What its checkpoint records (messages::CheckpointInput) and the clock its
  // messages leave it at (anchors a CREATE).
  sim::WorldTime clock = 0;
  std::uint64_t messages = 0;
  std::string stream_id;
  std::uint64_t write_seq = 0;
  std::vector<io::EntityWrite> pending_writes;  // anchors, out with the next commit
  static inline const char* name = "campaign-session";
};

// `first_as_of`: the clock a campaign with no checkpoint is bootstrapped at
// (an advance's previousTime), none for the API's world time.
campaign_session_actor::behavior_type campaign_session(campaign_session_actor::stateful_pointer<SessionState> self,
                                                       std::string id, SessionOptions options,
                                                       session_parent_actor parent,
                                                       std::optional<sim::WorldTime> first_as_of);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SessionReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SessionEnd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SessionOptions)
