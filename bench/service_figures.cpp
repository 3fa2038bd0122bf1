#include "bench/service_figures.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace hourglass::bench {

CpuSplit split_cpu(const std::map<std::string, double>& threads_before, const std::map<std::string, double>& threads_after,
                   double redis_seconds) {
  CpuSplit out;
  out.redis_server = redis_seconds;
  for (const auto& [name, seconds] : threads_after) {
    auto b = threads_before.find(name);
    const double d = seconds - (b == threads_before.end() ? 0.0 : b->second);
    if (name == "caf.multiplexer" || name == "caf.clock") out.caf_workers += d;
    else if (name == "caf.actor") out.detached += d;
    else if (name == "hg.record-feed") out.record_feed += d;
    else if (name == "fake-api") out.fake_api += d;
    else out.other += d;
  }
  return out;
}

void measure_advances(const AdvanceTracker& tracker, int first_round, int last_round, RunFigures& f) {
  using Clock = AdvanceTracker::Clock;
  std::vector<double> latency_ms;
  Clock::time_point first = Clock::time_point::max(), last = Clock::time_point::min();
  f.completed = 0;
  for (const auto& a : tracker.advances(first_round, last_round)) {
    if (!a.published || !a.last_write) continue;
    ++f.completed;
    first = std::min(first, *a.published);
    last = std::max(last, *a.last_write);
    if (a.expected > 0)  // an advance that writes nothing has no last write to time
      latency_ms.push_back(std::chrono::duration<double, std::milli>(*a.last_write - *a.published).count());
  }
  f.wall = f.completed ? std::chrono::duration<double>(last - first).count() : 0;
  f.latency_ms = percentiles(std::move(latency_ms));
}

void print_figures(const RunFigures& f) {
  const double publishing = std::chrono::duration<double>(f.published.last - f.published.first).count();
  const double wall = std::max(f.wall, 1e-9);
  std::printf("  published    %llu advances in %.2f s (%.1f/s)%s\n", (unsigned long long)f.published.published, publishing,
              f.published.published / std::max(publishing, 1e-9),
              f.published.out_of_rounds ? "; stopped early: no prepared round left (raise --rounds)" : "");
  std::printf("  completed    %llu advances; first publish -> last write %.2f s\n", (unsigned long long)f.completed, f.wall);
  std::printf("  sustained    %.1f advances/s\n", f.completed / wall);
  std::printf("  latency      publish -> last API write of the advance (ms): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n",
              f.latency_ms.p50, f.latency_ms.p95, f.latency_ms.p99, f.latency_ms.max);
  std::printf("  API writes   %zu (%.1f per advance), %.0f/s; HTTP requests %.0f/s (%.1f per write)\n", f.writes,
              static_cast<double>(f.writes) / std::max<std::uint64_t>(f.completed, 1), f.writes / wall, f.requests / wall,
              static_cast<double>(f.requests) / std::max<std::size_t>(f.writes, 1));
  std::printf("  checks       unexpected writes %llu; dead letters: input %zu, gateway %zu\n",
              (unsigned long long)f.unexpected_writes, f.dead_letters_input, f.dead_letters_gateway);
  const CpuSplit& c = f.cpu;
  std::printf("  CPU (cores)  %.2f in all: service %.2f (CAF workers %.2f, blocking actors %.2f, record feed %.2f), "
              "fake API %.2f, redis-server %.2f, other threads %.2f\n",
              c.total() / wall, (c.caf_workers + c.detached + c.record_feed) / wall, c.caf_workers / wall,
              c.detached / wall, c.record_feed / wall, c.fake_api / wall, c.redis_server / wall, c.other / wall);
  std::printf("  peak RSS     %.1f MiB (this process; %.1f MiB before the service started: fake API store, world, tracker)\n",
              f.peak_rss_mib, f.rss_before_service_mib);
  std::printf("  load average %s before, %s after\n", f.load_before.c_str(), f.load_after.c_str());
}

}  // namespace hourglass::bench
