// What the registry's source files share (registry_actor.cpp,
// registry_resume.cpp); not for use elsewhere.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "actors/service/registry_actor.hpp"

namespace hourglass::actors::registry_detail {

using Self = registry_actor::stateful_pointer<RegistryState>;

// --- registry_actor.cpp ---
// A message to its campaign's session (started when it has none), in
// arrival order; dead-lettered when the campaign is quarantined.
void route(Self self, Inbound in);

// --- registry_ownership.cpp ---
// Whether this instance owns campaign `id`'s partition (and was not fenced
// out of it under the token it holds); `fence` is then the token (0 when
// there are no partitions).
bool owned(Self self, const std::string& id, std::uint64_t& fence);
// A message of a campaign another instance owns: left to it (counted as
// ignored; a stream entry is not acknowledged, the stream gives it again).
void leave_to_owner(Self self, const Inbound& in);
// Campaign `id`'s session was fenced out: dropped (not quarantined), what it
// held left to the owner, and not started again under its token.
void drop_fenced(Self self, const std::string& id, SessionEnd& e);

// --- registry_handoff.cpp ---
// Ends the sessions of the partitions being handed off that have committed
// all they were given; a partition with none left is reported ended
// (io::PartitionOwnership::sessions_ended). Called on a handoff and after
// every report or end of a session.
void continue_handoffs(Self self);

// --- registry_acquire.cpp ---
// Partition `partition` was taken over: its campaigns' outboxes sent, and
// with `resync` each resumed (reconciled, resynced) as at start.
void acquired(Self self, std::uint32_t partition, bool resync);
// acquired_atom: with its intake waiting (io::PartitionOwnership), the
// partition waits for an intake marker first; else acquired at once.
void taken_over(Self self, std::uint32_t partition, bool resync);
// intake_mark_atom: partitions waiting for this marker or an earlier one
// open their intake, then are acquired.
void intake_marked(Self self, std::uint64_t mark);
// mark_tick_atom: while a partition waits, another marker is published.
void mark_tick(Self self);
// The campaigns with a checkpoint in `partition`, to `then`; when the index
// was not read, said in the log with `why`, and `failed` instead.
void campaigns_of_partition(Self self, std::uint32_t partition, const std::string& why,
                            std::function<void(std::vector<std::string>)> then, std::function<void()> failed = {});

// --- registry_resume.cpp ---
// Every campaign in memory advances to the API's world time (after a Redis
// reconnect: pub/sub dropped what was published meanwhile).
void resync(Self self);
// Campaigns with a checkpoint, at start: reconciled with the API, then
// resynced, a few at a time.
void resume(Self self, const std::vector<std::string>& ids);
// Campaign `id`'s start-up resync advance is done with (however), or never
// came: the next queued resync may start.
void campaign_resynced(Self self, const std::string& id);

}  // namespace hourglass::actors::registry_detail
