// Carrying out one coalesced write against the campaign API: read the
// entity's current version and variables, write the engine's final values
// into them, update with the optimistic lock, and on a conflict read again
// and recompute (the values are absolute, so recomputing is re-merging).
// Used by the gateway's workers and by `hourglass dlq retry`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/coalesce.hpp"
#include "messages/dead_letter_codec.hpp"

namespace hourglass::io {

class EntityOwners;  // io/entity_ownership

struct WriteOutcome {
  bool done = false;       // applied now, or earlier (AlreadyApplied)
  bool retryable = false;  // a failure worth another try (API down, timeout, 5xx, lost races)
  bool unavailable = false;  // the API could not be reached or said so (transport, timeout, 502-504)
  // Whether it ran cannot be told (an effect called before a crash): never
  // sent again, dead-lettered at once (io/outbox_delivery).
  bool in_doubt = false;
  // Not sent: the API says the entity belongs to another campaign than the
  // write's, or cannot tell which (io/entity_ownership). Never retried:
  // dead-lettered at once with the reason.
  bool refused = false;
  // Done, but its outbox entry could not be removed (Redis was down): the
  // gateway has it removed later.
  bool removal_pending = false;
  ApiError::Kind kind = ApiError::Kind::None;
  std::string message;
};

// What a failed API call means for a write: retryable or not, the API
// unavailable (transport, timeout, 502-504: wait for it, however long) or
// the write itself refused.
WriteOutcome failed_write(const ApiError& e);

// At most `lock_attempts` read-merge-update rounds on optimistic-lock conflicts.
// Settlement and structure updates go to `branch_id`, which must be a branch
// of the entity's campaign. Which campaign the entity belongs to is not
// checked here: execute_campaign_write does.
WriteOutcome execute_write(CampaignApi& api, const EntityWrite& write, const std::string& branch_id,
                           int lock_attempts = 3);
// A write of campaign `campaign_id`: carried out only when its entity belongs
// to that campaign, as the API links it (io/entity_ownership; the reads it
// needs are folded into the ones the write makes anyway, the immutable links
// cached in `owners`), else refused (WriteOutcome::refused) and not sent.
// Updates go to that campaign's branch (`branches` finds it; failing to is
// the write's failure, retryable when the API's was).
WriteOutcome execute_campaign_write(CampaignApi& api, CampaignBranches& branches, EntityOwners& owners,
                                    const std::string& campaign_id, const EntityWrite& write, int lock_attempts = 3);
// The same with a cache of its own (`hourglass dlq retry`, tests).
WriteOutcome execute_campaign_write(CampaignApi& api, CampaignBranches& branches, const std::string& campaign_id,
                                    const EntityWrite& write, int lock_attempts = 3);

// A write as a dead letter entry, and back from what messages/dead_letter_codec
// read of one (throws std::invalid_argument for an unknown kind).
nlohmann::json write_to_json(const std::string& campaign_id, const EntityWrite& write);
// write_to_json(campaign_id, write).dump(), byte for byte (its keys in the
// same sorted order, strings escaped the same way, invalid UTF-8 refused with
// the same nlohmann::json::type_error), written directly rather than through
// a json tree: only `changes` goes through nlohmann. The outbox's `write`
// field (io/checkpoint_store).
std::string write_to_text(const std::string& campaign_id, const EntityWrite& write);
EntityWrite write_from_entry(const messages::DeadLetterWrite& entry);

}  // namespace hourglass::io
