// On a terminal, a line for each long advance of `hourglass replay` while it
// runs: the world time reached, how much of the advance that is, and
// firings/s, redrawn a few times a second from actors::AdvanceProgress.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "actors/advance_progress.hpp"

namespace hourglass::runtime {

class AdvanceTicker {
 public:
  // Draws on `out` every `every` the advances under way for at least `after`.
  AdvanceTicker(actors::AdvanceProgressPtr progress, std::FILE* out,
                std::chrono::milliseconds every = std::chrono::milliseconds(250),
                std::chrono::milliseconds after = std::chrono::milliseconds(500));
  ~AdvanceTicker();  // stops, clearing its line
  AdvanceTicker(const AdvanceTicker&) = delete;
  AdvanceTicker& operator=(const AdvanceTicker&) = delete;

  // "c1: 2031-04-02T00:00:00.000Z of 2125-01-01T00:00:00.000Z (6.1 %), 12.3 M firings/s"
  static std::string line(const actors::AdvanceProgress::Advance& a, actors::AdvanceProgress::Clock::time_point now);

 private:
  void run();

  actors::AdvanceProgressPtr progress_;
  std::FILE* out_;
  std::chrono::milliseconds every_, after_;
  std::atomic<bool> stop_{false};
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace hourglass::runtime
