// The registry's part of taking a partition over (docs/operations.md,
// Several instances). Its campaigns start here at their next message, from
// their checkpoints, claiming them with the new token; and first:
//   - the outbox entries the previous owner committed and did not send are
//     sent (what the start-up recovery does for the campaigns owned at
//     start): a killed or frozen owner's gateway will not;
//   - with a lossy input (pub/sub: resync_policy), each is reconciled with
//     the API and resynced to its world time, as at start: what was
//     published while no instance took the partition's messages is caught up.
#include <spdlog/spdlog.h>

#include <algorithm>

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
        for (const std::string& id : ids) {
          self->request(self->state.options.store, caf::infinite, outbox_atom::value, id)
              .then(
                  [=](std::vector<io::OutboxEntry>& outbox) {
                    if (outbox.empty()) return;
                    spdlog::info("takeover: campaign {}: {} committed write(s) were not done and go out now", id,
                                 outbox.size());
                    self->send(self->state.options.gateway, outbox_atom::value, id, std::move(outbox));
                  },
                  [=](caf::error& err) {
                    spdlog::error("takeover: outbox of {} not read: {}", id, self->system().render(err));
                  });
        }
        // After the outbox reads (the store takes requests in order): the
        // resync's writes are queued behind the previous owner's.
        if (resync) resume(self, ids);
      });
}

}  // namespace hourglass::actors::registry_detail
