// What a campaign hands its record sink: records (a whole merged step, or a
// single settlement's or the campaign's own), the hidden carries a message
// changed, and the end of each message. Steps are flow-controlled: at most
// kMaxStepsAtSink wait to be written, so a long advance goes no faster than
// the sink writes.
#pragma once

#include <functional>

#include "actors/campaign_actor.hpp"

namespace hourglass::actors {

// A batch's records, already in order (the campaign's own, on an entity
// message), handed to the sink as a step of one batch (emit_step). The
// batch is moved out.
void emit(CampaignSelf self, sim::RecordBatch& batch);

// Hands one step's records, in canonical order, to the sink:
// (records_atom, sim::OrderedRecords), answered with true once taken.
void emit_step(CampaignSelf self, sim::OrderedRecords records);

// Runs `next` now, or once the sink has caught up.
void when_sink_ready(CampaignSelf self, std::function<void()> next);

// Ends a message at the sink: the settlements whose hidden carry it changed
// (the service writes them back to the API), then the message's end.
void end_message_at_sink(CampaignSelf self, const Carries& after);

}  // namespace hourglass::actors
