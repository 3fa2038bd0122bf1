#include "runtime/service/branch_config.hpp"

#include <CLI/CLI.hpp>

namespace hourglass::service {

void add_campaign_branches_flag(CLI::App& app, ServiceConfig& cfg) {
  app.add_option("--campaign-branches", cfg.campaign_branches,
                 "CAMPAIGN=BRANCH,...: the branch of each named campaign's writes; any other campaign writes to "
                 "its main branch (env HOURGLASS_CAMPAIGN_BRANCHES)")
      ->type_name("LIST");
}

void campaign_branch_problems(const ServiceConfig& cfg, std::vector<std::string>& problems) {
  std::vector<std::string> found;
  io::parse_campaign_branches(cfg.campaign_branches, found);
  for (const auto& p : found) problems.push_back("campaign_branches: " + p);
}

io::BranchMap campaign_branches(const ServiceConfig& cfg) {
  std::vector<std::string> ignored;
  return io::parse_campaign_branches(cfg.campaign_branches, ignored);
}

}  // namespace hourglass::service
