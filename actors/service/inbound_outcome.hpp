// How an inbound message ends, written once for the registry and the
// campaign sessions: counted by its channel kind and outcome, refused with a
// dead letter, acknowledged on the stream input once done with.
#pragma once

#include <string>

#include "actors/service/bridge_actor.hpp"
#include "actors/service/service_protocol.hpp"
#include "actors/service/telemetry.hpp"

namespace hourglass::actors {

// "worldTimeAdvanced" or "entityModified": the message's kind, from a fixed
// set (never a value taken from the input, which would make metric series
// without bound).
const char* channel_kind(const messages::Message& m);

// The campaign the message is for.
const std::string& campaign_of(const Inbound& in);

void count_inbound(Telemetry& telemetry, const Inbound& in, const char* outcome);

// A message off the stream input is done with (committed, refused with its
// dead letter sent first, or found applied before): the bridge acknowledges
// it, so the stream does not give it again. Nothing for pub/sub.
void acknowledge_inbound(const bridge_actor& bridge, const Inbound& in);

// Refused: counted, dead-lettered (the bridge logs it) with `reason` (retryable with
// `hourglass dlq`), then acknowledged.
void refuse_inbound(const bridge_actor& bridge, Telemetry& telemetry, const Inbound& in, const std::string& reason);

}  // namespace hourglass::actors
