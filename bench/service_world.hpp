// The service benchmark's world: N campaigns built like the other benches'
// (bench_world), each with its own random seed, and the same world seeded
// into the fake campaign API in the API's shape (docs/api-contract.md §4),
// so that what the service bootstraps is what an offline replay starts from.
#pragma once

#include <vector>

#include "actors/protocol.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

namespace hourglass::bench {

struct ServiceWorldShape {
  int campaigns = 1000;
  int settlements = 20;             // per campaign
  int structures_per_settlement = 5;
  sim::WorldTime clock = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
};

// Campaign i is "c<i>"; entity ids carry the campaign ("c<i>-s<j>",
// "c<i>-s<j>-st<k>") because the API's ids are unique per kind.
std::vector<actors::CampaignSeed> make_service_world(const ServiceWorldShape& shape);

// One kingdom per campaign ("k-c<i>") holding its settlements.
void seed_fake_api(service::testing::FakeCampaignApi& api, const std::vector<actors::CampaignSeed>& world);

}  // namespace hourglass::bench
