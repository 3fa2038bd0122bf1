// The registry's part of a graceful handoff (docs/operations.md, Several
// instances): the keeper has stopped intake for a partition
// (io::PartitionOwnership::hand_off); each of its sessions ends as soon as
// it has committed every message it was given (a long advance included),
// like a passivation; once none is left the registry says so and the keeper
// releases the lease. Messages that arrive meanwhile are left to the next
// owner (registry_ownership.cpp: intake_token is none), so nothing is
// committed here after the release, and nothing is fenced.
#include <spdlog/spdlog.h>

#include "actors/service/registry_internal.hpp"
#include "io/partitions.hpp"

namespace hourglass::actors::registry_detail {

void continue_handoffs(Self self) {
  auto& st = self->state;
  if (!st.options.ownership) return;
  const std::vector<std::uint32_t> leaving = st.options.ownership->handing_off();
  if (leaving.empty()) return;
  const std::uint32_t count = st.options.ownership->count();
  std::vector<bool> busy(count, false);
  std::vector<std::size_t> ended(count, 0);
  for (auto it = st.campaigns.begin(); it != st.campaigns.end();) {
    const std::uint32_t p = io::partition_of(it->first, count);
    if (!st.options.ownership->handing_off(p)) {
      ++it;
      continue;
    }
    if (!it->second.idle()) {  // a message in flight or waiting: committed first
      busy[p] = true;
      ++it;
      continue;
    }
    // Idle (or quarantined: the next owner decides again): all it did is in
    // its checkpoint.
    if (it->second.session) self->send_exit(it->second.session, caf::exit_reason::user_shutdown);
    ++ended[p];
    it = st.campaigns.erase(it);
  }
  for (const std::uint32_t p : leaving) {
    if (busy[p]) continue;
    st.options.ownership->sessions_ended(p);
    spdlog::info("handoff: partition {}: its sessions have ended ({} just now); its lease goes back", p, ended[p]);
  }
  st.options.telemetry->campaigns(st.campaigns.size());
}

}  // namespace hourglass::actors::registry_detail
