// Periodic world-time timers (SPEC §2): due at anchor + k*interval, k >= 1,
// and never at or before the clock at which the timer was (re)started.
#pragma once

#include "sim/time.hpp"

namespace hourglass::sim {

// The first anchor + k*interval (k >= 1) strictly after `clock`.
inline WorldTime first_due_after(WorldTime anchor, Duration interval, WorldTime clock) {
  std::int64_t k = 1;
  if (clock >= anchor) k = (clock - anchor) / interval + 1;  // floor for non-negative
  return anchor + k * interval;
}

struct PeriodicTimer {
  WorldTime anchor = 0;
  Duration interval = 0;
  WorldTime next = kNever;

  bool running() const { return next != kNever; }
  void start(WorldTime new_anchor, Duration new_interval, WorldTime clock) {
    anchor = new_anchor;
    interval = new_interval;
    next = first_due_after(anchor, interval, clock);
  }
  // A changed interval keeps the anchor: the next due time is the first
  // anchor + k*interval' after the clock. An unchanged one keeps its schedule.
  void retime(Duration new_interval, WorldTime clock) {
    if (!running() || new_interval == interval) return;
    start(anchor, new_interval, clock);
  }
  void stop() { next = kNever; }
  void step() { next += interval; }
};

}  // namespace hourglass::sim
