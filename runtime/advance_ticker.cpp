#include "runtime/advance_ticker.hpp"

#include <string>

namespace hourglass::runtime {

AdvanceTicker::AdvanceTicker(actors::AdvanceProgressPtr progress, std::FILE* out, std::chrono::milliseconds every,
                             std::chrono::milliseconds after)
    : progress_(std::move(progress)), out_(out), every_(every), after_(after), thread_([this] { run(); }) {}

AdvanceTicker::~AdvanceTicker() {
  stop_ = true;
  thread_.join();
  if (drawn_) std::fputs("\r\033[K", out_);
}

std::string AdvanceTicker::line(const actors::AdvanceProgress::Advance& a, actors::AdvanceProgress::Clock::time_point now) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "(%.1f %%), %.1f M firings/s", 100.0 * a.done(), a.firings_per_second(now) / 1e6);
  return a.campaign + ": " + sim::format_world_time(a.reached) + " of " + sim::format_world_time(a.target) + " " + rate;
}

void AdvanceTicker::run() {
  while (!stop_) {
    std::this_thread::sleep_for(every_);  // a display's refresh period, not a wait for an actor
    const auto now = actors::AdvanceProgress::Clock::now();
    const auto running = progress_->running(after_);
    if (running.empty()) continue;
    std::string text = "\r\033[K" + line(running.front(), now);
    if (running.size() > 1) text += " (+" + std::to_string(running.size() - 1) + " more)";
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
    drawn_ = true;
  }
}

}  // namespace hourglass::runtime
