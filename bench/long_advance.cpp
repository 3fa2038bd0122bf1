// long-advance: one advance of a long span (a year by default) for one
// campaign of N settlements x M structures, in `hourglass serve` (in-process,
// real redis-server, the HTTP fake of the campaign API) and in a replay with
// its records to /dev/null; prints both times, their ratio and the peak RSS.
//
// The service's time runs from the publish of the advance to its last API
// write, known exactly because the writes the advance must make are counted
// beforehand by an offline replay coalesced as the gateway does
// (expected_writes.hpp). A warm-up advance of the same span comes first (it
// bootstraps the campaign from the API) and is not measured; the replay is
// timed on the same second advance, after the same first one.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "bench/advance_publisher.hpp"
#include "bench/advance_tracker.hpp"
#include "bench/bench_commands.hpp"
#include "bench/bench_world.hpp"
#include "bench/expected_writes.hpp"
#include "bench/process_stats.hpp"
#include "bench/serve_probe.hpp"
#include "bench/service_figures.hpp"
#include "bench/service_under_test.hpp"
#include "bench/service_world.hpp"
#include "runtime/free_memory.hpp"
#include "runtime/replay.hpp"

namespace hourglass::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

runtime::RecordedMessage advance_message(const std::string& campaign, const AdvanceSchedule& s, int round) {
  runtime::RecordedMessage m;
  m.where = "round " + std::to_string(round);
  m.channel = "campaign." + campaign + ".worldTimeAdvanced";
  m.payload = {{"campaignId", campaign},
               {"previousTime", sim::format_world_time(s.previous_time(round))},
               {"newTime", sim::format_world_time(s.new_time(round))}};
  return m;
}

struct ReplayTiming {
  double second_advance_s = 0;
  double second_advance_cpu_s = 0;  // this process's, every thread
  std::uint64_t firings = 0, records = 0;
};

// `hourglass replay --out /dev/null` of the two advances, in-process: the
// time of the second one, from the end of the first to the end of the run.
ReplayTiming time_replay(const actors::CampaignSeed& campaign, const AdvanceSchedule& schedule) {
  runtime::Scenario scenario;
  scenario.name = "long-advance";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns.push_back(campaign);
  scenario.messages = {advance_message(campaign.id, schedule, 1), advance_message(campaign.id, schedule, 2)};
  std::FILE* null = std::fopen("/dev/null", "wb");
  if (!null) throw std::runtime_error("cannot open /dev/null");
  Clock::time_point first_done{};
  double cpu_at_first = 0;
  const auto process_cpu = [] { return process_cpu_seconds(::getpid()); };  // every thread's, the ended ones too
  runtime::ReplayOptions options;
  options.output = std::make_shared<actors::FileOutput>(null);
  options.progress = [&](std::size_t done, std::size_t) {
    if (done == 1) {
      first_done = Clock::now();
      cpu_at_first = process_cpu();
    }
  };
  const runtime::ReplayResult r = runtime::run_replay(scenario, options);
  const auto end = Clock::now();
  const double cpu = process_cpu() - cpu_at_first;
  std::fclose(null);
  return {seconds_between(first_done, end), cpu, r.stats.firings, r.stats.records};
}

// Redis's INFO stats total_net_input_bytes: what every client sent it.
std::uint64_t redis_input_bytes(io::RedisConnection& redis) {
  const std::string info = redis.info("stats");
  const std::string key = "total_net_input_bytes:";
  const auto at = info.find(key);
  return at == std::string::npos ? 0 : std::stoull(info.substr(at + key.size()));
}

}  // namespace

