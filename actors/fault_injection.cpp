#include "actors/fault_injection.hpp"

#include <algorithm>
#include <charconv>

namespace hourglass::actors {

const std::vector<std::string>& fault_kinds() {
  static const std::vector<std::string> kinds{"campaign", "settlement", "structure"};
  return kinds;
}

std::optional<FaultPlan> parse_fault_plan(std::string_view spec) {
  const auto first = spec.find(':');
  const auto last = spec.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  FaultPlan plan;
  plan.kind = std::string(spec.substr(0, first));
  plan.name = std::string(spec.substr(first + 1, last - first - 1));
  const std::string_view nth = spec.substr(last + 1);
  const auto& kinds = fault_kinds();
  if (std::find(kinds.begin(), kinds.end(), plan.kind) == kinds.end() || plan.name.empty()) return std::nullopt;
  if (nth.empty() || !std::all_of(nth.begin(), nth.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const auto [ptr, ec] = std::from_chars(nth.data(), nth.data() + nth.size(), plan.nth);
  if (ec != std::errc() || ptr != nth.data() + nth.size() || plan.nth < 1) return std::nullopt;
  return plan;
}

void FaultInjector::check(std::string_view kind, std::string_view name, std::uint64_t before,
                          std::uint64_t after) {
  if (kind != plan_.kind || name != plan_.name) return;
  if (!(before < plan_.nth && plan_.nth <= after)) return;
  if (repeat_) {
    ++thrown_;
  } else {
    std::uint64_t none = 0;
    if (!thrown_.compare_exchange_strong(none, 1)) return;
  }
  throw InjectedFault("fault injected: " + plan_.kind + " " + plan_.name + " at its firing " +
                      std::to_string(plan_.nth));
}

}  // namespace hourglass::actors
