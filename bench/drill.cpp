// drill: the several-instance drill (tests/service/support/instance_drill):
// N `hourglass serve` on one redis-server and the HTTP fake API, the pub/sub
// input, a seeded fault every few seconds (kill -9, SIGSTOP past the lease
// ttl, SIGTERM and restart, a new instance joining) for a duration, then the
// API compared with the replay of the same story. Prints the seed, lost and
// doubled, fenced refusals, failover and handoff times. With --fault-every 0
// no fault is done: the throughput of N instances (advances committed per
// second). Exit code 1 when anything was lost or doubled or the drill could
// not finish.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/bench_commands.hpp"
#include "bench/hourglass_binary.hpp"
#include "tests/service/support/instance_drill.hpp"

namespace hourglass::bench {

namespace fs = std::filesystem;

int run_drill(const DrillArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  service::testing::InstanceDrillOptions o;
  try {
    o.hourglass = hourglass_binary(a.hourglass);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drill: %s\n", e.what());
    return 2;
  }
  o.seed = a.seed;
  o.instances = a.instances;
  o.duration = std::chrono::milliseconds(static_cast<long>(a.seconds * 1000));
  o.fault_every = std::chrono::milliseconds(static_cast<long>(a.fault_every * 1000));
  o.lease_ttl = std::chrono::milliseconds(a.lease_ttl_ms);
  o.campaigns = a.campaigns;
  o.step_gap = std::chrono::milliseconds(a.step_gap_ms);
  o.work_dir = (fs::temp_directory_path() / ("hourglass-bench-drill-" + std::to_string(::getpid()))).string();
  std::printf("drill: %d instance(s), %d campaigns, %.0f s, a fault every %.1f s (mean), lease ttl %d ms, seed %llu, "
              "hourglass %s\n",
              o.instances, o.campaigns, a.seconds, a.fault_every, a.lease_ttl_ms, (unsigned long long)o.seed,
              o.hourglass.c_str());
  const auto r = service::testing::run_instance_drill(o);
  std::printf("%s", service::testing::describe(r).c_str());
  if (r.ok()) {
    std::error_code ec;
    fs::remove_all(o.work_dir, ec);  // only a failing drill's logs are kept
  } else {
    std::printf("the instances' logs: %s\n", o.work_dir.c_str());
  }
  return r.ok() ? 0 : 1;
}

}  // namespace hourglass::bench
