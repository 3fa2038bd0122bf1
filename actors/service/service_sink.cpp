#include "actors/service/service_sink.hpp"


namespace hourglass::actors {
namespace {

using Self = caf::stateful_actor<ServiceSinkState>*;

void take(Self self, std::string_view text) {
  auto& st = self->state;
  st.pending.append(text.data(), text.size());
  if (st.bridge) self->send(st.bridge, publish_atom::value, st.channel, std::string(text));
}

}  // namespace

caf::behavior service_sink(Self self, std::string campaign_id, gateway_actor gateway, bridge_actor bridge) {
  auto& st = self->state;
  st.channel = "campaign." + campaign_id + ".simulation";
  st.campaign_id = std::move(campaign_id);
  st.gateway = std::move(gateway);
  st.bridge = std::move(bridge);
  return {
      [=](records_atom, const std::string& text) { take(self, text); },
      [=](records_atom, const sim::OrderedRecords& records) {
        std::string joined;
        for (std::string_view s : records.slices) joined.append(s.data(), s.size());
        take(self, joined);
        return true;
      },
      [=](carry_atom, sim::WorldTime clock, Carries& carries) {
        auto& st = self->state;
        for (auto& [id, carry] : carries) st.carries[id] = carry;
        st.carry_time = clock;
      },
      [=](message_done_atom) {
        auto& st = self->state;
        if (st.pending.empty() && st.carries.empty()) return;
        if (st.gateway)
          self->send(st.gateway, writes_atom::value, st.campaign_id, std::move(st.pending), std::move(st.carries),
                     st.carry_time);
        st.pending.clear();
        st.carries.clear();
      },
      [=](flush_atom) { return true; },
  };
}

}  // namespace hourglass::actors
