#include "actors/campaign_sink.hpp"

namespace hourglass::actors {
namespace {

constexpr int kMaxStepsAtSink = 2;

}  // namespace

void emit(CampaignSelf self, sim::RecordBatch& batch) {
  if (batch.records == 0) return;
  std::vector<sim::RecordBatch> one;
  one.push_back(std::move(batch));
  emit_step(self, sim::order_canonically(std::move(one)));
}

void emit_step(CampaignSelf self, sim::OrderedRecords records) {
  if (records.records == 0) return;
  auto& st = self->state;
  ++st.steps_at_sink;
  auto written = [=]() {
    auto& st = self->state;
    if (--st.steps_at_sink < kMaxStepsAtSink && st.on_sink_ready) {
      auto resume = std::move(st.on_sink_ready);
      st.on_sink_ready = nullptr;
      resume();
    }
  };
  self->request(st.init.sink, caf::infinite, records_atom::value, std::move(records))
      .then([=](bool) { written(); }, [=](caf::error&) { written(); });
}

void when_sink_ready(CampaignSelf self, std::function<void()> next) {
  if (self->state.steps_at_sink < kMaxStepsAtSink)
    next();
  else
    self->state.on_sink_ready = std::move(next);
}

void end_message_at_sink(CampaignSelf self, const Carries& after) {
  auto& st = self->state;
  Carries changed;
  for (const auto& [id, carry] : after) {
    auto it = st.last_carry.find(id);
    if (it != st.last_carry.end() && it->second == carry) continue;
    st.last_carry[id] = carry;
    changed.emplace(id, carry);
  }
  if (!changed.empty()) self->send(st.init.sink, carry_atom::value, st.clock, std::move(changed));
  self->send(st.init.sink, message_done_atom::value);
}

}  // namespace hourglass::actors