int run_long_advance(const LongAdvanceArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ServiceWorldShape shape;
  shape.campaigns = 1;
  shape.settlements = a.settlements;
  shape.structures_per_settlement = a.structures;
  const std::vector<actors::CampaignSeed> world = make_service_world(shape);
  const AdvanceSchedule schedule{shape.clock, static_cast<sim::Duration>(a.days) * 24 * 60 * sim::kMsPerMinute};
  std::printf("long-advance: 1 campaign x %d settlements x %d structures, one advance of %d days (after a warm-up one), "
              "records published: %s\n",
              a.settlements, a.structures, a.days, a.publish_records ? "on" : "off");

  const ReplayTiming replay = time_replay(world.front(), schedule);
  std::printf("  replay       %.3f s for the second advance, records to /dev/null (%llu firings, %llu records in both); "
              "%.2f CPU s\n",
              replay.second_advance_s, (unsigned long long)replay.firings, (unsigned long long)replay.records,
              replay.second_advance_cpu_s);

  ExpectedWrites expected = expected_writes(world, schedule, 2, 1);
  const std::uint32_t writes = expected.writes.front().at(1);
  std::printf("  expected     %u API writes for the second advance (offline replay, coalesced, %.1f s)\n", writes,
              expected.seconds);

  std::vector<std::string> ids{world.front().id};
  AdvanceTracker tracker(ids, schedule, std::move(expected));
  ServiceUnderTest s;
  s.api.keep_history(false);
  s.api.on_write([&tracker](const service::testing::FakeCampaignApi::WriteStamp& w) { tracker.on_write(w); });
  s.api.start();
  seed_fake_api(s.api, world);
  s.start(a.gateway_concurrency, a.publish_records);
  auto redis = io::RedisConnection::connect(s.redis.endpoint(), 2000ms);
  AdvancePublisher publisher(redis, tracker, ids, schedule);
  const auto warm = Clock::now();
  publisher.publish_round(1);
  if (!tracker.wait_all_complete(std::chrono::milliseconds(a.timeout * 1000))) {
    std::fprintf(stderr, "long-advance: the warm-up advance did not complete: %s\n", tracker.incomplete(1).front().c_str());
    return 1;
  }
  std::printf("  warm-up      %.3f s (bootstrap from the API included)\n", seconds_between(warm, Clock::now()));

  // What the offline phases above freed is the bench's, not the service's:
  // given back first (tcmalloc would keep it, and the peak with it).
  runtime::release_free_memory();
  reset_peak_rss();
  const double redis_cpu_before = process_cpu_seconds(s.redis.pid());
  const std::uint64_t redis_in_before = redis_input_bytes(redis);
  const auto threads_before = cpu_seconds_by_thread_name();
  publisher.publish(0, 2);
  if (!tracker.wait_all_complete(std::chrono::milliseconds(a.timeout * 1000))) {
    std::fprintf(stderr, "long-advance: the measured advance did not complete: %s\n", tracker.incomplete(1).front().c_str());
    return 1;
  }
  const std::uint64_t redis_in = redis_input_bytes(redis) - redis_in_before;
  const CpuSplit cpu =
      split_cpu(threads_before, cpu_seconds_by_thread_name(), process_cpu_seconds(s.redis.pid()) - redis_cpu_before);
  const AdvanceTracker::Advance measured = tracker.advances(2, 2).front();
  const double service_s = seconds_between(*measured.published, *measured.last_write);
  const double peak_mib = peak_rss_bytes() / 1048576.0;
  const auto [dead_input, dead_gateway] = s.dead_letters();
  const std::uint64_t unexpected = tracker.unexpected_writes();
  // Absent (-1) until a first record is counted.
  const double unpublished = std::max(0.0, metric_value(s.app->status_port(), "hourglass_records_unpublished_total"));
  s.stop();  // the record feed publishes what it holds before the service ends
  const std::uint64_t redis_in_at_stop = redis_input_bytes(redis) - redis_in_before;
  std::printf("  service      %.3f s from publish to the last of %u API writes (the first at %.3f s)\n", service_s,
              measured.seen, seconds_between(*measured.published, *measured.first_write));
  std::printf("  ratio        %.2f x the replay (target <= 2)\n", service_s / replay.second_advance_s);
  std::printf("  peak RSS     %.1f MiB during the measured advance (hourglass serve, with the fake API in the same process)\n",
              peak_mib);
  std::printf("  CPU          %.2f s: CAF workers %.2f, record feed %.2f, other detached actors %.2f, fake API %.2f, "
              "other %.2f, redis-server %.2f\n",
              cpu.total(), cpu.caf_workers, cpu.record_feed, cpu.detached, cpu.fake_api, cpu.other, cpu.redis_server);
  std::printf("  Redis in     %.1f MB received by redis-server by the last API write, %.1f MB by the service's stop "
              "(the record feed, the commits)\n",
              redis_in / 1e6, redis_in_at_stop / 1e6);
  std::printf("  unpublished  %.0f records in both advances, the feed backed up: never made JSON or dropped "
              "(hourglass_records_unpublished_total; the replay made %llu)\n",
              unpublished, (unsigned long long)replay.records);
  std::printf("  unexpected writes %llu, dead letters: input %zu, gateway %zu\n", (unsigned long long)unexpected,
              dead_input, dead_gateway);
  return s.exit_code == 0 && unexpected == 0 && dead_input + dead_gateway == 0 ? 0 : 1;
}

}  // namespace hourglass::bench
