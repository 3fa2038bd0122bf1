#include "actors/service/service_sink.hpp"

#include <spdlog/spdlog.h>

namespace hourglass::actors {
namespace {

using Self = caf::stateful_actor<ServiceSinkState>*;

// Coalesces what the records changed into the writes the session takes.
void coalesce(Self self, sim::ChangeList& changes) {
  auto& st = self->state;
  try {
    st.coalescer.absorb(st.campaign_id, std::move(changes));
  } catch (const std::exception& e) {  // our own records: a bug, not bad input
    spdlog::error("service sink {}: cannot coalesce records: {}", st.campaign_id, e.what());
  }
}

// Hands the records' text to the feed (none when records are not
// published), unless the feed's backlog is full: then it is dropped, counted.
void publish(Self self, FeedText text, std::uint64_t records) {
  auto& st = self->state;
  if (!st.feed || text.bytes == 0) return;
  if (const auto& b = st.publish_backlog) {
    if (b->bytes.load() + text.bytes > b->limit) {
      st.telemetry->records_unpublished(records);
      if (b->dropped++ % 1000 == 0)
        spdlog::warn("service sink {}: {} bytes of records wait to be published (limit {}): not publishing these "
                     "(the API writes are not affected; {} texts dropped so far)",
                     st.campaign_id, b->bytes.load(), b->limit, b->dropped.load());
      return;
    }
    b->bytes += text.bytes;
  }
  self->send(st.feed, publish_atom::value, st.channel, std::move(text));
}

}  // namespace

caf::behavior service_sink(Self self, std::string campaign_id, record_feed_actor feed, PublishBacklogPtr publish_backlog,
                           Telemetry* telemetry) {
  auto& st = self->state;
  st.telemetry = telemetry ? telemetry : &Telemetry::none();
  st.publish_backlog = std::move(publish_backlog);
  st.channel = "campaign." + campaign_id + ".simulation";
  st.campaign_id = std::move(campaign_id);
  st.feed = std::move(feed);
  return {
      [=](records_atom, sim::OrderedRecords& records) {
        coalesce(self, records.changes);
        // Records kept without text, the feed being backed up (RecordCapture::text_wanted).
        if (records.untexted > 0 && self->state.feed) self->state.telemetry->records_unpublished(records.untexted);
        const std::uint64_t texted = records.records - records.untexted;
        publish(self, FeedText::of(std::move(records)), texted);  // its buffers as they are: no copy
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
