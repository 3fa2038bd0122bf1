// The campaign_branches setting (HOURGLASS_CAMPAIGN_BRANCHES,
// --campaign-branches): which branch each named campaign's writes go to.
// Read and checked as a row of config_table.
#pragma once

#include "io/campaign_branches.hpp"
#include "runtime/service/config.hpp"

namespace hourglass::service {

// Its flag alone (hourglass dlq retry).
void add_campaign_branches_flag(CLI::App& app, ServiceConfig& cfg);
// The setting read (call once validate() found no problem in it).
io::BranchMap campaign_branches(const ServiceConfig& cfg);

}  // namespace hourglass::service
