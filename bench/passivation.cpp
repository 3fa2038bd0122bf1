// passivation: what `hourglass serve` keeps in memory per campaign, with its
// campaigns active and passivated (HOURGLASS_PASSIVATE_AFTER), and how long a
// passivated campaign takes to come back. All on loopback: a real
// redis-server, the fake campaign API in this process (seeded as the service
// benchmark's world), the service a child process with the pub/sub input.
//
// Two runs on the same world, each with a fresh Redis and API:
//   active      HOURGLASS_PASSIVATE_AFTER=3600s (passivation effectively off)
//   passivated  HOURGLASS_PASSIVATE_AFTER=--passivate-after (1s)
// In each: the service started, /health 200, its VmRSS with zero campaigns
// (the baseline); one 1-hour advance per campaign (the API's clock first,
// then campaign.<id>.worldTimeAdvanced), waited for in every checkpoint and
// every outbox; in the passivating run, then until its hourglass_campaigns
// gauge is 0. Then VmRSS and VmHWM. The bytes per campaign are
// (VmRSS - baseline) / campaigns.
// Reactivation (passivating run): an advance published to a passivated
// campaign, timed until its checkpoint's clock is the new time (its first
// bytes polled), one campaign at a time.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "bench/bench_commands.hpp"
#include "bench/hourglass_binary.hpp"
#include "bench/serve_probe.hpp"
#include "bench/service_world.hpp"
#include "io/redis_connection.hpp"
#include "sim/time.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"

namespace hourglass::bench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = ProbeClock;
using service::testing::FakeCampaignApi;
using service::testing::RedisServer;
using service::testing::ServeProcess;

constexpr sim::WorldTime kHour = 60 * sim::kMsPerMinute;

struct Memory {
  long rss_kb = -1, hwm_kb = -1, anon_kb = -1, file_kb = -1;
  static Memory of(int pid) {
    return {proc_status_kb(pid, "VmRSS"), proc_status_kb(pid, "VmHWM"), proc_status_kb(pid, "RssAnon"),
            proc_status_kb(pid, "RssFile")};
  }
};

// A counter the service has not exported yet (nothing counted) reads -1.
std::string count(double v) { return v < 0 ? std::string("0 (not exported yet)") : std::to_string(static_cast<long long>(v)); }

struct RunFigures {
  Memory baseline, loaded;
  double bootstrap_s = 0, passivate_wait_s = 0;
  double campaigns_gauge = -1, passivations = -1;
  std::vector<double> reactivation_ms;
};

