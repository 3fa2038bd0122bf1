#include "actors/advance_progress.hpp"

#include <algorithm>

namespace hourglass::actors {

double AdvanceProgress::Advance::firings_per_second(Clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - started).count();
  return seconds > 0 ? double(firings) / seconds : 0.0;
}

void AdvanceProgress::step(const std::string& campaign, sim::WorldTime from, sim::WorldTime reached,
                           sim::WorldTime target, std::uint64_t firings) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = advances_.try_emplace(campaign);
  Advance& a = it->second;
  if (inserted || a.target != target || a.from != from) a = Advance{campaign, from, reached, target, 0, Clock::now()};
  a.reached = reached;
  a.firings = firings;
}

void AdvanceProgress::finished(const std::string& campaign) {
  std::lock_guard<std::mutex> lock(mutex_);
  advances_.erase(campaign);
}

std::vector<AdvanceProgress::Advance> AdvanceProgress::running(Clock::duration min_age) const {
  const auto now = Clock::now();
  std::vector<Advance> out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, a] : advances_)
      if (now - a.started >= min_age) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const Advance& a, const Advance& b) { return a.done() < b.done(); });
  return out;
}

}  // namespace hourglass::actors
