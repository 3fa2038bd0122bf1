// The registry and partition ownership (several instances, docs/operations.md):
// which messages are this instance's, and what a fenced-out session leaves.
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/service/inbound_outcome.hpp"
#include "actors/service/registry_internal.hpp"

namespace hourglass::actors::registry_detail {

bool owned(Self self, const std::string& id, std::uint64_t& fence) {
  const auto& st = self->state;
  fence = 0;
  if (!st.options.ownership) return true;
  const std::optional<std::uint64_t> token = st.options.ownership->token_of(id);
  if (!token) return false;
  const auto refused = st.fenced_at.find(id);
  if (refused != st.fenced_at.end() && refused->second >= *token) return false;
  fence = *token;
  return true;
}

void leave_to_owner(Self self, const Inbound& in) {
  count_inbound(*self->state.options.telemetry, in, "ignored");
  if (in.resync) campaign_resynced(self, campaign_of(in));
}

void drop_fenced(Self self, const std::string& id, SessionEnd& e) {
  auto& st = self->state;
  const auto it = st.campaigns.find(id);
  const std::uint64_t fence = it != st.campaigns.end() ? it->second.fence : 0;
  std::uint64_t& refused = st.fenced_at[id];
  refused = std::max(refused, fence);
  if (it != st.campaigns.end()) st.campaigns.erase(it);
  const std::size_t left = e.waiting.size() + (e.retake ? 1 : 0);
  spdlog::warn("campaign {} dropped: another instance owns it now (its fence refused partition token {}); {} message(s) "
               "left to the owner: {}",
               id, fence, left, self->system().render(e.why));
  if (e.retake) leave_to_owner(self, *e.retake);
  for (const auto& in : e.waiting) leave_to_owner(self, in);
  st.options.telemetry->campaigns(st.campaigns.size());
}

}  // namespace hourglass::actors::registry_detail
