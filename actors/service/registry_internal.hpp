// What the registry's source files share (registry_actor.cpp,
// registry_resume.cpp); not for use elsewhere.
#pragma once

#include <string>
#include <vector>

#include "actors/service/registry_actor.hpp"

namespace hourglass::actors::registry_detail {

using Self = registry_actor::stateful_pointer<RegistryState>;

// --- registry_actor.cpp ---
// A message to its campaign's session (started when it has none), in
// arrival order; dead-lettered when the campaign is quarantined.
void route(Self self, Inbound in);

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
