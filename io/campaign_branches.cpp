#include "io/campaign_branches.hpp"

#include <algorithm>
#include <cctype>

namespace hourglass::io {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool has_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

BranchMap parse_campaign_branches(std::string_view text, std::vector<std::string>& problems) {
  BranchMap out;
  if (trimmed(text).empty()) return out;
  std::size_t n = 0;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trimmed(text.substr(0, comma));
    const std::string where = "item " + std::to_string(++n) + " '" + std::string(item) + "': ";
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      problems.push_back(where + "must be <campaign id>=<branch id>");
    } else {
      const std::string_view campaign = trimmed(item.substr(0, eq));
      const std::string_view branch = trimmed(item.substr(eq + 1));
      if (campaign.empty() || has_space(campaign)) problems.push_back(where + "campaign id must be non-empty, without spaces");
      if (branch.empty() || has_space(branch) || branch.find('=') != std::string_view::npos)
        problems.push_back(where + "branch id must be non-empty, without spaces or '='");
      if (!campaign.empty() && out.count(std::string(campaign)))
        problems.push_back(where + "campaign " + std::string(campaign) + " is named twice");
      out.emplace(std::string(campaign), std::string(branch));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_campaign_branches(const BranchMap& branches) {
  std::string out;
  for (const auto& [campaign, branch] : branches) out += (out.empty() ? "" : ",") + campaign + "=" + branch;
  return out;
}

std::optional<std::string> main_branch(const std::vector<ApiBranch>& branches, std::string& why) {
  std::vector<const ApiBranch*> roots;
  for (const auto& b : branches)
    if (!b.parent_id) roots.push_back(&b);
  if (roots.size() == 1) return roots.front()->id;
  if (roots.empty()) {
    why = branches.empty() ? "the campaign has no branch" : "the campaign has no root branch (every branch has a parent)";
    return std::nullopt;
  }
  std::vector<const ApiBranch*> named_main;
  for (const ApiBranch* b : roots)
    if (lower(b->name) == "main") named_main.push_back(b);
  if (named_main.size() == 1) return named_main.front()->id;
  why = "the campaign has " + std::to_string(roots.size()) + " root branches and " +
        (named_main.empty() ? std::string("none") : std::to_string(named_main.size())) +
        " named main; name its branch in HOURGLASS_CAMPAIGN_BRANCHES";
  return std::nullopt;
}

CampaignBranches::CampaignBranches(BranchMap named) : branches_(std::move(named)) {}

ApiResult<std::string> CampaignBranches::branch_of(CampaignApi& api, const std::string& campaign_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = branches_.find(campaign_id); it != branches_.end()) return {it->second, {}};
  }
  auto listed = api.branches(campaign_id);  // outside the lock: other workers go on
  if (!listed.ok()) return {std::nullopt, listed.error};
  std::string why;
  const std::optional<std::string> main = main_branch(*listed.value, why);
  if (!main)
    return {std::nullopt, ApiError{ApiError::Kind::GraphQL, "campaign " + campaign_id + ": no main branch: " + why, 0}};
  std::lock_guard lock(mutex_);
  return {branches_.emplace(campaign_id, *main).first->second, {}};
}

}  // namespace hourglass::io
