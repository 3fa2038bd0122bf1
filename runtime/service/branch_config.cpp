#include "runtime/service/branch_config.hpp"

namespace hourglass::service {

void add_campaign_branches_flag(CLI::App& app, ServiceConfig& cfg) {
  add_config_flags_of(app, cfg, {"campaign_branches"});
}

io::BranchMap campaign_branches(const ServiceConfig& cfg) {
  std::vector<std::string> ignored;
  return io::parse_campaign_branches(cfg.campaign_branches, ignored);
}

}  // namespace hourglass::service
