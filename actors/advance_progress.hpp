// How far the advances under way have got, for people watching a long one:
// `hourglass replay` on a terminal, and `hourglass serve`'s /health, log and
// metrics. The campaign actors write it after each step (two world days at
// most); anyone reads it. Thread-safe: campaigns run on CAF's workers.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace hourglass::actors {

class AdvanceProgress {
 public:
  using Clock = std::chrono::steady_clock;

  struct Advance {
    std::string campaign;
    sim::WorldTime from = 0;     // the campaign's clock when the advance began
    sim::WorldTime reached = 0;  // its clock now
    sim::WorldTime target = 0;   // newTime
    std::uint64_t firings = 0;   // so far
    Clock::time_point started;
    double done() const { return target > from ? double(reached - from) / double(target - from) : 1.0; }
    double firings_per_second(Clock::time_point now) const;
  };

  // A step of campaign's advance from `from` to `target` reached `reached`.
  void step(const std::string& campaign, sim::WorldTime from, sim::WorldTime reached, sim::WorldTime target,
            std::uint64_t firings);
  // The campaign's advance ended (applied, refused or failed).
  void finished(const std::string& campaign);
  // The advances under way for at least `min_age`, the least advanced first.
  std::vector<Advance> running(Clock::duration min_age) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Advance> advances_;
};

using AdvanceProgressPtr = std::shared_ptr<AdvanceProgress>;

}  // namespace hourglass::actors
