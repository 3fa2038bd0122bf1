#include "actors/restart_budget.hpp"

namespace hourglass::actors {

bool RestartBudget::try_spend(Clock::time_point now) {
  while (!spent_.empty() && now - spent_.front() > window_) spent_.pop_front();
  if (static_cast<int>(spent_.size()) >= limit_) return false;
  spent_.push_back(now);
  return true;
}

}  // namespace hourglass::actors
