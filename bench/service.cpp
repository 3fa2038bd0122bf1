// service: `hourglass serve` in-process against a real redis-server and the
// fake campaign API on loopback (the integration tests' fixtures), with N
// campaigns of settlements and structures. After a warm-up round (the first
// advance of each campaign bootstraps it from the API; not counted), 1-hour
// advances are published round-robin at a rate, or as fast as the service
// completes them, for some seconds; then it waits until every advance's last
// API write has landed (known exactly: see expected_writes.hpp) and prints
// throughput and publish -> last-write latency. docs/PERFORMANCE.md has the
// figures.
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <tuple>

#include "bench/advance_publisher.hpp"
#include "bench/advance_tracker.hpp"
#include "bench/bench_commands.hpp"
#include "bench/bench_world.hpp"
#include "bench/expected_writes.hpp"
#include "bench/process_stats.hpp"
#include "bench/service_figures.hpp"
#include "bench/service_under_test.hpp"
#include "bench/service_world.hpp"

namespace hourglass::bench {
namespace {

using namespace std::chrono_literals;
using Clock = AdvanceTracker::Clock;

// Rounds prepared for rate 0 (closed loop): enough for this many advances/s
// over the whole run. A faster service runs out of rounds before the time
// is up: the run then stops early and says so (its figures stay valid, over
// a shorter run; --rounds prepares more). Preparing costs an offline replay
// of every round, hence no larger default.
constexpr double kClosedLoopCeiling = 500;
// An advance that has not completed while nothing else completed for this
// long is lost (a dead letter, or a bug): the run fails.
constexpr auto kStall = 60s;

int rounds_to_prepare(const ServiceArgs& a) {
  if (a.rounds > 0) return a.rounds;
  const double rate = a.rate > 0 ? a.rate : kClosedLoopCeiling;
  return 1 + static_cast<int>(std::ceil(rate * a.seconds / a.campaigns));
}

int fail(ServiceUnderTest& s, AdvanceTracker& tracker, const char* phase) {
  const auto [input, gateway] = s.dead_letters();
  std::fprintf(stderr, "service: %s: advances stopped completing for %lld s (%llu of %llu complete)\n", phase,
               static_cast<long long>(kStall.count()), (unsigned long long)tracker.completed_count(),
               (unsigned long long)tracker.published_count());
  for (const auto& line : tracker.incomplete(10)) std::fprintf(stderr, "  incomplete: %s\n", line.c_str());
  std::fprintf(stderr, "  unexpected writes %llu; dead letters: input %zu, gateway %zu\n",
               (unsigned long long)tracker.unexpected_writes(), input, gateway);
  return 1;
}

}  // namespace

int run_service(const ServiceArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come, also into a file
  ServiceWorldShape shape;
  shape.campaigns = a.campaigns;
  shape.settlements = a.settlements;
  shape.structures_per_settlement = a.structures;
  const std::vector<actors::CampaignSeed> world = make_service_world(shape);
  std::vector<std::string> ids;
  for (const auto& c : world) ids.push_back(c.id);
  const AdvanceSchedule schedule{shape.clock, 60 * sim::kMsPerMinute};
  const int rounds = rounds_to_prepare(a);

  std::printf("service: %d campaigns x %d settlements x %d structures, 1-hour advances, %s, %.0f s\n", a.campaigns,
              a.settlements, a.structures,
              a.rate > 0 ? (std::to_string(static_cast<long long>(a.rate)) + " advances/s").c_str()
                         : "as fast as possible (one advance in flight per campaign)",
              a.seconds);
  ExpectedWrites expected = expected_writes(world, schedule, rounds);
  std::uint64_t expected_total = 0;
  for (const auto& per_campaign : expected.writes)
    for (auto n : per_campaign) expected_total += n;
  std::printf("  prepared     %d rounds (1 warm-up): %llu records -> %llu API writes, by offline replay in %.1f s\n",
              rounds, (unsigned long long)expected.records, (unsigned long long)expected_total, expected.seconds);

  AdvanceTracker tracker(ids, schedule, std::move(expected));
  reset_peak_rss();  // the peak below is the service's (and the fake API's), not the offline replay's
  ServiceUnderTest s;
  s.api.keep_history(false);
  s.api.on_write([&tracker](const service::testing::FakeCampaignApi::WriteStamp& w) { tracker.on_write(w); });
  s.api.start();
  seed_fake_api(s.api, world);
  RunFigures f;
  f.rss_before_service_mib = current_rss_bytes() / 1048576.0;
  s.start(a.gateway_concurrency);
  std::printf("  service      status and metrics on http://127.0.0.1:%d/ (/health, /metrics)\n", s.app->status_port());
  auto redis = io::RedisConnection::connect(s.redis.endpoint(), 2000ms);
  AdvancePublisher publisher(redis, tracker, ids, schedule);

  // Warm-up: the first message of each campaign bootstraps it from the API.
  const auto warm_start = Clock::now();
  publisher.publish_round(1);
  if (!tracker.wait_all_complete(kStall)) return fail(s, tracker, "warm-up");
  std::printf("  warm-up      %zu advances (bootstraps included), %zu writes, %.1f s\n", ids.size(),
              s.api.writes_applied(), std::chrono::duration<double>(Clock::now() - warm_start).count());

  f.load_before = load_average();
  const std::size_t requests_before = s.api.requests(), writes_before = s.api.writes_applied();
  const double redis_cpu_before = process_cpu_seconds(s.redis.pid());
  const auto threads_before = cpu_seconds_by_thread_name();
  PublishPlan plan;
  plan.rate = a.rate;
  plan.duration = std::chrono::duration<double>(a.seconds);
  plan.first_round = 2;
  plan.last_round = rounds;
  f.published = publisher.run(plan);
  if (!tracker.wait_all_complete(kStall)) return fail(s, tracker, "measured run");
  f.cpu = split_cpu(threads_before, cpu_seconds_by_thread_name(), process_cpu_seconds(s.redis.pid()) - redis_cpu_before);
  f.requests = s.api.requests() - requests_before;
  f.writes = s.api.writes_applied() - writes_before;
  f.load_after = load_average();
  std::tie(f.dead_letters_input, f.dead_letters_gateway) = s.dead_letters();
  f.unexpected_writes = tracker.unexpected_writes();
  s.stop();
  f.peak_rss_mib = peak_rss_bytes() / 1048576.0;
  measure_advances(tracker, 2, rounds, f);
  print_figures(f);
  const bool clean = s.exit_code == 0 && f.unexpected_writes == 0 && f.dead_letters_input + f.dead_letters_gateway == 0;
  return clean ? 0 : 1;
}

}  // namespace hourglass::bench
