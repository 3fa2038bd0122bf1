// crash: the crash drill (tests/service/support/crash_drill) run N times:
// `hourglass serve` as a child process told a scenario through the Redis
// stream input, SIGKILLed at K seeded instants (and redis-server at R), the
// API then compared with the replay of the same story. Trial i uses seed
// S + i and the scenarios in turn (by default the bundled examples 07 and
// 08). One line per trial, a total line; the details of each failing trial.
// Exit code 1 when anything was lost or doubled or a drill could not finish.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "bench/bench_commands.hpp"
#include "bench/hourglass_binary.hpp"
#include "tests/service/support/crash_drill.hpp"

namespace hourglass::bench {

namespace fs = std::filesystem;
using service::testing::CrashDrillOptions;
using service::testing::CrashDrillResult;

int run_crash(const CrashArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line per trial as it ends, also into a file
  std::string binary;
  try {
    binary = hourglass_binary(a.hourglass);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash: %s\n", e.what());
    return 2;
  }
  std::vector<std::string> scenarios = a.scenarios;
  if (scenarios.empty())
    for (const char* name : {"07-generated-medium-default.json", "08-generated-medium-tuned.json"})
      scenarios.push_back((fs::path(examples_dir()) / name).string());
  const fs::path work = fs::temp_directory_path() / ("hourglass-bench-crash-" + std::to_string(::getpid()));
  std::printf("crash: %d trial(s), %d service kill(s) and %d redis kill(s) each, seeds %llu.., hourglass %s\n",
              a.trials, a.kills, a.redis_kills, (unsigned long long)a.seed, binary.c_str());
  std::printf("%-5s %-36s %6s %5s %5s %8s %7s %5s %7s %8s\n", "trial", "scenario", "seed", "kills", "redis", "messages",
              "writes", "lost", "doubled", "seconds");
  int total_kills = 0, total_redis_kills = 0, failures = 0;
  std::size_t total_lost = 0, total_doubled = 0, total_messages = 0, total_writes = 0;
  const auto all_start = std::chrono::steady_clock::now();
  for (int i = 0; i < a.trials; ++i) {
    CrashDrillOptions o;
    o.scenario = scenarios[static_cast<std::size_t>(i) % scenarios.size()];
    o.hourglass = binary;
    o.seed = a.seed + static_cast<std::uint64_t>(i);
    o.service_kills = a.kills;
    o.redis_kills = a.redis_kills;
    o.work_dir = (work / ("trial-" + std::to_string(i))).string();
    o.step_timeout = std::chrono::seconds(a.step_timeout);
    const auto start = std::chrono::steady_clock::now();
    const CrashDrillResult r = service::testing::run_crash_drill(o);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool failed = !r.failure.empty();
    std::printf("%-5d %-36s %6llu %5d %5d %8zu %7zu %5zu %7zu %8.1f%s\n", i, fs::path(o.scenario).filename().c_str(),
                (unsigned long long)o.seed, r.service_kills, r.redis_kills, r.messages, r.writes_applied, r.lost.size(),
                r.doubled.size(), seconds, failed ? "  FAILED" : "");
    total_kills += r.service_kills;
    total_redis_kills += r.redis_kills;
    total_lost += r.lost.size();
    total_doubled += r.doubled.size();
    total_messages += r.messages;
    total_writes += r.writes_applied;
    if (failed) ++failures;
    if (!r.ok()) {
      for (const auto& l : r.lost) std::printf("  LOST: %s\n", l.c_str());
      for (const auto& d : r.doubled) std::printf("  DOUBLED: %s\n", d.c_str());
      if (failed) std::printf("  FAILED: %s\n", r.failure.c_str());
      std::printf("  the service's log: %s/serve.log\n", o.work_dir.c_str());
    } else {
      std::error_code ec;
      fs::remove_all(o.work_dir, ec);  // only a failing trial's log is kept
    }
  }
  const double all_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - all_start).count();
  std::printf("total: %d trials, %d service kills, %d redis kills, %zu messages, %zu writes applied, %zu lost, "
              "%zu doubled, %d failures, %.1f s\n",
              a.trials, total_kills, total_redis_kills, total_messages, total_writes, total_lost, total_doubled, failures,
              all_seconds);
  return total_lost + total_doubled == 0 && failures == 0 ? 0 : 1;
}

}  // namespace hourglass::bench
