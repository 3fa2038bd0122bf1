// Final state as JSON, in the layout of the examples' NAME.state.json.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "sim/snapshot.hpp"

namespace hourglass::messages {

// Lists only pending events and effects, as the examples do.
nlohmann::json state_to_json(const std::vector<sim::CampaignSnapshot>& campaigns);

}  // namespace hourglass::messages
