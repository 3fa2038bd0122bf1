// A campaign's record sink in service mode: every record is published on
// Redis `campaign.{id}.simulation` (so UIs can show what happened; unless
// HOURGLASS_PUBLISH_RECORDS is off, and then no record is ever written as
// JSON), and coalesced into API writes until the campaign's session takes
// them to commit them with the campaign's checkpoint. What the records
// change comes folded entity by entity by the settlements themselves, in
// parallel (CampaignInit::capture.changes, sim/entity_changes.hpp): nothing
// reads the JSON back, and no record is kept. It stays untyped: the campaign actor
// (actors/campaign_actor) talks to its sink through an untyped handle.
//
// Ordering: the campaign sends a message's records and carries to the sink
// before it answers the registry, and the registry asks for them only after
// that answer, so `take` finds exactly the finished messages' records.
#pragma once

#include <caf/all.hpp>
#include <string>

#include "actors/protocol.hpp"
#include "actors/service/record_feed_actor.hpp"
#include "io/coalesce.hpp"

namespace hourglass::actors {

using take_atom = caf::atom_constant<caf::atom("take")>;

// What the messages handled since the last take produced: their records
// coalesced into API writes as they came (io::WriteCoalescer), so that a
// long advance holds one write per entity, not its records.
struct SinkTake {
  std::vector<io::EntityWrite> writes;
  Carries carries;  // settlements' hidden carries they changed (latest)
  sim::WorldTime carry_time = 0;
};

struct ServiceSinkState {
  std::string campaign_id;
  std::string channel;  // campaign.{id}.simulation
  io::WriteCoalescer coalescer;  // the records since the last take
  SinkTake pending;              // their carries
  record_feed_actor feed;  // null: nothing published
  PublishBacklogPtr publish_backlog;  // may be null
  Telemetry* telemetry = &Telemetry::none();
  static inline const char* name = "service-sink";
};

// Handles: records (a step in order: its text and changes), carry, msgdone, flush, and
// (take_atom) -> SinkTake, which empties it.
caf::behavior service_sink(caf::stateful_actor<ServiceSinkState>* self, std::string campaign_id,
                           record_feed_actor feed, PublishBacklogPtr publish_backlog, Telemetry* telemetry);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SinkTake)
