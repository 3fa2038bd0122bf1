// When the service catches up with the API's clock, decided by the inputs
// chosen (HOURGLASS_INPUT), not by whether a Redis subscriber happens to run.
//
// A catch-up has two occasions: the start-up resume (each campaign with a
// checkpoint is reconciled with the API and resynced to its world time) and
// the resync after a pub/sub reconnection (each campaign in memory advances
// to the API's world time). Both exist because pub/sub loses what is
// published while nobody listens; they are right only when a lossy pub/sub
// input is the one that carries the advances:
//   channels, campaign-manager (alone or together): yes, both.
//   stream, stream + campaign-manager: neither. The stream holds every SPEC §6
//     message in order, so it is the authority on the world time: resyncing
//     to the API's clock first would run a campaign ahead of the entries
//     still in the stream (their edits applied late, their advances stale).
//     A world_time_changed lost by campaign-manager's pub/sub loses no time:
//     the stream's own advance (or the next one) covers the gap, equal by
//     split invariance.
#pragma once

#include "runtime/service/config.hpp"

namespace hourglass::service {

struct ResyncPolicy {
  bool resume_at_start = false;      // reconcile + resync the campaigns with checkpoints
  bool resync_on_reconnect = false;  // resync the campaigns in memory after pub/sub comes back
  const char* why = "";              // for the log
};

ResyncPolicy resync_policy(const InputSelection& input);

}  // namespace hourglass::service
