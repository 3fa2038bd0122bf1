// The campaign_branches setting (HOURGLASS_CAMPAIGN_BRANCHES,
// --campaign-branches): which branch each named campaign's writes go to.
#pragma once

#include <string>
#include <vector>

#include "io/campaign_branches.hpp"
#include "runtime/service/config.hpp"

namespace hourglass::service {

void add_campaign_branches_flag(CLI::App& app, ServiceConfig& cfg);
// Appends one "campaign_branches: ..." line per problem.
void campaign_branch_problems(const ServiceConfig& cfg, std::vector<std::string>& problems);
// The setting read (call once validate() found no problem in it).
io::BranchMap campaign_branches(const ServiceConfig& cfg);

}  // namespace hourglass::service
