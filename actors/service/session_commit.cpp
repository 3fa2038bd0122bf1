#include <spdlog/spdlog.h>

#include <iterator>

#include "actors/errors.hpp"
#include "actors/service/service_sink.hpp"
#include "actors/service/session_internal.hpp"

namespace hourglass::actors::session_detail {
namespace {

// The writes of what the sink kept, after the ones waiting (anchors).
std::vector<io::EntityWrite> writes_of(SessionState& st, SinkTake& took) {
  std::vector<io::EntityWrite> writes = std::move(st.pending_writes);
  st.pending_writes.clear();
  std::vector<io::EntityWrite> coalesced = std::move(took.writes);
  io::attach_carries(coalesced, st.id, took.carries, took.carry_time);
  writes.insert(writes.end(), std::make_move_iterator(coalesced.begin()), std::make_move_iterator(coalesced.end()));
  return writes;
}

}  // namespace

void commit(Self self, const std::string& stream_id, std::function<void()> then,
            std::function<void(const caf::error&)> failed) {
  self->request(self->state.campaign, caf::infinite, snapshot_atom::value)
      .then(
          [=](sim::CampaignSnapshot& snapshot) {
            auto snap = std::make_shared<sim::CampaignSnapshot>(std::move(snapshot));
            self->request(self->state.sink, caf::infinite, take_atom::value)
                .then(
                    [=](SinkTake& took) {
                      auto& st = self->state;
                      CommitRequest r;
                      r.campaign_id = st.id;
                      r.snapshot = std::move(*snap);
                      r.writes = writes_of(st, took);
                      r.fence = st.options.fence;
                      // Numbered and counted only in the request: a commit
                      // that fails is followed by a new session from the
                      // last checkpoint, which numbers from there.
                      std::uint64_t seq = st.write_seq;
                      for (auto& w : r.writes) w.seq = ++seq;
                      r.input = messages::CheckpointInput{st.messages + 1, stream_id.empty() ? st.stream_id : stream_id,
                                                          seq};
                      self->request(st.options.store, caf::infinite, checkpoint_atom::value, std::move(r))
                          .then(
                              [=](CommitReceipt& receipt) {
                                auto& s = self->state;
                                s.write_seq = seq;
                                ++s.messages;
                                if (!stream_id.empty()) s.stream_id = stream_id;
                                if (!receipt.entries.empty() && s.options.gateway)
                                  self->send(s.options.gateway, outbox_atom::value, s.id, std::move(receipt.entries));
                                then();
                              },
                              failed);
                    },
                    failed);
          },
          failed);
}

}  // namespace hourglass::actors::session_detail
