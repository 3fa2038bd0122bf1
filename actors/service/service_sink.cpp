#include "actors/service/service_sink.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace hourglass::actors {
namespace {

using Self = caf::stateful_actor<ServiceSinkState>*;

// Coalesces what the records changed into the writes the session takes, and
// publishes their text (none when records are not published).
void take(Self self, std::string text, sim::ChangeList& changes) {
  auto& st = self->state;
  try {
    st.coalescer.absorb(st.campaign_id, std::move(changes));
  } catch (const std::exception& e) {  // our own records: a bug, not bad input
    spdlog::error("service sink {}: cannot coalesce records: {}", st.campaign_id, e.what());
  }
  if (!st.bridge || text.empty()) return;
  if (const auto& b = st.publish_backlog) {
    if (b->bytes.load() + text.size() > b->limit) {
      if (b->dropped++ % 1000 == 0)
        spdlog::warn("service sink {}: {} bytes of records wait to be published (limit {}): not publishing these "
                     "(the API writes are not affected; {} texts dropped so far)",
                     st.campaign_id, b->bytes.load(), b->limit, b->dropped.load());
      return;
    }
    b->bytes += text.size();
  }
  self->send(st.bridge, publish_atom::value, st.channel, std::move(text));
}

}  // namespace

caf::behavior service_sink(Self self, std::string campaign_id, bridge_actor bridge, PublishBacklogPtr publish_backlog) {
  auto& st = self->state;
  st.publish_backlog = std::move(publish_backlog);
  st.channel = "campaign." + campaign_id + ".simulation";
  st.campaign_id = std::move(campaign_id);
  st.bridge = std::move(bridge);
  return {
      [=](records_atom, std::string& text, sim::ChangeList& changes) { take(self, std::move(text), changes); },
      [=](records_atom, sim::OrderedRecords& records) {
        std::string joined;
        std::size_t bytes = 0;
        for (std::string_view s : records.slices) bytes += s.size();
        joined.reserve(bytes);
        for (std::string_view s : records.slices) joined.append(s.data(), s.size());
        take(self, std::move(joined), records.changes);
        return true;
      },
      [=](carry_atom, sim::WorldTime clock, Carries& carries) {
        auto& p = self->state.pending;
        for (auto& [id, carry] : carries) p.carries[id] = carry;
        p.carry_time = clock;
      },
      [=](message_done_atom) {},  // the registry takes what the message left (take_atom)
      [=](take_atom) {
        SinkTake out = std::move(self->state.pending);
        self->state.pending = SinkTake{};
        out.writes = self->state.coalescer.take();
        return out;
      },
      [=](flush_atom) { return true; },
  };
}

}  // namespace hourglass::actors
