// catchup: one campaign, N settlements x M structures, default rules, one
// long advance, records written to a file. Prints the figures of
// docs/PERFORMANCE.md.
#include <cstdio>
#include <memory>

#include "bench/bench_commands.hpp"
#include "bench/bench_world.hpp"
#include "runtime/replay.hpp"

namespace hourglass::bench {

int run_catchup(const CatchupArgs& a) {
  WorldShape shape;
  shape.settlements = a.settlements;
  shape.structures_per_settlement = a.structures;
  runtime::Scenario scenario;
  scenario.name = "catchup";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns.push_back(make_campaign(shape));
  const sim::WorldTime until = shape.clock + static_cast<sim::WorldTime>(a.days) * 24 * 60 * sim::kMsPerMinute;
  runtime::RecordedMessage advance;
  advance.where = "bench";
  advance.channel = "campaign.bench.worldTimeAdvanced";
  advance.payload = {{"campaignId", "bench"},
                     {"previousTime", sim::format_world_time(shape.clock)},
                     {"newTime", sim::format_world_time(until)}};
  scenario.messages.push_back(advance);

  std::FILE* out = std::fopen(a.out.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", a.out.c_str());
    return 2;
  }
  runtime::ReplayOptions options;
  options.threads = a.threads;
  if (a.step_hours > 0) options.max_step = static_cast<sim::Duration>(a.step_hours) * 60 * sim::kMsPerMinute;
  options.output = std::make_shared<actors::FileOutput>(out);
  const runtime::ReplayResult r = runtime::run_replay(scenario, options);
  std::fclose(out);
  const auto& s = r.stats;
  std::printf("catchup: %d settlements x %d structures, %d days, threads %zu\n", a.settlements,
              a.structures, a.days, a.threads);
  std::printf("  firings      %llu\n", (unsigned long long)s.firings);
  std::printf("  records      %llu (written to %s)\n", (unsigned long long)s.records, a.out.c_str());
  std::printf("  wall         %.3f s\n", s.wall_seconds);
  std::printf("  firings/s    %.2f M\n", s.firings / s.wall_seconds / 1e6);
  std::printf("  records/s    %.2f M\n", s.records / s.wall_seconds / 1e6);
  std::printf("  peak RSS     %.1f MiB\n", peak_rss_bytes() / 1048576.0);
  return 0;
}

}  // namespace hourglass::bench
