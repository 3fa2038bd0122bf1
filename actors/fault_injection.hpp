// Fault injection for supervision tests: makes one named actor throw when
// its count of firings passes N, so that tests can show a crash is survived
// (the actor restarted from the last committed state, the same records
// written). Off unless configured (`HOURGLASS_FAULT_INJECT=kind:name:N`).
//
// What "its Nth firing" means per kind:
//   settlement  the settlement actor, at the firing of its household (its own
//               and its structures' timers) that reaches N;
//   campaign    the campaign actor, at its Nth firing of events and effects;
//   structure   a structure actor fires no timers itself (its settlement
//               simulates the household), so N counts the campaign messages
//               it takes part in: it throws when lent to its settlement for
//               the Nth time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hourglass::actors {

struct FaultPlan {
  std::string kind;  // campaign | settlement | structure
  std::string name;  // the entity id
  std::uint64_t nth = 0;
};

const std::vector<std::string>& fault_kinds();

// "kind:name:N" (name may contain ':'; N >= 1), or nothing when malformed.
std::optional<FaultPlan> parse_fault_plan(std::string_view spec);

struct InjectedFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FaultInjector {
 public:
  // `repeat`: throw every time the count passes N (a fresh actor counts from
  // zero again), for tests of restart limits; otherwise only once per process.
  explicit FaultInjector(FaultPlan plan, bool repeat = false) : plan_(std::move(plan)), repeat_(repeat) {}

  // Throws InjectedFault when the actor `kind` `name`, whose count went from
  // `before` to `after`, passed N and the fault is still armed.
  void check(std::string_view kind, std::string_view name, std::uint64_t before, std::uint64_t after);

  // How many times the fault was thrown.
  std::uint64_t thrown() const { return thrown_.load(); }
  const FaultPlan& plan() const { return plan_; }

 private:
  FaultPlan plan_;
  bool repeat_;
  std::atomic<std::uint64_t> thrown_{0};
};

using FaultInjectorPtr = std::shared_ptr<FaultInjector>;

// Checks through a possibly absent injector (the common case: none).
inline void check_fault(const FaultInjectorPtr& faults, std::string_view kind, std::string_view name,
                        std::uint64_t before, std::uint64_t after) {
  if (faults) faults->check(kind, name, before, after);
}

}  // namespace hourglass::actors
