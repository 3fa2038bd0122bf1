// sweep: what `hourglass tune` costs. A generated one-year scenario (N
// settlements x M structures, one advance) replayed under 16 variants of
// settlement.populationGrowthRate, on the tune's pool of replays, each
// variant's records read into timelines as they are written. With --report
// DIR it also keeps every record and writes report.html and timeline.csv.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/bench_commands.hpp"
#include "bench/bench_world.hpp"
#include "runtime/tune/plan.hpp"
#include "runtime/tune/run_variants.hpp"
#include "runtime/tune/tune_report.hpp"

namespace hourglass::bench {
namespace {

runtime::Scenario one_year(const SweepArgs& a) {
  WorldShape shape;
  shape.campaign_id = "sweep";
  shape.settlements = a.settlements;
  shape.structures_per_settlement = a.structures;
  runtime::Scenario scenario;
  scenario.name = "sweep";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns.push_back(make_campaign(shape));
  const sim::WorldTime until = shape.clock + static_cast<sim::WorldTime>(a.days) * 24 * 60 * sim::kMsPerMinute;
  runtime::RecordedMessage advance;
  advance.where = "bench";
  advance.channel = "campaign.sweep.worldTimeAdvanced";
  advance.payload = {{"campaignId", "sweep"},
                     {"previousTime", sim::format_world_time(shape.clock)},
                     {"newTime", sim::format_world_time(until)}};
  scenario.messages.push_back(advance);
  return scenario;
}

// "settlement.populationGrowthRate=0.005,0.006,..." with `count` values.
std::string growth_sweep(int count) {
  std::string option = "settlement.populationGrowthRate=";
  for (int i = 0; i < count; ++i) {
    char value[32];
    std::snprintf(value, sizeof value, "%s%.3f", i ? "," : "", 0.005 + 0.001 * i);
    option += value;
  }
  return option;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int run_sweep(const SweepArgs& a) {
  runtime::tune::TunePlan plan;
  plan.scenario_file = "sweep (generated)";
  plan.scenario = one_year(a);
  const runtime::tune::RulesSource defaults{"default", "built-in default rules", sim::Rules::defaults()};
  plan.variants = runtime::tune::build_variants({defaults}, {runtime::tune::parse_set_option(growth_sweep(a.variants))});
  for (const auto& v : plan.variants) plan.scenarios.push_back(runtime::tune::with_rules(plan.scenario, v.rules));

  const auto start = std::chrono::steady_clock::now();
  std::vector<runtime::tune::VariantResult> results =
      runtime::tune::run_variants(plan.scenarios, {a.threads, !a.report.empty()});
  const double replay_seconds = seconds_since(start);
  std::uint64_t firings = 0, records = 0, unreadable = 0;
  for (const auto& r : results) {
    firings += r.stats.firings;
    records += r.stats.records;
    unreadable += r.unreadable_records;
  }
  if (!a.report.empty()) {
    const runtime::tune::TuneFiles files = runtime::tune::render_tune_files(plan, results, /*long_form=*/false);
    std::filesystem::create_directories(a.report);
    std::ofstream(std::filesystem::path(a.report) / "report.html", std::ios::binary) << files.html;
    std::ofstream(std::filesystem::path(a.report) / "timeline.csv", std::ios::binary) << files.csv;
  }
  const double total = seconds_since(start);

  std::printf("sweep: %zu variants of %d settlements x %d structures, %d days, %zu concurrent replays\n",
              plan.variants.size(), a.settlements, a.structures, a.days,
              a.threads ? a.threads : static_cast<std::size_t>(std::thread::hardware_concurrency()));
  std::printf("  wall         %.3f s total (%.3f s replays + timelines%s)\n", total, replay_seconds,
              a.report.empty() ? "" : ", the rest report and CSV");
  std::printf("  firings      %llu\n", (unsigned long long)firings);
  std::printf("  records      %llu%s\n", (unsigned long long)records,
              unreadable ? " (SOME UNREADABLE)" : "");
  std::printf("  firings/s    %.2f M\n", firings / total / 1e6);
  std::printf("  peak RSS     %.1f MiB\n", peak_rss_bytes() / 1048576.0);
  return unreadable ? 1 : 0;
}

}  // namespace hourglass::bench
