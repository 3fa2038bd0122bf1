// The figures of one measured run of the service benchmark, and how they
// are printed (docs/PERFORMANCE.md quotes these lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "bench/advance_publisher.hpp"
#include "bench/advance_tracker.hpp"
#include "bench/percentiles.hpp"

namespace hourglass::bench {

// Where the CPU went during the run, in CPU seconds, by thread name: CAF
// 0.17 names its scheduler's workers "caf.multiplexer" (its timer
// "caf.clock") and every detached actor's thread "caf.actor" (the gateway's
// HTTP workers, the Redis bridge, the API reader), but for the record feed's
// thread, "hg.record-feed" (actors/service/record_feed_actor); the fake API names its
// threads "fake-api". The rest of this process: the publisher, the
// service's Redis subscriber and status server.
struct CpuSplit {
  double caf_workers = 0, detached = 0, record_feed = 0, fake_api = 0, other = 0, redis_server = 0;
  double total() const { return caf_workers + detached + record_feed + fake_api + other + redis_server; }
};
CpuSplit split_cpu(const std::map<std::string, double>& threads_before, const std::map<std::string, double>& threads_after,
                   double redis_seconds);

struct RunFigures {
  PublishResult published;
  std::uint64_t completed = 0;
  double wall = 0;  // first publish -> last write of the run, s
  Percentiles latency_ms;  // publish -> last API write, per advance
  std::size_t writes = 0, requests = 0;
  std::uint64_t unexpected_writes = 0;
  std::size_t dead_letters_input = 0, dead_letters_gateway = 0;
  CpuSplit cpu;
  double peak_rss_mib = 0, rss_before_service_mib = 0;
  std::string load_before, load_after;
};

// Completion, wall and latency of the advances of rounds [first_round, last_round].
void measure_advances(const AdvanceTracker& tracker, int first_round, int last_round, RunFigures& f);
void print_figures(const RunFigures& f);

}  // namespace hourglass::bench
