#include "io/entity_ownership.hpp"

#include <algorithm>
#include <cctype>

namespace hourglass::io {
namespace {

ApiResult<Owner> known(std::string campaign) {
  ApiResult<Owner> r;
  r.value = Owner{std::move(campaign), {}};
  return r;
}

ApiResult<Owner> unknown(std::string why) {
  ApiResult<Owner> r;
  r.value = Owner{std::nullopt, std::move(why)};
  return r;
}

ApiResult<Owner> failed(ApiError e) {
  ApiResult<Owner> r;
  r.error = std::move(e);
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A link read by id: the linked id, or the entity unknown to the API.
template <class Then>
ApiResult<Owner> follow(const ApiResult<std::optional<std::string>>& link, const std::string& what, Then then) {
  if (!link.ok()) return failed(link.error);
  if (!*link.value) return unknown("the API has no " + what);
  return then(**link.value);
}

WriteOutcome refused(std::string message) {
  WriteOutcome o;
  o.refused = true;
  o.message = "refused: " + std::move(message);
  return o;
}

}  // namespace

EntityOwners::EntityOwners(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

template <class Ask>
ApiResult<Owner> EntityOwners::remembered(const std::string& key, Ask ask) {
  if (auto it = campaign_of_.find(key); it != campaign_of_.end()) return known(it->second);
  ApiResult<Owner> r = ask();
  if (r.ok() && r.value->campaign) {  // only answers are kept: an unknown entity may appear
    if (campaign_of_.size() >= capacity_) campaign_of_.clear();
    campaign_of_.emplace(key, *r.value->campaign);
  }
  return r;
}

ApiResult<Owner> EntityOwners::of_kingdom(CampaignApi& api, const std::string& kingdom_id) {
  return remembered("kingdom:" + kingdom_id, [&] {
    return follow(api.kingdom_campaign(kingdom_id), "kingdom " + kingdom_id, [](const std::string& c) { return known(c); });
  });
}

ApiResult<Owner> EntityOwners::of_settlement_in(CampaignApi& api, const std::string& settlement_id,
                                                const std::string& kingdom_id) {
  return remembered("settlement:" + settlement_id, [&] { return of_kingdom(api, kingdom_id); });
}

ApiResult<Owner> EntityOwners::of_settlement(CampaignApi& api, const std::string& settlement_id) {
  return remembered("settlement:" + settlement_id, [&] {
    return follow(api.settlement_kingdom(settlement_id), "settlement " + settlement_id,
                  [&](const std::string& kingdom) { return of_kingdom(api, kingdom); });
  });
}

ApiResult<Owner> EntityOwners::of_event(CampaignApi& api, const std::string& event_id) {
  return remembered("event:" + event_id, [&] {
    return follow(api.event_campaign(event_id), "event " + event_id, [](const std::string& c) { return known(c); });
  });
}

ApiResult<Owner> EntityOwners::of_encounter(CampaignApi& api, const std::string& encounter_id) {
  return remembered("encounter:" + encounter_id, [&] {
    return follow(api.encounter_campaign(encounter_id), "encounter " + encounter_id,
                  [](const std::string& c) { return known(c); });
  });
}

ApiResult<Owner> EntityOwners::of_entity(CampaignApi& api, const std::string& entity_type,
                                         const std::string& entity_id) {
  const std::string type = lower(entity_type);
  if (type == "event") return of_event(api, entity_id);
  if (type == "encounter") return of_encounter(api, entity_id);
  if (type == "settlement") return of_settlement(api, entity_id);
  if (type == "structure")
    return follow(api.structure_settlement(entity_id), "structure " + entity_id,
                  [&](const std::string& settlement) { return of_settlement(api, settlement); });
  return unknown("it hangs on a " + entity_type + " (" + entity_id + "), which the API links to no campaign");
}

std::optional<WriteOutcome> unless_owned(const std::string& what, const std::string& campaign_id,
                                         const ApiResult<Owner>& owner) {
  if (!owner.ok()) {
    WriteOutcome o = failed_write(owner.error);  // its message keeps failed_write's "<kind>: ..." form
    o.message += " (asking which campaign " + what + " belongs to)";
    return o;
  }
  const Owner& found = *owner.value;
  if (!found.campaign)
    return refused("cannot tell which campaign " + what + " belongs to (" + found.unknown + "); not sent for campaign " +
                   campaign_id);
  if (*found.campaign == campaign_id) return std::nullopt;
  return refused(what + " belongs to campaign " + *found.campaign + ", not " + campaign_id);
}

std::optional<WriteOutcome> unless_effect_owned(CampaignApi& api, EntityOwners& owners, const std::string& campaign_id,
                                                const std::string& effect_id,
                                                const ApiResult<std::optional<ApiEffect>>& effect) {
  const std::string what = "effect " + effect_id;
  if (!effect.ok()) return unless_owned(what, campaign_id, failed(effect.error));
  if (!*effect.value)
    return unless_owned(what, campaign_id,
                        unknown("getEffect answered null: no such effect, or one on an entity the API links to no "
                                "campaign"));
  const ApiEffect& found = **effect.value;
  return unless_owned(what, campaign_id, owners.of_entity(api, found.entity_type, found.entity_id));
}

}  // namespace hourglass::io
