// The registry's part of taking a partition over (docs/operations.md,
// Several instances). Its campaigns start here at their next message, from
// their checkpoints, claiming them with the new token; and first:
//   - the outbox entries the previous owner committed and did not send are
//     sent (actors/service/outbox_recovery, as the start-up recovery does
//     for the campaigns owned at start): a killed or frozen owner's gateway
//     will not;
//   - with a lossy input (pub/sub: resync_policy), each is reconciled with
//     the API and resynced to its world time, as at start: what was
//     published while no instance took the partition's messages is caught up.
// With a pub/sub input the subscription may still hold messages published
// before the acquisition (a frozen instance wakes with a socket full of them;
// a busy one reads behind), which the previous owner took already: taken here
// again, an effect created then would be created, and executed, twice. So the
// lease keeper holds such a partition with its intake shut
// (io::PartitionOwnership::intake_waiting: its messages are left, as another
// instance's are) until an intake marker, published after the acquisition,
// comes back through the same subscription (the bridge relays it in order):
// what came before it was published before the acquisition, what comes after
// is this instance's. Only then are the outboxes sent and the campaigns
// resynced, so the resync reads the API after whatever was left.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "actors/service/outbox_recovery.hpp"
#include "actors/service/registry_internal.hpp"
#include "io/partitions.hpp"

namespace hourglass::actors::registry_detail {

void campaigns_of_partition(Self self, std::uint32_t partition, const std::string& why,
                            std::function<void(std::vector<std::string>)> then, std::function<void()> failed) {
  self->request(self->state.options.store, caf::infinite, campaign_index_atom::value)
      .then(
          [=](std::vector<std::string>& ids) {
            const std::uint32_t count = self->state.options.ownership->count();
            ids.erase(std::remove_if(ids.begin(), ids.end(),
                                     [&](const std::string& id) { return io::partition_of(id, count) != partition; }),
                      ids.end());
            then(std::move(ids));
          },
          [=](caf::error& err) {
            spdlog::warn("partition {}: the campaign index was not read ({}): {}", partition,
                         self->system().render(err), why);
            if (failed) failed();
          });
}

void acquired(Self self, std::uint32_t partition, bool resync) {
  if (!self->state.options.ownership) return;
  campaigns_of_partition(
      self, partition, "its campaigns start at their next message, their outboxes are sent at the next start",
      [=](std::vector<std::string> ids) {
        if (ids.empty()) return;
        spdlog::info("takeover: partition {}: {} campaign(s) with a checkpoint: outboxes sent{}", partition,
                     ids.size(), resync ? ", then resynced to the API's world time" : "");
        const std::string context = "takeover: partition " + std::to_string(partition);
        auto sender = self->spawn(outbox_recovery, self->state.options.store, self->state.options.gateway, context);
        // Resynced once the outboxes are with the gateway: the resync's
        // writes queue behind the previous owner's.
        self->request(sender, caf::infinite, outbox_atom::value, ids)
            .then(
                [=](std::size_t entries) {
                  if (entries > 0)
                    spdlog::info("{}: {} committed write(s) were not done and go out now", context, entries);
                  if (resync) resume(self, ids);
                },
                [=](caf::error&) {
                  if (resync) resume(self, ids);
                });
      });
}

namespace {

constexpr std::chrono::seconds kMarkAgain{1};  // a marker lost with the subscription is published again

void publish_mark(Self self) {
  auto& st = self->state;
  if (st.options.bridge) self->send(st.options.bridge, publish_mark_atom::value, st.marks_asked);
  if (st.mark_tick_pending) return;
  st.mark_tick_pending = true;
  self->delayed_send(self, kMarkAgain, mark_tick_atom::value);
}

}  // namespace

void taken_over(Self self, std::uint32_t partition, bool resync) {
  auto& st = self->state;
  if (!st.options.ownership) return;
  if (!st.options.ownership->intake_waiting(partition)) return acquired(self, partition, resync);
  st.intake_waits[partition] = RegistryState::IntakeWait{++st.marks_asked, resync};
  spdlog::debug("takeover: partition {}: its intake opens once intake marker {} comes through", partition,
                st.marks_asked);
  publish_mark(self);
}

void intake_marked(Self self, std::uint64_t mark) {
  auto& st = self->state;
  for (auto it = st.intake_waits.begin(); it != st.intake_waits.end();) {
    if (it->second.mark > mark) {
      ++it;
      continue;
    }
    const std::uint32_t partition = it->first;
    const bool resync = it->second.resync;
    it = st.intake_waits.erase(it);
    // Lost meanwhile, or being handed off (a stop): not taken up here.
    if (!st.options.ownership->intake_waiting(partition) || st.options.ownership->handing_off(partition)) continue;
    st.options.ownership->open_intake(partition);
    spdlog::debug("takeover: partition {}: intake open (marker {} came through)", partition, mark);
    acquired(self, partition, resync);
  }
}

void mark_tick(Self self) {
  auto& st = self->state;
  st.mark_tick_pending = false;
  if (st.intake_waits.empty()) return;
  ++st.marks_asked;  // a later marker opens every wait for an earlier one
  publish_mark(self);
}

}  // namespace hourglass::actors::registry_detail
