#include "messages/state_json.hpp"

namespace hourglass::messages {
namespace {

using nlohmann::json;

json amounts_json(const sim::Amounts& a) {
  json out = json::object();
  for (const auto& [name, value] : a) out[name] = value;
  return out;
}

json campaign_json(const sim::CampaignSnapshot& c) {
  json settlements = json::array();
  for (const sim::Settlement& s : c.settlements)
    settlements.push_back({{"id", s.id},
                           {"name", s.name},
                           {"level", s.level},
                           {"population", s.population},
                           {"resources", amounts_json(s.resources)},
                           {"carry", s.carry}});
  json structures = json::array();
  for (const sim::Structure& s : c.structures)
    structures.push_back({{"id", s.id},
                          {"settlementId", s.settlement_id},
                          {"type", s.type},
                          {"level", s.level},
                          {"status", sim::status_name(s.status)},
                          {"condition", s.condition}});
  json events = json::array();
  for (const sim::Event& e : c.events)
    if (!e.completed)
      events.push_back({{"id", e.id},
                        {"scheduledAt", sim::format_world_time(e.scheduled_at)},
                        {"isCompleted", false}});
  json effects = json::array();
  for (const sim::Effect& e : c.effects)
    effects.push_back({{"id", e.id}, {"executeAt", sim::format_world_time(e.execute_at)}});
  return {{"id", c.id},
          {"currentWorldTime", sim::format_world_time(c.clock)},
          {"settlements", std::move(settlements)},
          {"structures", std::move(structures)},
          {"events", std::move(events)},
          {"deferredEffects", std::move(effects)}};
}

}  // namespace

json state_to_json(const std::vector<sim::CampaignSnapshot>& campaigns) {
  json list = json::array();
  for (const auto& c : campaigns) list.push_back(campaign_json(c));
  return {{"campaigns", std::move(list)}};
}

}  // namespace hourglass::messages
