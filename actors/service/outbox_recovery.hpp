// The writes that were committed to campaigns' outboxes and never sent, to
// the gateway: what the start-up recovery does for the campaigns owned at
// start (runtime/serve_app, after a stop or a crash of this instance) and a
// partition's takeover for its campaigns (registry_acquire, after another
// instance was killed or frozen: its gateway will not send them).
//
// A one-shot actor: asked once with the campaigns, it reads each outbox from
// the store, hands every non-empty one to the gateway (oldest entry first,
// as committed), answers how many entries went out once every outbox was
// read (or could not be), then quits. The gateway has them before the
// requester hears the answer, so what the requester starts next (a
// campaign's resync, the inputs) writes behind them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/service/gateway_actor.hpp"
#include "actors/service/store_actor.hpp"

namespace hourglass::actors {

// (outbox_atom, campaign ids) -> the number of entries handed to the gateway.
using outbox_recovery_actor =
    caf::typed_actor<caf::replies_to<outbox_atom, std::vector<std::string>>::with<std::size_t>>;

// `context` starts its log lines ("recovery", "takeover: partition 7").
outbox_recovery_actor::behavior_type outbox_recovery(outbox_recovery_actor::pointer self, store_actor store,
                                                     gateway_actor gateway, std::string context);

}  // namespace hourglass::actors
