// recovery: how long `hourglass serve` takes to come back after a SIGKILL
// with many campaigns, all on loopback: a real redis-server (AOF,
// appendfsync always), the fake campaign API in this process (seeded as the
// service benchmark's world), the service a child process with the pub/sub
// input (HOURGLASS_INPUT=channels).
//
//   1. One 1-hour advance per campaign (the API's clock moved first, then
//      campaign.<id>.worldTimeAdvanced published, SPEC payload): each
//      campaign bootstraps from the API and commits its first checkpoint.
//      Waits until every checkpoint holds the new time and every outbox is
//      empty.
//   2. The API goes down (every request 503: the gateway keeps the writes,
//      they stay in the outboxes). Rounds of 1-hour advances until every
//      campaign's outbox holds at least --outbox committed writes, each
//      round waited for in the checkpoints.
//   3. SIGKILL. The API comes up again and its world time moves on by
//      --downtime-days for every campaign (as if the game went on while
//      Hourglass was down), so the resync at start must simulate that time.
//   4. Start again, and time from the start: /health answering (and 200);
//      every write that was in an outbox at the kill done (those entries
//      gone from the outboxes); every campaign resumed from its checkpoint
//      and resynced (its checkpoint's campaign.currentWorldTime is the
//      API's); every outbox empty after that (the resync's writes done
//      too). Then the service's resident memory (VmRSS, VmHWM).
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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
constexpr sim::WorldTime kDay = 24 * kHour;

// The service's own count of committed writes not yet done (its
// hourglass_outbox_backlog gauge); -1 when it cannot be read.
double outbox_backlog_gauge(int port) { return metric_value(port, "hourglass_outbox_backlog"); }

class Recovery {
 public:
  explicit Recovery(const RecoveryArgs& a) : a_(a) {}

