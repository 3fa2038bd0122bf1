// What the registry's source files share (registry_actor.cpp,
// registry_lifecycle.cpp, registry_commit.cpp, registry_resume.cpp); not for
// use elsewhere.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/service/registry_actor.hpp"

namespace hourglass::actors::registry_detail {

using Self = registry_actor::stateful_pointer<RegistryState>;

// --- registry_actor.cpp ---
void route(Self self, Inbound in);
void process_next(Self self, const std::string& id);
void answer_drain_waiters(Self self);
void dead_letter(Self self, const Inbound& in, const caf::error& why);
// Campaign `id`'s entry if it is still life `generation`: an answer that
// arrives after a restart dropped that entry (a reply, an error, a fetch)
// must neither touch the new one nor make an empty one, which would never
// be started and would hold every later message.
CampaignEntry* entry_of(Self self, const std::string& id, std::uint64_t generation);
// Drops a campaign's entry (its actors end).
void forget_campaign(Self self, const std::string& id);


// --- registry_lifecycle.cpp ---
// Starts campaign `id` (its entry exists, with the messages that wait for
// it): from its checkpoint when Redis holds one, else from the API as of
// `as_of`. Once its load is committed it is ready and takes its messages.
void start_campaign(Self self, const std::string& id, std::optional<sim::WorldTime> as_of);

// --- registry_resume.cpp ---
// Every campaign in memory advances to the API's world time (after a Redis
// reconnect: pub/sub dropped what was published meanwhile).
void resync(Self self);
// Campaigns with a checkpoint, at start: reconciled with the API, then
// resynced, a few at a time.
void resume(Self self, const std::vector<std::string>& ids);
// `in` was a start-up resync advance, now done with (however): the next
// queued resync may start.
void resync_done(Self self, const Inbound& in);

// --- registry_commit.cpp ---
// Makes what campaign `id` computed since its last commit durable: its
// checkpoint (stream entry `stream_id` applied, when not empty) and the
// writes, numbered, in one atomic commit; then hands the writes to the
// gateway and calls `then`. A commit that fails for good drops the
// campaign's state in memory (it restarts from its last checkpoint) and
// calls `failed` with why.
void commit_campaign(Self self, const std::string& id, std::uint64_t generation, const std::string& stream_id,
                     std::function<void()> then, std::function<void(const caf::error&)> failed);

}  // namespace hourglass::actors::registry_detail
