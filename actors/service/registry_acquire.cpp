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
#include <spdlog/spdlog.h>

#include <algorithm>

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

}  // namespace hourglass::actors::registry_detail
