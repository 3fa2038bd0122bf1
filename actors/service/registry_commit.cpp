#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/service/registry_internal.hpp"
#include "actors/service/service_sink.hpp"

namespace hourglass::actors::registry_detail {
namespace {

// The writes of what the sink kept, after the ones waiting in the entry.
std::vector<io::EntityWrite> writes_of(CampaignEntry& entry, const std::string& id, const SinkTake& took) {
  std::vector<io::EntityWrite> writes = std::move(entry.pending_writes);
  entry.pending_writes.clear();
  try {
    for (auto& w : io::message_writes(id, took.records, took.carries, took.carry_time)) writes.push_back(std::move(w));
  } catch (const std::exception& e) {  // our own records: a bug, not bad input
    spdlog::error("registry: cannot coalesce records of {}: {}", id, e.what());
  }
  return writes;
}

}  // namespace

void commit_campaign(Self self, const std::string& id, std::uint64_t generation, const std::string& stream_id,
                     std::function<void()> then, std::function<void(const caf::error&)> failed) {
  CampaignEntry* entry = entry_of(self, id, generation);
  if (!entry) return then();  // restarted meanwhile: the new life commits its own
  auto fail = [=](const caf::error& err) {
    const caf::error why = make_error(hourglass_errc::store_failed, "campaign " + id + ": not committed, restarts from its last checkpoint: " +
                                                                        self->system().render(err));
    spdlog::error("{}", self->system().render(why));
    failed(why);
  };
  self->request(entry->campaign, caf::infinite, snapshot_atom::value)
      .then(
          [=](sim::CampaignSnapshot& snapshot) {
            CampaignEntry* e = entry_of(self, id, generation);
            if (!e) return then();
            auto snap = std::make_shared<sim::CampaignSnapshot>(std::move(snapshot));
            self->request(caf::actor_cast<caf::actor>(e->sink), caf::infinite, take_atom::value)
                .then(
                    [=](SinkTake& took) {
                      CampaignEntry* e = entry_of(self, id, generation);
                      if (!e) return then();
                      CommitRequest r;
                      r.campaign_id = id;
                      r.snapshot = std::move(*snap);
                      r.writes = writes_of(*e, id, took);
                      for (auto& w : r.writes) w.seq = ++e->write_seq;
                      ++e->messages;
                      if (!stream_id.empty()) e->stream_id = stream_id;
                      r.input = messages::CheckpointInput{e->messages, e->stream_id, e->write_seq};
                      self->request(self->state.options.store, caf::infinite, checkpoint_atom::value, std::move(r))
                          .then(
                              [=](CommitReceipt& receipt) {
                                if (!receipt.entries.empty() && self->state.options.gateway)
                                  self->send(self->state.options.gateway, outbox_atom::value, id,
                                             std::move(receipt.entries));
                                then();
                              },
                              fail);
                    },
                    fail);
          },
          fail);
}

}  // namespace hourglass::actors::registry_detail
