// One step of a campaign message, asked of every settlement at once, and
// their answers gathered without a response per settlement.
//
// A catch-up asks a thousand settlements for a step every world day or two. As CAF
// requests, each answer was a response message, a response handler and an
// entry in the campaign's pending-response map (searched linearly in CAF
// 0.17), and a wake-up of the campaign actor (docs/PERFORMANCE.md,
// 2026-12-08). Instead, every settlement is sent the
// step with a shared StepGather and its position; it writes its answer into
// its own slot, and the one that completes the gather tells the campaign, in
// one message for the step.
//
// A settlement that fails does not answer: it dies, and the campaign's exit
// handler (settlement_supervision) restarts it and asks the fresh actor the
// same step as a request, which fills the slot in turn (retry_gathered_step).
#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "actors/protocol.hpp"

namespace hourglass::actors {

// What a step asks of each settlement.
enum class StepKind : std::uint8_t {
  Advance,  // fire every timer due up to `time` (advance_atom)
  Overdue,  // fire the one-shots due at load, at `time` (overdue_atom)
  Rules,    // re-read intervals and amounts at `time` under `rules` (rules_atom)
};

struct StepOrder {
  StepOrder(StepKind k, sim::WorldTime t, sim::RulesPtr r = nullptr) : kind(k), time(t), rules(std::move(r)) {}
  StepKind kind;
  sim::WorldTime time;
  sim::RulesPtr rules;  // Rules only
};

// The same step as a request, for a settlement asked again after a failure.
caf::message step_request(const StepOrder& order);

class StepGather {
 public:
  enum class Slot : std::uint8_t {
    Asked,     // sent to the settlement's actor, not answered
    Answered,  // its result is in
    Retried,   // the campaign asks again (the actor failed); the campaign fills it
  };

  StepGather(StepOrder order, std::size_t settlements, caf::actor_addr campaign);

  const StepOrder& order() const { return order_; }
  std::size_t size() const { return results_.size(); }

  // A settlement's answer at `pos`. True for the answer that completes the
  // gather: its caller tells the campaign (gathered_atom).
  bool answer(std::size_t pos, StepResult result);

  // The campaign's side. `retry` takes a slot still Asked (its actor died
  // without answering) for the campaign to fill; false when it was answered
  // or is being retried already. `fill` is the retried answer: true when it
  // completes the gather.
  bool retry(std::size_t pos);
  bool fill(std::size_t pos, StepResult result);

  // Once complete (or abandoned on a failure): the answers, by position;
  // only the Answered ones count.
  bool answered(std::size_t pos) const { return slots_[pos].load(std::memory_order_acquire) == Slot::Answered; }
  StepResult& result(std::size_t pos) { return results_[pos]; }

  const caf::actor_addr& campaign() const { return campaign_; }

 private:
  bool complete_one();

  StepOrder order_;
  std::vector<StepResult> results_;
  std::unique_ptr<std::atomic<Slot>[]> slots_;
  std::atomic<std::size_t> waiting_;
  caf::actor_addr campaign_;  // weak: a gather outliving its campaign does not keep it
};

using StepGatherPtr = std::shared_ptr<StepGather>;

// campaign -> settlement: (step_atom, StepGatherPtr, position);
// settlement -> campaign: (gathered_atom, StepGatherPtr), once per step.
using step_atom = caf::atom_constant<caf::atom("step")>;
using gathered_atom = caf::atom_constant<caf::atom("gathered")>;

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::StepGatherPtr)
