#include "bench/service_world.hpp"

#include "bench/bench_world.hpp"

namespace hourglass::bench {

std::vector<actors::CampaignSeed> make_service_world(const ServiceWorldShape& shape) {
  std::vector<actors::CampaignSeed> world;
  world.reserve(static_cast<std::size_t>(shape.campaigns));
  for (int i = 0; i < shape.campaigns; ++i) {
    WorldShape one;
    one.campaign_id = "c" + std::to_string(i);
    one.settlements = shape.settlements;
    one.structures_per_settlement = shape.structures_per_settlement;
    one.clock = shape.clock;
    one.seed = 42 + static_cast<std::uint64_t>(i);
    actors::CampaignSeed seed = make_campaign(one);
    const std::string prefix = one.campaign_id + "-";
    for (auto& s : seed.settlements) s.id = prefix + s.id;
    for (auto& st : seed.structures) {
      st.id = prefix + st.id;
      st.settlement_id = prefix + *st.settlement_id;
    }
    world.push_back(std::move(seed));
  }
  return world;
}

void seed_fake_api(service::testing::FakeCampaignApi& api, const std::vector<actors::CampaignSeed>& world) {
  using nlohmann::json;
  // As the real API: each campaign has its own main branch, which Hourglass
  // finds (branches(campaignId)) and writes to. The anchors are world time
  // in variables.createdAt (the API's createdAt is its wall clock).
  for (const auto& c : world) {
    const std::string kingdom = "k-" + c.id;
    api.add_campaign(c.id, c.clock);
    api.add_kingdom(c.id, kingdom);
    for (const auto& s : c.settlements) {
      json resources = json::object();
      for (const auto& [name, amount] : *s.resources) resources[name] = amount;
      api.add_settlement(kingdom, {{"id", s.id},
                                   {"name", *s.name},
                                   {"level", *s.level},
                                   {"variables",
                                    {{"population", *s.population},
                                     {"resources", resources},
                                     {"createdAt", sim::format_world_time(*s.created_at)}}}});
    }
    for (const auto& st : c.structures)
      api.add_structure({{"id", st.id},
                         {"settlementId", *st.settlement_id},
                         {"type", *st.type},
                         {"level", *st.level},
                         {"variables",
                          {{"status", sim::status_name(*st.status)},
                           {"condition", *st.condition},
                           {"createdAt", sim::format_world_time(*st.created_at)}}}});
  }
}

}  // namespace hourglass::bench
