// Carrying out one outbox entry (io/checkpoint_store) against a campaign API
// that has no idempotency, so that each takes effect once however often a
// crash makes Hourglass send it:
//   - a settlement or structure update stores its marker in the entity's
//     variables (messages::write_marker_json); an entity already carrying the
//     write's seq, or a later one, means it was applied (io/write_executor);
//   - expiring an event that is already completed is done (AlreadyApplied);
//   - an effect is not idempotent at all: before the call, its executions are
//     counted and that count is marked in flight in Redis; an entry found
//     marked (the process died between the call and the `done`) is run again
//     only when the API shows no execution since the mark. When that cannot
//     be told (the mark is not a count, the effect is gone), the outcome is
//     in doubt: dead-lettered, never run twice.
//     A process paused (SIGSTOP, a stall) between its mark and its call must
//     not call when it wakes, after another instance ran the same entry: the
//     API takes no fencing token. So the call is made only within
//     `EffectCallTiming::window` of the mark (measured from before the mark,
//     on the caller's own clock; otherwise it is tried again later), and an
//     entry marked by anyone is looked at again only once the mark is older
//     than `hold` (window + the API request timeout + a margin, on Redis'
//     clock): by then a call made in its window has reached the API, and the
//     count shows it. The mark is taken only while the entry is still in the
//     outbox and its mark is the one read, in one script.
// And none reaches past its campaign: its entity must belong to the entry's
// campaign, as the API links it (io/entity_ownership), or it is refused
// (WriteOutcome::refused) and not sent.
// Blocking; used by the gateway's workers (one API client and one Redis
// connection each).
#pragma once

#include <chrono>
#include <string>

#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/checkpoint_store.hpp"
#include "io/coalesce.hpp"
#include "io/entity_ownership.hpp"
#include "io/write_executor.hpp"

namespace hourglass::io {

// How long an effect's call may follow its mark, and how long a mark holds
// the entry for everyone else (see above). hold must exceed window plus the
// API request timeout.
struct EffectCallTiming {
  std::chrono::milliseconds window{2000};
  std::chrono::milliseconds hold{8000};
};
// For an API request timeout: window 2 s, hold = window + timeout + 1 s.
EffectCallTiming effect_call_timing(std::chrono::milliseconds api_timeout);

// `store` may be null (no Redis right now): an effect then fails, retryable,
// without being called; other writes go ahead (their markers guard them).
// On success the entry is NOT removed from the outbox: the caller does that
// (CheckpointStore::done), so that a failing Redis never hides a done write.
// `owners` caches the links to campaigns (one per worker, as its `api`).
WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, EntityOwners& owners,
                                  CheckpointStore* store, const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write, const EffectCallTiming& timing = {});
// The same with a cache of its own.
WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, CheckpointStore* store,
                                  const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write, const EffectCallTiming& timing = {});

}  // namespace hourglass::io
