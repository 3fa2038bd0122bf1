// Which campaign an entity of the campaign API belongs to, as the API links
// it, and whether a write of campaign C may touch it: no write or execution
// may reach an entity of another campaign, whatever the input said (the
// issue "a message on one campaign's channel can act on another campaign").
//
// The links read (docs/api-contract.md 3.11): Kingdom.campaignId,
// Settlement.kingdomId, Structure.settlementId, Event.campaignId,
// Encounter.campaignId, Effect.entityType/entityId (an effect hangs on an
// encounter or an event; settlements and structures are followed too). The
// API cannot change any of them (no update input has the field), so each
// answer is cached: a worker asks about a kingdom, a settlement, an event or
// an encounter once, not per write.
//
// When the API cannot tell (a lookup answers null: no such entity, or an
// effect getEffect does not show), the write is refused, saying why: the
// issue asks to "refuse otherwise, with a reason", and a write that cannot be
// tied to its campaign is exactly the kind the issue found harmful.
//
// THREADING: one EntityOwners per thread, like its CampaignApi.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "io/campaign_api.hpp"
#include "io/write_executor.hpp"

namespace hourglass::io {

// The campaign an entity belongs to, or why the API cannot tell.
struct Owner {
  std::optional<std::string> campaign;
  std::string unknown;  // campaign unset: why (names what the API answered null for)
};

class EntityOwners {
 public:
  // Past `capacity` answers the cache is emptied and fills again: bounded,
  // and far above what one campaign's writes touch between two clears.
  explicit EntityOwners(std::size_t capacity = 10'000);

  // Each is ok with an Owner (known or not); an error only when the API did
  // not answer (transport, refusal, bad reply): the write fails as for any
  // call, retried or not by its kind.
  ApiResult<Owner> of_kingdom(CampaignApi& api, const std::string& kingdom_id);
  ApiResult<Owner> of_settlement(CampaignApi& api, const std::string& settlement_id);
  // A settlement whose kingdom is already read (GetSettlement, before its update).
  ApiResult<Owner> of_settlement_in(CampaignApi& api, const std::string& settlement_id, const std::string& kingdom_id);
  ApiResult<Owner> of_event(CampaignApi& api, const std::string& event_id);
  ApiResult<Owner> of_encounter(CampaignApi& api, const std::string& encounter_id);
  // What an effect hangs on: entityType compared in lower case ("event",
  // "EVENT", "encounter", "settlement", "structure"); any other type cannot
  // be told.
  ApiResult<Owner> of_entity(CampaignApi& api, const std::string& entity_type, const std::string& entity_id);

  std::size_t cached() const { return campaign_of_.size(); }

 private:
  template <class Ask>
  ApiResult<Owner> remembered(const std::string& key, Ask ask);

  std::size_t capacity_;
  std::unordered_map<std::string, std::string> campaign_of_;  // "<type>:<id>" -> campaign
};

// The verdict on a write of campaign `campaign_id` to `what` ("effect fx2"),
// given its `owner`: nullopt when it belongs to that campaign (the write may
// go), else the outcome to report instead of sending it — refused ("effect
// fx2 belongs to campaign c2, not c1", or why it cannot be told), or the
// API's failure.
std::optional<WriteOutcome> unless_owned(const std::string& what, const std::string& campaign_id,
                                         const ApiResult<Owner>& owner);

// The same for effect `effect_id` as getEffect read it (`effect`: null when
// the API shows no such effect), following what it hangs on.
std::optional<WriteOutcome> unless_effect_owned(CampaignApi& api, EntityOwners& owners, const std::string& campaign_id,
                                                const std::string& effect_id,
                                                const ApiResult<std::optional<ApiEffect>>& effect);

}  // namespace hourglass::io
