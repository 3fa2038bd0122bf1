// Which branch each campaign's writes go to. The API refuses an update whose
// branchId is not a branch of the entity's campaign, so there is no one
// branch for every campaign: a campaign's branch is the one the deployment
// names for it (HOURGLASS_CAMPAIGN_BRANCHES), else its main branch, asked of
// the API once (`branches(campaignId)`) and then kept.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/campaign_api.hpp"

namespace hourglass::io {

using BranchMap = std::map<std::string, std::string>;  // campaign id -> branch id

// "c1=branchA,c2=branchB" (spaces around items allowed; empty text: none).
// Every problem goes to `problems`, one line each, naming the item.
BranchMap parse_campaign_branches(std::string_view text, std::vector<std::string>& problems);
// The same as text again, in campaign order ("c1=branchA,c2=branchB").
std::string format_campaign_branches(const BranchMap& branches);

// A campaign's main branch among its branches: its root (the branch without
// a parent: the API makes one, "Main", with every campaign, and refuses to
// delete a root). Several roots: the one named "main" (any case). nullopt
// when that does not decide, `why` saying so.
std::optional<std::string> main_branch(const std::vector<ApiBranch>& branches, std::string& why);

// Thread-safe (the gateway's workers share one).
class CampaignBranches {
 public:
  explicit CampaignBranches(BranchMap named = {});

  // The branch of `campaign_id`: named, else found before, else its main
  // branch read through `api`. A failure is the API's (retryable or not), or
  // GraphQL "no main branch" when main_branch cannot decide.
  ApiResult<std::string> branch_of(CampaignApi& api, const std::string& campaign_id);

 private:
  std::mutex mutex_;
  BranchMap branches_;
};

}  // namespace hourglass::io
