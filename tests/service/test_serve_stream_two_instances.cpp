// Two real `hourglass serve` with HOURGLASS_INPUT=stream on one redis-server
// and one HTTP fake of the campaign API (docs/operations.md, The stream
// input): a producer XADDs every campaign's messages to hourglass:inbox as
// for one instance; the router moves them to the partition streams, and
// each instance reads those of the partitions it owns.
//   - both running, campaigns in both instances' partitions: each campaign's
//     messages applied in order (a settlement's growth rate changed between
//     advances: applied out of order, the populations differ), every write
//     once, the deferred effect once;
//   - then the instance that holds the router lease and half the partitions
//     is killed (kill -9) mid-stream: the other takes the router lease and
//     its partitions (their pending entries claimed) and the API ends as
//     the same story told to one instance;
//   - a rolling update: the instance holding everything SIGTERMed while
//     entries keep coming hands the partitions and the router over to the
//     new one: nothing fenced, lost or doubled.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "io/stream_router.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::FakeCampaignApi;
using service::testing::RedisServer;
using service::testing::ServeProcess;
namespace fs = std::filesystem;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr sim::WorldTime kStep = 2 * kHour;
constexpr int kSteps = 16;  // advances per campaign
constexpr auto kBound = 120s;
constexpr std::uint32_t kPartitions = 64;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// Two campaigns in the low partitions (the first instance keeps them) and
// two in the high ones (a rebalance hands the highest-numbered over first).
std::vector<std::string> campaigns() {
  std::vector<std::string> low, high;
  for (int i = 1; low.size() < 2 || high.size() < 2; ++i) {
    const std::string id = "c" + std::to_string(i);
    const std::uint32_t p = io::partition_of(id, kPartitions);
    if (p < 24 && low.size() < 2) low.push_back(id);
    if (p >= 40 && high.size() < 2) high.push_back(id);
  }
  return {low[0], high[0], low[1], high[1]};
}

class World {
 public:
  explicit World(const std::string& name)
      : dir_(fs::temp_directory_path() / ("hourglass-stream-two-" + name + "-" + std::to_string(::getpid()))),
        ids_(campaigns()) {
    api_.start();
    for (const std::string& cid : ids_) {
      api_.add_campaign(cid, kT0);
      api_.add_kingdom(cid, cid + "-k");
      api_.add_settlement(cid + "-k", {{"id", cid + "-s"}, {"name", cid}, {"level", 1}, {"createdAt", iso(kT0)},
                                       {"variables", {{"population", 800}, {"resources", {{"food", 40}, {"gold", 10}}}}}});
    }
    fs::create_directories(dir_);
  }
  ~World() {
    for (auto& s : serves_) s->kill_and_wait();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::vector<std::string>& ids() const { return ids_; }

  ServeProcess& start_instance(const std::string& name) {
    const std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},
                                                 {"API_URL", api_.url()},
                                                 {"API_TOKEN", "secret-token"},
                                                 {"PORT", std::to_string(RedisServer::free_port())},
                                                 {"HOURGLASS_INPUT", "stream"},
                                                 // Each its own: the previous owner's pending entries are
                                                 // another consumer's, taken over by claims alone.
                                                 {"HOURGLASS_STREAM_CONSUMER", name},
                                                 {"HOURGLASS_LEASE_TTL_MS", "3000"},
                                                 {"LOG_LEVEL", "info"},
                                                 {"LOG_FORMAT", "text"}};
    const char* binary = std::getenv("HG_TEST_SERVE_BINARY");  // another build's, to compare behaviours
    serves_.push_back(
        std::make_unique<ServeProcess>(binary ? binary : HOURGLASS_BINARY, env, (dir_ / (name + ".log")).string()));
    serves_.back()->start();
    return *serves_.back();
  }

  io::RedisConnection redis() { return io::RedisConnection::connect(redis_.endpoint(), 2000ms); }
  FakeCampaignApi& api() { return api_; }

  void add(const std::string& channel, const json& payload) {
    redis().xadd("hourglass:inbox", {{"channel", channel}, {"payload", payload.dump()}});
  }
  // Advances `from`..`to` (exclusive) of every campaign, interleaved; after
  // step 4, each campaign's settlement grows faster (an edit whose place
  // among the advances shows in the populations); the first campaign's
  // deferred effect before its first step.
  void tell(int from, int to) {
    for (int i = from; i < to; ++i) {
      for (const std::string& cid : ids_) {
        if (i == 0 && cid == ids_[0]) {
          const json fx{{"id", "fx1"}, {"executeAt", iso(kT0 + 3 * kHour)}};
          api_.apply_entity_change(cid, "Effect", "CREATE", fx);
          add("campaign." + cid + ".entityModified", {{"campaignId", cid}, {"entityType", "Effect"}, {"entityId", "fx1"},
                                                      {"operation", "CREATE"}, {"entity", fx}});
        }
        if (i == 4)
          add("campaign." + cid + ".entityModified",
              {{"campaignId", cid}, {"entityType", "Settlement"}, {"entityId", cid + "-s"}, {"operation", "UPDATE"},
               {"entity", {{"id", cid + "-s"}, {"variables", {{"populationGrowthRate", 0.05}}}}}});
        add("campaign." + cid + ".worldTimeAdvanced", {{"campaignId", cid},
                                                       {"previousTime", iso(kT0 + i * kStep)},
                                                       {"newTime", iso(kT0 + (i + 1) * kStep)}});
      }
    }
  }

  sim::WorldTime clock_of(const std::string& cid) {
    const auto text = redis().get("hourglass:{" + cid + "}:checkpoint");
    if (!text) return 0;
    return sim::parse_world_time(json::parse(*text)["campaign"]["currentWorldTime"].get<std::string>()).value_or(0);
  }
  std::optional<std::string> owner_of(const std::string& cid) {
    return redis().hget(io::partition_lease_key(io::partition_of(cid, kPartitions)), "owner");
  }
  std::size_t members() {
    return static_cast<std::size_t>(redis().exec_transaction({{"ZCARD", "hourglass:members"}}).at(0).integer);
  }

  template <class Done>
  bool wait_for(Done done, std::chrono::milliseconds bound = kBound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);  // polling Redis and the fake with a deadline
    }
    return true;
  }
  // Every campaign committed up to step `steps` and its writes sent.
  bool settled(int steps, std::chrono::milliseconds bound = kBound) {
    return wait_for(
        [&] {
          for (const std::string& cid : ids_)
            if (clock_of(cid) != kT0 + steps * kStep || redis().xlen("hourglass:{" + cid + "}:outbox") != 0)
              return false;
          return true;
        },
        bound);
  }

  // The engine's values in the API (markers left out: their seq count commits).
  json outcome() {
    json out;
    for (const std::string& cid : ids_) {
      json v = api_.settlement(cid + "-s")["variables"];
      v.erase("hourglass");
      out[cid] = {{"level", api_.settlement(cid + "-s")["level"]}, {"variables", v}};
    }
    out["fx1"] = api_.effect_executions("fx1");
    return out;
  }

 private:
  fs::path dir_;
  std::vector<std::string> ids_;
  RedisServer redis_;
  FakeCampaignApi api_{"secret-token"};
  std::vector<std::unique_ptr<ServeProcess>> serves_;
};

