// The registry's part of a graceful handoff (docs/operations.md, Several
// instances): the keeper has stopped intake for a partition
// (io::PartitionOwnership::hand_off); each of its sessions ends as soon as
// it has committed every message it was given (a long advance included),
// like a passivation; once none is left, and the outboxes of the
// partition's campaigns are empty (this instance's gateway has sent what
// they committed: two gateways sending the same entry at once could run a
// deferred effect twice, io/outbox_delivery), the registry says so and the
// keeper releases the lease. Messages that arrive meanwhile are left to the
// next owner (registry_ownership.cpp: intake_token is none), so nothing is
// committed here after the release, and nothing is fenced.
#include <spdlog/spdlog.h>

#include <memory>

#include "actors/service/registry_internal.hpp"
#include "io/partitions.hpp"

namespace hourglass::actors::registry_detail {
namespace {

// How soon the outboxes of a handed-off partition are looked at again while
// the gateway still has some of their entries to send.
constexpr auto kOutboxRecheck = std::chrono::milliseconds(100);

// Every session of `p` has ended: once its campaigns' outboxes are empty it
// is reported ready to release; else looked at again shortly.
void check_outboxes(Self self, std::uint32_t p) {
  if (!self->state.handoff_outbox_checks.insert(p).second) return;  // under way
  const auto again = [self, p] {
    self->state.handoff_outbox_checks.erase(p);
    self->delayed_send(self, kOutboxRecheck, handoff_atom::value, p);
  };
  campaigns_of_partition(self, p, "the handoff waits and looks again", [=](std::vector<std::string> ids) {
    auto left = std::make_shared<std::size_t>(ids.size());
    auto pending = std::make_shared<bool>(false);
    const auto done = [=] {
      if (*pending) return again();
      self->state.handoff_outbox_checks.erase(p);
      self->state.options.ownership->sessions_ended(p);
      spdlog::debug("handoff: partition {}: its sessions have ended and its outboxes are sent; its lease goes back", p);
    };
    if (ids.empty()) return done();
    for (const std::string& id : ids)
      self->request(self->state.options.store, caf::infinite, outbox_atom::value, id)
          .then(
              [=](std::vector<io::OutboxEntry>& outbox) {
                *pending = *pending || !outbox.empty();
                if (--*left == 0) done();
              },
              [=](caf::error&) {
                *pending = true;
                if (--*left == 0) done();
              });
  }, again);
}

}  // namespace

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
    if (ended[p] > 0) spdlog::debug("handoff: partition {}: {} session(s) ended", p, ended[p]);
    if (!busy[p]) check_outboxes(self, p);
  }
  st.options.telemetry->campaigns(st.campaigns.size());
}

}  // namespace hourglass::actors::registry_detail