// One life of the service on a fresh Redis and API seeded with `world`.
class Run {
 public:
  Run(const PassivationArgs& a, const std::vector<actors::CampaignSeed>& world, sim::WorldTime clock,
      std::string binary, std::string passivate_after, bool passivating, const fs::path& log)
      : a_(a), clock_(clock), passivating_(passivating) {
    for (const auto& c : world) ids_.push_back(c.id);
    api_.keep_history(false);
    api_.start();
    seed_fake_api(api_, world);
    log_path_ = log.string();
    port_ = RedisServer::free_port();
    std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},
                                           {"API_URL", api_.url()},
                                           {"API_TOKEN", api_.token()},
                                           {"PORT", std::to_string(port_)},
                                           {"HOURGLASS_INPUT", "channels"},
                                           {"HOURGLASS_PASSIVATE_AFTER", passivate_after},
                                           {"LOG_LEVEL", "warn"}};
    serve_ = std::make_unique<ServeProcess>(std::move(binary), env, log_path_);
    conn_.emplace(io::RedisConnection::connect(redis_.endpoint(), 5000ms));
  }
  ~Run() {
    if (serve_) serve_->kill_and_wait();
    api_.stop();
  }

  // Empty when it completed; else the phase that did not.
  std::string go(RunFigures& f) {
    serve_->start();
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    while (health_status(port_) != 200) {
      if (!serve_->running() || Clock::now() > deadline) return "the start (/health 200)";
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(1s);  // settled: its threads started, its first allocations made
    f.baseline = Memory::of(serve_->pid());

    auto t = Clock::now();
    if (!advance_all()) return "the first advance of every campaign";
    if (!wait_outboxes_empty()) return "the first advance's writes";
    f.bootstrap_s = seconds_since(t);

    if (passivating_) {
      t = Clock::now();
      while ((f.campaigns_gauge = metric_value(port_, "hourglass_campaigns")) != 0) {
        if (!serve_->running() || Clock::now() > deadline + std::chrono::seconds(a_.timeout))
          return "passivating every campaign (hourglass_campaigns " + std::to_string(f.campaigns_gauge) + ")";
        std::this_thread::sleep_for(100ms);
      }
      f.passivate_wait_s = seconds_since(t);
      std::this_thread::sleep_for(1s);  // what passivation frees, freed
    } else {
      std::this_thread::sleep_for(1s);
      f.campaigns_gauge = metric_value(port_, "hourglass_campaigns");
    }
    f.passivations = metric_value(port_, "hourglass_passivations_total");
    f.loaded = Memory::of(serve_->pid());

    if (passivating_)
      for (int i = 0; i < a_.reactivations; ++i) {
        // Spread over the world; each one passivated (the gauge 0) before it.
        const std::string& id = ids_[(static_cast<std::size_t>(i) * 7919) % ids_.size()];
        const auto until = Clock::now() + std::chrono::seconds(a_.timeout);  // passivate_after may be long
        while (metric_value(port_, "hourglass_campaigns") != 0) {
          if (Clock::now() > until) return "passivating again before reactivation " + std::to_string(i + 1);
          std::this_thread::sleep_for(20ms);
        }
        const auto ms = reactivate(id);
        if (!ms) return "reactivating " + id;
        f.reactivation_ms.push_back(*ms);
      }
    return "";
  }

  std::string log_tail() const { return serve_->log_tail(); }

 private:
  void publish_advance(const std::string& id, sim::WorldTime from, sim::WorldTime to, bool until_received) {
    api_.advance_world_time(id, to);
    const std::string payload = nlohmann::json{{"campaignId", id},
                                               {"previousTime", sim::format_world_time(from)},
                                               {"newTime", sim::format_world_time(to)}}
                                    .dump();
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    while (conn_->publish("campaign." + id + ".worldTimeAdvanced", payload) == 0) {
      if (!until_received || Clock::now() > deadline) throw std::runtime_error("nobody received an advance of " + id);
      std::this_thread::sleep_for(10ms);  // not subscribed yet (pub/sub drops what nobody receives)
    }
  }

  bool advance_all() {
    const sim::WorldTime from = clock_, to = clock_ + kHour;
    for (std::size_t i = 0; i < ids_.size(); ++i) publish_advance(ids_[i], from, to, i == 0);
    clock_ = to;
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    std::vector<std::string> left = ids_;
    while (!(left = not_at(*conn_, left, clock_)).empty()) {
      if (Clock::now() > deadline || !serve_->running()) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  bool wait_outboxes_empty() {
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    for (;;) {
      const auto lengths = outbox_lengths(*conn_, ids_);
      if (std::all_of(lengths.begin(), lengths.end(), [](std::size_t n) { return n == 0; })) return true;
      if (Clock::now() > deadline || !serve_->running()) return false;
      std::this_thread::sleep_for(50ms);
    }
  }

  // Milliseconds from the publish of a 1-hour advance to `id`'s checkpoint
  // holding its new time; none on timeout. The campaigns' clocks part here:
  // each campaign's own is kept.
  std::optional<double> reactivate(const std::string& id) {
    const sim::WorldTime from = clocks_.count(id) ? clocks_[id] : clock_, to = from + kHour;
    const auto t = Clock::now();
    publish_advance(id, from, to, false);
    const auto deadline = t + 30s;
    while (read_checkpoint_clock(*conn_, id) != to) {
      if (Clock::now() > deadline || !serve_->running()) return std::nullopt;
      std::this_thread::sleep_for(200us);
    }
    clocks_[id] = to;
    return seconds_since(t) * 1000;
  }

  const PassivationArgs& a_;
  std::vector<std::string> ids_;
  sim::WorldTime clock_;
  std::map<std::string, sim::WorldTime> clocks_;
  bool passivating_;
  RedisServer redis_;
  FakeCampaignApi api_{"bench-token"};
  std::unique_ptr<ServeProcess> serve_;
  std::optional<io::RedisConnection> conn_;
  std::string log_path_;
  int port_ = 0;
};

double per_campaign_bytes(const Memory& m, const Memory& base, int campaigns) {
  return (static_cast<double>(m.rss_kb) - static_cast<double>(base.rss_kb)) * 1024.0 / campaigns;
}

void print_memory(const char* label, const RunFigures& f, int campaigns) {
  std::printf("  %-11s VmRSS %.1f MiB (zero campaigns %.1f MiB: %.0f bytes per campaign), VmHWM %.1f MiB, "
              "RssAnon %.1f MiB, RssFile %.1f MiB\n",
              label, f.loaded.rss_kb / 1024.0, f.baseline.rss_kb / 1024.0,
              per_campaign_bytes(f.loaded, f.baseline, campaigns), f.loaded.hwm_kb / 1024.0, f.loaded.anon_kb / 1024.0,
              f.loaded.file_kb / 1024.0);
}

}  // namespace

int run_passivation(const PassivationArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    ServiceWorldShape shape;
    shape.campaigns = a.campaigns;
    shape.settlements = a.settlements;
    shape.structures_per_settlement = a.structures;
    const auto world = make_service_world(shape);
    const int entities = a.settlements * (1 + a.structures);
    const std::string binary = hourglass_binary(a.hourglass);
    const fs::path work = fs::temp_directory_path() / ("hourglass-bench-passivation-" + std::to_string(::getpid()));
    fs::create_directories(work);
    std::printf("passivation: %d campaigns x %d entities (%d settlements x (1 + %d structures)); passivating run "
                "HOURGLASS_PASSIVATE_AFTER=%s\n",
                a.campaigns, entities, a.settlements, a.structures, a.passivate_after.c_str());
    std::printf("  hourglass   %s (logs in %s)\n", binary.c_str(), work.c_str());

    RunFigures active, passive;
    {
      Run r(a, world, shape.clock, binary, "3600s", false, work / "serve-active.log");
      if (auto failed = r.go(active); !failed.empty()) {
        std::fprintf(stderr, "passivation: active run: %s did not complete; the service's log ends:\n%s\n",
                     failed.c_str(), r.log_tail().c_str());
        return 1;
      }
    }
    std::printf("  active      every campaign bootstrapped, checkpointed and written in %.1f s; hourglass_campaigns "
                "%.0f, hourglass_passivations_total %s\n",
                active.bootstrap_s, active.campaigns_gauge, count(active.passivations).c_str());
    print_memory("active", active, a.campaigns);
    {
      Run r(a, world, shape.clock, binary, a.passivate_after, true, work / "serve-passivating.log");
      if (auto failed = r.go(passive); !failed.empty()) {
        std::fprintf(stderr, "passivation: passivating run: %s did not complete; the service's log ends:\n%s\n",
                     failed.c_str(), r.log_tail().c_str());
        return 1;
      }
    }
    std::printf("  passivated  every campaign bootstrapped, checkpointed and written in %.1f s; hourglass_campaigns 0 "
                "%.1f s after that; hourglass_passivations_total %s\n",
                passive.bootstrap_s, passive.passivate_wait_s, count(passive.passivations).c_str());
    print_memory("passivated", passive, a.campaigns);
    auto sorted = passive.reactivation_ms;
    std::sort(sorted.begin(), sorted.end());
    std::string each;
    for (double ms : passive.reactivation_ms) each += " " + std::to_string(ms).substr(0, std::to_string(ms).find('.') + 2);
    if (!sorted.empty())
      std::printf("  reactivate  publish to checkpoint at the new time: median %.1f ms, max %.1f ms over %zu passivated "
                  "campaign(s) (ms:%s)\n",
                  sorted[sorted.size() / 2], sorted.back(), sorted.size(), each.c_str());
    std::printf("  summary     campaigns %d, entities per campaign %d, RSS active %.1f MiB, RSS passivated %.1f MiB, "
                "bytes per campaign active %.0f, passivated %.0f, reactivation median %.1f ms\n",
                a.campaigns, entities, active.loaded.rss_kb / 1024.0, passive.loaded.rss_kb / 1024.0,
                per_campaign_bytes(active.loaded, active.baseline, a.campaigns),
                per_campaign_bytes(passive.loaded, passive.baseline, a.campaigns),
                sorted.empty() ? 0.0 : sorted[sorted.size() / 2]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "passivation: %s\n", e.what());
    return 2;
  }
}

}  // namespace hourglass::bench