// `serve` reads its stream input (its log says so) and heartbeats as a member.
bool ready(World& w, ServeProcess& serve, std::size_t members) {
  return w.wait_for([&] { return serve.log_tail(20000).find("redis: reading") != std::string::npos &&
                                 w.members() >= members; },
                    20s);
}

// The whole story told to one instance: the API it leaves.
json told_to_one_instance() {
  World w("one");
  REQUIRE(ready(w, w.start_instance("solo"), 1));
  w.tell(0, kSteps);
  REQUIRE(w.settled(kSteps));
  CHECK(w.api().keys_applied_more_than_once().empty());
  return w.outcome();
}

// Nothing left behind: every entry routed, and acknowledged where it went.
void check_nothing_pending(World& w) {
  auto r = w.redis();
  CHECK(r.xpending_count("hourglass:inbox", "hourglass-router") == 0);
  for (const std::string& cid : w.ids())
    CHECK(r.xpending_count(io::partition_stream_key("hourglass:inbox", io::partition_of(cid, kPartitions)),
                           "hourglass") == 0);
}

}  // namespace

TEST_CASE("serve --input stream: two instances keep each campaign's order, write once, and survive a kill -9",
          "[service][serve][partitions][stream][process]") {
  const json one_instance = told_to_one_instance();
  CHECK(one_instance["fx1"] == 1);

  World w("two");
  ServeProcess& a = w.start_instance("a");  // the router: it holds the router lease first
  REQUIRE(ready(w, a, 1));
  ServeProcess& b = w.start_instance("b");
  REQUIRE(ready(w, b, 2));
  // The rebalance gives b the high partitions: the campaigns are split.
  REQUIRE(w.wait_for([&] {
    std::set<std::string> owners;
    for (const std::string& cid : w.ids()) {
      const auto o = w.owner_of(cid);
      if (!o) return false;
      owners.insert(*o);
    }
    return owners.size() == 2;
  }, 30s));
  INFO("campaigns " << json(w.ids()).dump());

  w.tell(0, kSteps / 2);
  REQUIRE(w.settled(kSteps / 2));
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.api().effect_executions("fx1") == 1);

  // Mid-stream, the router and half the partitions die with a.
  w.tell(kSteps / 2, kSteps * 3 / 4);
  REQUIRE(w.wait_for([&] { return w.clock_of(w.ids()[0]) > kT0 + (kSteps / 2) * kStep; }));
  a.kill_now();
  w.tell(kSteps * 3 / 4, kSteps);
  REQUIRE(w.settled(kSteps));
  INFO(b.log_tail(4000));
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.outcome() == one_instance);
  CHECK(b.running());
  check_nothing_pending(w);
}

TEST_CASE("serve --input stream: a rolling update - the instance holding every partition and the router SIGTERMed "
          "mid-stream hands them over, nothing fenced, lost or doubled",
          "[service][serve][partitions][handoff][stream][process]") {
  const json one_instance = told_to_one_instance();

  World w("roll");
  ServeProcess& a = w.start_instance("a");
  REQUIRE(ready(w, a, 1));
  w.tell(0, kSteps / 2);
  REQUIRE(w.settled(kSteps / 2));
  ServeProcess& b = w.start_instance("b");  // the new version
  REQUIRE(ready(w, b, 2));
  w.tell(kSteps / 2, kSteps * 3 / 4);
  a.signal(SIGTERM);
  w.tell(kSteps * 3 / 4, kSteps);  // while a hands over
  REQUIRE(a.wait_exit(60s) == std::optional<int>(0));
  REQUIRE(w.settled(kSteps));
  INFO(a.log_tail(4000));
  INFO(b.log_tail(4000));
  for (const std::string& cid : w.ids()) CHECK(w.owner_of(cid) == w.owner_of(w.ids()[0]));  // all b's
  CHECK(a.log_tail(200000).find("another instance owns it now") == std::string::npos);  // nothing fenced
  CHECK(b.log_tail(200000).find("another instance owns it now") == std::string::npos);
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.outcome() == one_instance);
  check_nothing_pending(w);
}
