#include "actors/campaign_fanout.hpp"

#include <memory>

#include "actors/campaign_sink.hpp"
#include "actors/settlement_supervision.hpp"
#include "messages/record_json.hpp"

namespace hourglass::actors {

OwnFirings fire_own(CampaignSelf self, sim::WorldTime from, sim::WorldTime until) {
  auto& st = self->state;
  OwnFirings own;
  messages::BatchWriter fx_writer(st.id(), own.effects, st.init.capture),
      ev_writer(st.id(), own.events, st.init.capture);
  own.count = st.schedule.fire_effects(from, until, fx_writer);
  own.count += st.schedule.fire_events(from, until, ev_writer);
  check_fault(st.init.faults, "campaign", st.id(), st.firings, st.firings + own.count);
  st.firings += own.count;
  return own;
}

void put_carries(CampaignSelf self, const std::vector<std::optional<double>>& by_position, Carries& into) {
  std::size_t i = 0;
  for (const auto& entry : self->state.settlements) {
    if (i >= by_position.size()) break;
    if (const auto& carry = by_position[i++]) into[entry.first] = *carry;
  }
}

bool refuse_on_failure(const Gathered& g, Handled& h) {
  if (g.failure.empty()) return false;
  h.outcome = Outcome::Refused;
  h.note = g.failure;
  return true;
}

void fan_out(CampaignSelf self, sim::WorldTime from, OwnFirings own, std::function<caf::message()> ask,
             std::function<void(Gathered&)> then) {
  struct Pending {
    Gathered gathered;
    std::function<void(Gathered&)> then;  // once, not a copy per settlement
    std::size_t waiting = 0;
    bool failed = false;
  };
  auto p = std::make_shared<Pending>();
  const std::size_t n = self->state.settlements.size();
  p->gathered.batches.resize(n + 2);
  p->gathered.carries.resize(n);
  p->then = std::move(then);
  p->gathered.batches.front() = std::move(own.effects);
  p->gathered.batches.back() = std::move(own.events);
  p->gathered.firings = own.count;
  p->waiting = n;
  if (n == 0) return p->then(p->gathered);
  std::size_t rank = 1;
  for (const auto& entry : self->state.settlements) {
    ask_settlement<StepResult>(
        self, entry.first, from, ask,
        [p, rank](StepResult& r) {
          p->gathered.batches[rank] = std::move(r.batch);
          p->gathered.firings += r.firings;
          p->gathered.carries[rank - 1] = r.carry;
          if (--p->waiting == 0 && !p->failed) p->then(p->gathered);
        },
        [p](const std::string& why) {
          if (p->failed) return;
          p->failed = true;
          p->gathered.failure = why;
          p->then(p->gathered);
        });
    ++rank;
  }
}

std::uint64_t emit_gathered(CampaignSelf self, Gathered& g) {
  sim::OrderedRecords ordered = sim::order_canonically(std::move(g.batches));
  const std::uint64_t records = ordered.records;
  emit_step(self, std::move(ordered));
  return records;
}

void commit_all(CampaignSelf self) {
  for (const auto& entry : self->state.settlements) self->send(entry.second, commit_atom::value);
}

}  // namespace hourglass::actors
