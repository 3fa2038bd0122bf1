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

// The step the campaign waits for (CampaignState::step).
struct StepInFlight {
  StepGatherPtr gather;  // none when the campaign has no settlements
  sim::WorldTime from = 0;
  OwnFirings own;
  std::function<void(Gathered&)> then;
  std::string failure;  // a retry that could not be answered
};

namespace {

// The gathered answers, by rank, handed to the step's `then`. The step is
// taken out of the state first: `then` may start the next one.
void finish_step(CampaignSelf self) {
  const std::shared_ptr<StepInFlight> step = std::move(self->state.step);  // leaves it empty
  const std::size_t n = step->gather ? step->gather->size() : 0;
  Gathered g;
  g.batches.resize(n + 2);
  g.carries.resize(n);
  g.batches.front() = std::move(step->own.effects);
  g.batches.back() = std::move(step->own.events);
  g.firings = step->own.count;
  for (std::size_t pos = 0; pos < n; ++pos) {
    if (!step->gather->answered(pos)) continue;
    StepResult& r = step->gather->result(pos);
    g.batches[pos + 1] = std::move(r.batch);
    g.firings += r.firings;
    g.carries[pos] = r.carry;
  }
  g.failure = std::move(step->failure);
  step->then(g);
}

bool in_flight(CampaignSelf self, const StepGatherPtr& g) {
  return self->state.step && self->state.step->gather == g;
}

}  // namespace

void fan_out(CampaignSelf self, sim::WorldTime from, OwnFirings own, StepOrder order,
             std::function<void(Gathered&)> then) {
  auto& st = self->state;
  auto step = std::make_shared<StepInFlight>();
  step->from = from;
  step->own = std::move(own);
  step->then = std::move(then);
  const std::size_t n = st.settlements.size();
  if (n > 0) step->gather = std::make_shared<StepGather>(std::move(order), n, self->address());
  st.step = step;
  if (n == 0) return finish_step(self);
  std::size_t pos = 0;
  for (const auto& entry : st.settlements) self->send(entry.second, step_atom::value, step->gather, pos++);
}

void on_gathered(CampaignSelf self, const StepGatherPtr& g) {
  if (in_flight(self, g)) finish_step(self);
}

void retry_gathered_step(CampaignSelf self, const std::string& id) {
  auto& st = self->state;
  if (!st.step || !st.step->gather) return;
  auto it = st.settlements.find(id);
  if (it == st.settlements.end()) return;
  const auto pos = static_cast<std::size_t>(std::distance(st.settlements.begin(), it));
  StepGatherPtr g = st.step->gather;
  if (pos >= g->size() || !g->retry(pos)) return;  // answered before it died, or retried already
  const sim::WorldTime from = st.step->from;
  catch_up_settlement(self, id, from);
  ask_settlement<StepResult>(
      self, id, from, [g] { return step_request(g->order()); },
      [self, g, pos](StepResult& r) {
        if (in_flight(self, g) && g->fill(pos, std::move(r))) finish_step(self);
      },
      [self, g](const std::string& why) {
        if (!in_flight(self, g)) return;
        self->state.step->failure = why;
        finish_step(self);
      });
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
