#include "actors/step_gather.hpp"

#include <utility>

namespace hourglass::actors {

caf::message step_request(const StepOrder& order) {
  switch (order.kind) {
    case StepKind::Advance: return caf::make_message(advance_atom::value, order.time);
    case StepKind::Overdue: return caf::make_message(overdue_atom::value, order.time);
    case StepKind::Rules: return caf::make_message(rules_atom::value, order.time, order.rules);
  }
  return {};
}

StepGather::StepGather(StepOrder order, std::size_t settlements, caf::actor_addr campaign)
    : order_(std::move(order)),
      results_(settlements),
      slots_(new std::atomic<Slot>[settlements]),
      waiting_(settlements),
      campaign_(std::move(campaign)) {
  for (std::size_t i = 0; i < settlements; ++i) slots_[i].store(Slot::Asked, std::memory_order_relaxed);
}

bool StepGather::answer(std::size_t pos, StepResult result) {
  // A slot is retried only once its actor has died (the campaign's exit
  // handler), so the actor that answers here is its only writer; the check
  // keeps a slot the campaign has taken its own all the same.
  if (slots_[pos].load(std::memory_order_acquire) != Slot::Asked) return false;
  results_[pos] = std::move(result);
  slots_[pos].store(Slot::Answered, std::memory_order_release);
  return complete_one();
}

bool StepGather::retry(std::size_t pos) {
  Slot asked = Slot::Asked;
  return slots_[pos].compare_exchange_strong(asked, Slot::Retried, std::memory_order_acq_rel);
}

bool StepGather::fill(std::size_t pos, StepResult result) {
  results_[pos] = std::move(result);
  slots_[pos].store(Slot::Answered, std::memory_order_release);
  return complete_one();
}

bool StepGather::complete_one() { return waiting_.fetch_sub(1, std::memory_order_acq_rel) == 1; }

}  // namespace hourglass::actors
