#include "actors/service/inbound_outcome.hpp"

namespace hourglass::actors {

const char* channel_kind(const messages::Message& m) {
  return std::holds_alternative<messages::WorldTimeAdvanced>(m) ? "worldTimeAdvanced" : "entityModified";
}

const std::string& campaign_of(const Inbound& in) {
  return std::visit([](const auto& m) -> const std::string& { return m.campaign_id; }, in.message);
}

void count_inbound(Telemetry& telemetry, const Inbound& in, const char* outcome) {
  telemetry.message(channel_kind(in.message), outcome);
}

void acknowledge_inbound(const bridge_actor& bridge, const Inbound& in) {
  if (!in.stream_id.empty()) caf::anon_send(bridge, stream_ack_atom::value, in.stream_id);
}

// Logged by the bridge, which writes it: limited there with every other
// dead letter (a flood of them is a few lines and a count).
void refuse_inbound(const bridge_actor& bridge, Telemetry& telemetry, const Inbound& in, const std::string& reason) {
  count_inbound(telemetry, in, "refused");
  caf::anon_send(bridge, dead_letter_atom::value, reason, in.channel, in.payload);
  acknowledge_inbound(bridge, in);  // after its dead letter: the bridge takes them in order
}

}  // namespace hourglass::actors