  int run() {
    ServiceWorldShape shape;
    shape.campaigns = a_.campaigns;
    shape.settlements = a_.settlements;
    shape.structures_per_settlement = a_.structures;
    const auto world = make_service_world(shape);
    for (const auto& c : world) ids_.push_back(c.id);
    clock_ = shape.clock;
    api_.keep_history(false);
    api_.on_write([this](const FakeCampaignApi::WriteStamp& w) {
      if (!restarted_) return;
      if (w.world_time && *w.world_time <= kill_clock_)
        ++recovered_applied_;
      else
        ++resync_applied_;
    });
    api_.start();
    seed_fake_api(api_, world);
    const fs::path work = fs::temp_directory_path() / ("hourglass-bench-recovery-" + std::to_string(::getpid()));
    fs::create_directories(work);
    log_path_ = (work / "serve.log").string();
    port_ = RedisServer::free_port();
    std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},       {"API_URL", api_.url()},
                                           {"API_TOKEN", api_.token()},       {"PORT", std::to_string(port_)},
                                           {"HOURGLASS_INPUT", "channels"},   {"LOG_LEVEL", "info"}};
    serve_ = std::make_unique<ServeProcess>(binary_, env, log_path_);
    conn_.emplace(io::RedisConnection::connect(redis_.endpoint(), 5000ms));
    std::printf("recovery: %d campaigns x %d settlements x %d structures, >= %d committed writes per campaign waiting "
                "at the kill, %d day(s) of world time passed while down\n",
                a_.campaigns, a_.settlements, a_.structures, a_.outbox, a_.downtime_days);
    std::printf("  hourglass  %s (log %s)\n", binary_.c_str(), log_path_.c_str());

    // 1. Every campaign known, with a checkpoint.
    serve_->start();
    auto t = Clock::now();
    if (!advance_all(true)) return fail("the first advance");
    if (!wait_outboxes_empty()) return fail("the first advance's writes");
    std::printf("  bootstrap  %zu campaigns bootstrapped, checkpointed and written in %.1f s (%zu API writes)\n",
                ids_.size(), seconds_since(t), api_.writes_applied());

    // 2. Committed writes waiting in the outboxes.
    api_.set_down(true);
    t = Clock::now();
    int rounds = 0;
    std::vector<std::size_t> lengths = outbox_lengths(*conn_, ids_);
    while (a_.outbox > 0 && *std::min_element(lengths.begin(), lengths.end()) < static_cast<std::size_t>(a_.outbox)) {
      if (rounds >= 10 * a_.outbox + 10) return fail("filling the outboxes (an advance commits no write?)");
      if (!advance_all(false)) return fail("an advance while the API is down");
      ++rounds;
      lengths = outbox_lengths(*conn_, ids_);
    }
    std::size_t waiting = 0;
    for (auto n : lengths) waiting += n;
    const auto [min_len, max_len] = std::minmax_element(lengths.begin(), lengths.end());
    std::printf("  API down   %d round(s) of 1-hour advances committed in %.1f s: %zu writes waiting in the outboxes "
                "(%zu to %zu per campaign)\n",
                rounds, seconds_since(t), waiting, *min_len, *max_len);
    // The last entry of each outbox now: recovered once it is gone (entries
    // leave an outbox in any order; each at or before it is checked).
    std::vector<std::vector<std::string>> cmds;
    for (const auto& id : ids_) cmds.push_back({"XREVRANGE", outbox_key(id), "+", "-", "COUNT", "1"});
    const auto last = pipeline(*conn_, cmds);
    for (std::size_t i = 0; i < ids_.size(); ++i)
      last_entry_.push_back(last[i]->type == REDIS_REPLY_ARRAY && last[i]->elements > 0
                                ? std::string(last[i]->element[0]->element[0]->str, last[i]->element[0]->element[0]->len)
                                : std::string());

    // 3. Killed; the API back and its clock moved on.
    const std::string rss_before = proc_status_field(serve_->pid(), "VmRSS");
    std::printf("  memory     service VmRSS %s before the kill\n", rss_before.c_str());
    serve_->kill_and_wait();
    const std::size_t at_kill = total(outbox_lengths(*conn_, ids_));
    if (at_kill != waiting) std::printf("  (outboxes changed before the kill took effect: %zu writes at the kill)\n", at_kill);
    kill_clock_ = clock_;
    api_.set_down(false);
    clock_ += a_.downtime_days * kDay;
    for (const auto& id : ids_) api_.advance_world_time(id, clock_);
    const std::size_t writes_before = api_.writes_applied();
    restarted_ = true;

    // 4. Started again, and timed.
    const auto start = Clock::now();
    serve_->start();
    const pid_t pid = serve_->pid();
    std::optional<double> health_any, health_ok, recovered, resynced, drained;
    std::vector<std::string> not_resynced = ids_;
    std::vector<std::size_t> not_recovered_index;  // campaigns with entries at the kill still in their outbox
    for (std::size_t i = 0; i < ids_.size(); ++i)
      if (!last_entry_[i].empty()) not_recovered_index.push_back(i);
    const auto deadline = start + std::chrono::seconds(a_.timeout);
    Stall drain_stall;
    while (!(health_ok && recovered && resynced && drained)) {
      if (!serve_->running()) return fail("recovery (the service exited)");
      if (Clock::now() > deadline) {
        auto at = [](const std::optional<double>& t) { return t ? std::to_string(*t) + " s" : std::string("never"); };
        std::string which;
        for (std::size_t i = 0; i < not_resynced.size() && i < 10; ++i) which += " " + not_resynced[i];
        std::printf("  timed out after %d s: /health 200 %s; the writes waiting at the kill done %s (%zu campaign(s) "
                    "not); resynced: %zu campaign(s) not:%s\n",
                    a_.timeout, at(health_ok).c_str(), at(recovered).c_str(), not_recovered_index.size(),
                    not_resynced.size(), which.c_str());
        return fail("recovery");
      }
      if (!health_ok) {
        const int status = health_status(port_);
        if (status != 0 && !health_any) health_any = seconds_since(start);
        if (status == 200) health_ok = seconds_since(start);
        if (!health_any) {
          std::this_thread::sleep_for(2ms);
          continue;
        }
      }
      if (!recovered) {
        // Entries at or before the last at the kill still in the outboxes.
        std::vector<std::vector<std::string>> c;
        for (auto i : not_recovered_index) c.push_back({"XRANGE", outbox_key(ids_[i]), "-", last_entry_[i], "COUNT", "1"});
        const auto replies = pipeline(*conn_, c);
        std::vector<std::size_t> still;
        for (std::size_t k = 0; k < replies.size(); ++k)
          if (replies[k]->type == REDIS_REPLY_ARRAY && replies[k]->elements > 0)
            still.push_back(not_recovered_index[k]);
        not_recovered_index = std::move(still);
        if (not_recovered_index.empty()) recovered = seconds_since(start);
      }
      if (!resynced) {
        not_resynced = not_at(*conn_, not_resynced, clock_);
        if (not_resynced.empty()) resynced = seconds_since(start);
      }
      if (resynced && !drained) {
        const std::size_t left = total(outbox_lengths(*conn_, ids_));
        if (left == 0) drained = seconds_since(start);
        if (left > 0 && drain_stall.orphaned(left, port_)) {
          report_orphans();
          break;
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    const std::string rss = proc_status_field(pid, "VmRSS"), hwm = proc_status_field(pid, "VmHWM");
    const std::size_t doubled = api_.keys_applied_more_than_once().size();
    const std::size_t dead = conn_->xlen("hourglass:deadletter") + conn_->xlen("hourglass:gateway:deadletter");
    std::printf("  restart    %zu writes were waiting; the API's clock %d day(s) past every checkpoint\n", at_kill,
                a_.downtime_days);
    std::printf("  /health    answering after %.3f s, 200 after %.3f s\n", *health_any, *health_ok);
    std::printf("  recovered  the %zu writes waiting at the kill done after %.3f s (%zu applied with their world "
                "time, by the fake's stamps)\n",
                at_kill, *recovered, recovered_applied_.load());
    std::printf("  resynced   every campaign resumed from its checkpoint and at the API's time after %.3f s\n",
                *resynced);
    if (drained)
      std::printf("  drained    every outbox empty (the resync's writes done too) after %.3f s; %zu API writes since "
                  "the restart (%zu of the resync)\n",
                  *drained, api_.writes_applied() - writes_before, resync_applied_.load());
    else
      std::printf("  drained    NOT: orphaned entries stay (above); %zu API writes since the restart (%zu of the "
                  "resync)\n",
                  api_.writes_applied() - writes_before, resync_applied_.load());
    std::printf("  memory     service VmRSS %s, VmHWM %s (after recovery)\n", rss.c_str(), hwm.c_str());
    std::printf("  checks     %zu write(s) applied more than once, %zu dead letter(s)\n", doubled, dead);
    serve_->kill_and_wait();
    api_.stop();
    return doubled == 0 && dead == 0 && orphans_ == 0 ? 0 : 1;
  }

  void set_binary(std::string b) { binary_ = std::move(b); }

 private:
  static std::size_t total(const std::vector<std::size_t>& v) {
    std::size_t n = 0;
    for (auto x : v) n += x;
    return n;
  }

  int fail(const std::string& phase) {
    std::fprintf(stderr, "recovery: %s did not complete within %d s; the service's log ends:\n%s\n", phase.c_str(),
                 a_.timeout, serve_ ? serve_->log_tail().c_str() : "");
    return 1;
  }

  // One 1-hour advance for every campaign, as the API does it (its clock
  // first, then the message); waits until every checkpoint holds the new
  // time. `first`: the service may not have subscribed yet (pub/sub drops
  // what nobody receives): the first message is published until received.
  bool advance_all(bool first) {
    const sim::WorldTime from = clock_, to = clock_ + kHour;
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      api_.advance_world_time(ids_[i], to);
      const std::string payload = nlohmann::json{{"campaignId", ids_[i]},
                                                 {"previousTime", sim::format_world_time(from)},
                                                 {"newTime", sim::format_world_time(to)}}
                                      .dump();
      const std::string channel = "campaign." + ids_[i] + ".worldTimeAdvanced";
      while (conn_->publish(channel, payload) == 0) {
        if (!first || i > 0 || Clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);  // not subscribed yet
      }
    }
    clock_ = to;
    std::vector<std::string> left = ids_;
    while (!(left = not_at(*conn_, left, clock_)).empty()) {
      if (Clock::now() > deadline || !serve_->running()) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  bool wait_outboxes_empty() {
    const auto deadline = Clock::now() + std::chrono::seconds(a_.timeout);
    Stall stall;
    for (std::size_t left; (left = total(outbox_lengths(*conn_, ids_))) > 0;) {
      if (Clock::now() > deadline || !serve_->running()) return false;
      if (stall.orphaned(left, port_)) {
        report_orphans();
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  // Entries that stay in the outboxes while the service says it has nothing
  // left to write (its hourglass_outbox_backlog is 0) for 20 s: it has lost
  // track of them (they go out again at the next start).
  struct Stall {
    std::size_t last = 0;
    Clock::time_point since = Clock::now();
    bool orphaned(std::size_t left, int port) {
      if (left != last) {
        last = left;
        since = Clock::now();
        return false;
      }
      return Clock::now() - since > 20s && outbox_backlog_gauge(port) == 0;
    }
  };

  void report_orphans() {
    const auto lengths = outbox_lengths(*conn_, ids_);
    std::size_t n = 0;
    std::string where;
    for (std::size_t i = 0; i < ids_.size(); ++i)
      if (lengths[i] > 0) {
        n += lengths[i];
        where += " " + ids_[i] + ":" + std::to_string(lengths[i]);
      }
    orphans_ += n;
    std::printf("  DEFECT     %zu outbox entries stay while the service's outbox backlog is 0 (orphaned; sent again at "
                "the next start):%s\n",
                n, where.c_str());
  }

  const RecoveryArgs& a_;
  std::string binary_;
  std::vector<std::string> ids_;
  sim::WorldTime clock_ = 0;
  sim::WorldTime kill_clock_ = 0;
  RedisServer redis_{"", {"--appendonly", "yes", "--appendfsync", "always"}};
  FakeCampaignApi api_{"bench-token"};
  std::unique_ptr<ServeProcess> serve_;
  std::optional<io::RedisConnection> conn_;
  std::string log_path_;
  int port_ = 0;
  std::vector<std::string> last_entry_;
  std::size_t orphans_ = 0;  // outbox entries the service lost track of
  std::atomic<bool> restarted_{false};
  std::atomic<std::size_t> recovered_applied_{0}, resync_applied_{0};
};

}  // namespace

int run_recovery(const RecoveryArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    Recovery r(a);
    r.set_binary(hourglass_binary(a.hourglass));
    return r.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recovery: %s\n", e.what());
    return 2;
  }
}

}  // namespace hourglass::bench
