// What the campaign session's source files share (campaign_session.cpp,
// session_start.cpp, session_commit.cpp); not for use elsewhere.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/service/campaign_session.hpp"

namespace hourglass::actors::session_detail {

using Self = campaign_session_actor::stateful_pointer<SessionState>;

// --- campaign_session.cpp ---
// Takes the next queued message when ready and nothing is in flight.
void process_next(Self self);
// A message is done with: counted as finished and reported to the registry
// (and, for a start-up resync, the registry's next resync may start).
void finish(Self self, const Inbound& in);
void dead_letter(Self self, const Inbound& in, const caf::error& why);
// `step` failed with `why`, a transient failure: it runs again after the
// backoff's next delay; the message stays in flight (unacknowledged) and the
// queue behind it waits.
void wait_and_retry(Self self, const caf::error& why, std::function<void()> step);
// Hands the queue (after `retake`) back to the registry, which restarts,
// quarantines or forgets the campaign; the session stops once it has.
void end(Self self, SessionEnd::Then then, const caf::error& why, std::optional<Inbound> retake = std::nullopt);
// What a failed commit means: Redis refusing the campaign's keys
// quarantines it; anything else restarts it from its last checkpoint, the
// uncommitted message (if any) taken again.
void commit_failed(Self self, std::optional<Inbound> retake, const caf::error& why);
// The campaign's fence refused this session's claim or commit (another
// instance claimed the campaign): it stops at once, never retries, and
// hands its messages back to the registry, which drops the campaign.
void fenced_out(Self self, const caf::error& why, std::optional<Inbound> retake = std::nullopt);
void report(Self self);

// --- session_start.cpp ---
// From its checkpoint when Redis holds one, else from the API as of `as_of`;
// once its load is committed it is ready and takes its messages.
void start(Self self, std::optional<sim::WorldTime> as_of);

// --- session_commit.cpp ---
// Makes what the campaign computed since its last commit durable: its
// checkpoint (stream entry `stream_id` applied, when not empty) and its
// writes, numbered, in one atomic commit; then hands the writes to the
// gateway and calls `then`, or calls `failed`.
void commit(Self self, const std::string& stream_id, std::function<void()> then,
            std::function<void(const caf::error&)> failed);

}  // namespace hourglass::actors::session_detail
