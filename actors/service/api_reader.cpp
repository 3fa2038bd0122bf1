#include "actors/service/api_reader.hpp"

#include "actors/service/service_protocol.hpp"
#include "messages/api_entity_codec.hpp"
#include "messages/entity_codec.hpp"

#include <spdlog/spdlog.h>

namespace hourglass::actors {

namespace {

hourglass_errc code_of(const io::ApiError& e) {
  if (e.retryable()) return hourglass_errc::api_unavailable;
  return e.kind == io::ApiError::Kind::BadReply ? hourglass_errc::bad_api_reply : hourglass_errc::api_refused;
}

template <class T>
T value_or_throw(io::ApiResult<T> r, const std::string& what) {
  if (!r.ok()) throw ApiReadError(code_of(r.error), what + ": " + io::to_string(r.error.kind) + ": " + r.error.message);
  return std::move(*r.value);
}

// What the reader answers for an exception of a read.
caf::error error_of(const std::exception& e) {
  if (const auto* api = dynamic_cast<const ApiReadError*>(&e)) return make_error(api->code, e.what());
  return make_error(hourglass_errc::bad_api_reply, e.what());  // messages::InputError: an invalid entity
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
      throw ApiReadError(hourglass_errc::entity_not_found,
                         where + ": a deferred effect must be given inline as `entity`; the campaign API "
                                 "has no deferred effects to fetch");
    case messages::EntityKind::Encounter: return out;
  }
  throw ApiReadError(hourglass_errc::entity_not_found, where + ": not found");
}

}  // namespace

CampaignSeed read_campaign_seed(io::CampaignApi& api, const std::string& id, const sim::Rules& rules,
                                std::optional<sim::WorldTime> as_of, std::uint64_t* last_write) {
  auto note_marker = [&](const nlohmann::json& variables) {
    if (!last_write) return;
    if (const auto seq = messages::write_marker_seq(variables)) *last_write = std::max(*last_write, *seq);
  };
  if (last_write) *last_write = 0;
  CampaignSeed seed;
  seed.id = id;
  auto clock = value_or_throw(api.get_current_world_time(id), "getCurrentWorldTime(" + id + ")");
  if (!clock) throw ApiReadError(hourglass_errc::entity_not_found, "campaign " + id + " has no world time yet");
  if (as_of && *as_of > *clock)
    spdlog::warn("campaign {}: bootstrapped as of {}, after the API's world time {}", id,
                 sim::format_world_time(*as_of), sim::format_world_time(*clock));
  seed.clock = as_of.value_or(*clock);
  for (const std::string& kingdom : value_or_throw(api.kingdoms_by_campaign(id), "kingdomsByCampaign(" + id + ")")) {
    for (const auto& s : value_or_throw(api.settlements_by_kingdom(kingdom), "settlementsByKingdom(" + kingdom + ")")) {
      const std::string where = "api:settlement(" + s.id + ")";
      note_marker(s.variables);
      seed.settlements.push_back(messages::read_settlement(messages::settlement_entity_json(s), where, rules, true));
      for (const auto& st : value_or_throw(api.structures_by_settlement(s.id), "structuresBySettlement(" + s.id + ")")) {
        const std::string at = "api:structure(" + st.id + ")";
        note_marker(st.variables);
        seed.structures.push_back(messages::read_structure(messages::structure_entity_json(st), at, rules, true));
      }
    }
  }
  for (const auto& e : value_or_throw(api.events_by_campaign(id), "eventsByCampaign(" + id + ")"))
    seed.events.push_back(messages::read_event(messages::event_entity_json(e), "api:event(" + e.id + ")", true));
  return seed;
}

namespace {

std::vector<messages::ListedEntity> list_entities(io::CampaignApi& api, const std::string& id) {
  std::vector<messages::ListedEntity> out;
  for (const std::string& kingdom : value_or_throw(api.kingdoms_by_campaign(id), "kingdomsByCampaign(" + id + ")")) {
    for (const auto& s : value_or_throw(api.settlements_by_kingdom(kingdom), "settlementsByKingdom(" + kingdom + ")")) {
      out.push_back({messages::EntityKind::Settlement, messages::settlement_entity_json(s)});
      for (const auto& st : value_or_throw(api.structures_by_settlement(s.id), "structuresBySettlement(" + s.id + ")"))
        out.push_back({messages::EntityKind::Structure, messages::structure_entity_json(st)});
    }
  }
  for (const auto& e : value_or_throw(api.events_by_campaign(id), "eventsByCampaign(" + id + ")"))
    out.push_back({messages::EntityKind::Event, messages::event_entity_json(e)});
  return out;
}

}  // namespace

api_reader_actor::behavior_type api_reader(api_reader_actor::pointer self, io::CampaignApiConfig config) {
  auto api = std::make_shared<io::CampaignApi>(config);
  return {
      [=](bootstrap_atom, const std::string& id, const sim::RulesPtr& rules,
          std::optional<sim::WorldTime> as_of) -> caf::result<ApiBootstrap> {
        try {
          ApiBootstrap out;
          out.seed = read_campaign_seed(*api, id, *rules, as_of, &out.last_write);
          return out;
        } catch (const std::exception& e) {
          return error_of(e);
        }
      },
      [=](world_time_atom, const std::string& id) -> caf::result<sim::WorldTime> {
        const std::string what = "getCurrentWorldTime(" + id + ")";
        auto r = api->get_current_world_time(id);
        if (!r.ok()) return make_error(code_of(r.error), what + " failed: " + r.error.message);
        if (!*r.value) return make_error(hourglass_errc::entity_not_found, what + ": campaign " + id + " has no world time yet");
        return **r.value;
      },
      [=](list_entities_atom, const std::string& id) -> caf::result<std::vector<messages::ListedEntity>> {
        try {
          return list_entities(*api, id);
        } catch (const std::exception& e) {
          return error_of(e);
        }
      },
      [=](fetch_atom, messages::EntityKind kind, const std::string& id, const std::string& campaign_id,
          const sim::RulesPtr& rules) -> caf::result<FetchedEntity> {
        try {
          return fetch_entity(*api, kind, id, campaign_id, *rules);
        } catch (const std::exception& e) {
          return error_of(e);
        }
      },
  };
}

}  // namespace hourglass::actors
