#include "actors/service/api_reader.hpp"

#include "actors/service/service_protocol.hpp"
#include "messages/api_entity_codec.hpp"
#include "messages/entity_codec.hpp"

namespace hourglass::actors {
namespace {

template <class T>
T value_or_throw(io::ApiResult<T> r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + ": " + io::to_string(r.error.kind) + ": " + r.error.message);
  return std::move(*r.value);
}

FetchedEntity fetch_entity(io::CampaignApi& api, messages::EntityKind kind, const std::string& id,
                           const std::string& campaign_id, const sim::Rules& rules) {
  const std::string where = "api:" + std::string(messages::entity_kind_name(kind)) + "(" + id + ")";
  FetchedEntity out;
  switch (kind) {
    case messages::EntityKind::Settlement:
      out.json = messages::settlement_entity_json(value_or_throw(api.get_settlement(id), where));
      out.patch = messages::read_settlement(out.json, where, rules, true);
      return out;
    case messages::EntityKind::Structure:
      out.json = messages::structure_entity_json(value_or_throw(api.get_structure(id), where));
      out.patch = messages::read_structure(out.json, where, rules, true);
      return out;
    case messages::EntityKind::Event:
      for (const auto& e : value_or_throw(api.events_by_campaign(campaign_id), where)) {
        if (e.id != id) continue;
        out.json = messages::event_entity_json(e);
        out.patch = messages::read_event(out.json, where, true);
        return out;
      }
      break;
    case messages::EntityKind::Effect:
      // The campaign API has no deferred effects (no query lists them or
      // their execution time): Hourglass learns of them only from the
      // messages that carry them inline, and keeps them itself.
      throw std::runtime_error(where + ": a deferred effect must be given inline as `entity`; the campaign API "
                               "has no deferred effects to fetch");
    case messages::EntityKind::Encounter: return out;
  }
  throw std::runtime_error(where + ": not found");
}

}  // namespace

CampaignSeed read_campaign_seed(io::CampaignApi& api, const std::string& id, const sim::Rules& rules) {
  CampaignSeed seed;
  seed.id = id;
  auto clock = value_or_throw(api.get_current_world_time(id), "getCurrentWorldTime(" + id + ")");
  if (!clock) throw std::runtime_error("campaign " + id + " has no world time yet");
  seed.clock = *clock;
  for (const std::string& kingdom : value_or_throw(api.kingdoms_by_campaign(id), "kingdomsByCampaign(" + id + ")")) {
    for (const auto& s : value_or_throw(api.settlements_by_kingdom(kingdom), "settlementsByKingdom(" + kingdom + ")")) {
      const std::string where = "api:settlement(" + s.id + ")";
      seed.settlements.push_back(messages::read_settlement(messages::settlement_entity_json(s), where, rules, true));
      for (const auto& st : value_or_throw(api.structures_by_settlement(s.id), "structuresBySettlement(" + s.id + ")")) {
        const std::string at = "api:structure(" + st.id + ")";
        seed.structures.push_back(messages::read_structure(messages::structure_entity_json(st), at, rules, true));
      }
    }
  }
  for (const auto& e : value_or_throw(api.events_by_campaign(id), "eventsByCampaign(" + id + ")"))
    seed.events.push_back(messages::read_event(messages::event_entity_json(e), "api:event(" + e.id + ")", true));
  return seed;
}

caf::behavior api_reader(caf::event_based_actor* self, io::CampaignApiConfig config) {
  auto api = std::make_shared<io::CampaignApi>(config);
  auto fail = [](const std::exception& e) { return caf::make_error(caf::sec::runtime_error, e.what()); };
  return {
      [=](bootstrap_atom, const std::string& id, const sim::RulesPtr& rules) -> caf::result<CampaignSeed> {
        try {
          return read_campaign_seed(*api, id, *rules);
        } catch (const std::exception& e) {
          return fail(e);
        }
      },
      [=](world_time_atom, const std::string& id) -> caf::result<sim::WorldTime> {
        auto r = api->get_current_world_time(id);
        if (!r.ok() || !*r.value)
          return caf::make_error(caf::sec::runtime_error, "getCurrentWorldTime(" + id + ") failed: " + r.error.message);
        return **r.value;
      },
      [=](fetch_atom, int kind, const std::string& id, const std::string& campaign_id,
          const sim::RulesPtr& rules) -> caf::result<FetchedEntity> {
        try {
          return fetch_entity(*api, static_cast<messages::EntityKind>(kind), id, campaign_id, *rules);
        } catch (const std::exception& e) {
          return fail(e);
        }
      },
  };
}

}  // namespace hourglass::actors
