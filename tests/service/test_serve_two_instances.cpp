// Two real `hourglass serve` on one redis-server and one HTTP fake of the
// campaign API, the pub/sub input (both hear every message):
//   - both running: each write is applied once, the deferred effect runs
//     once and no event is expired twice (the fake counts the expireEvent
//     calls that reach an event), the first instance owning every partition,
//     the second none;
//   - the owner of c1 is frozen (SIGSTOP) in the middle of a long advance;
//     after the lease ttl the other takes c1's partition over, claims c1 and
//     commits its next advance; the frozen one is woken (SIGCONT): its next
//     commit is refused by the fence (nothing written), it drops c1 and says
//     so in its log;
//   - the API ends as after the same story told to one instance;
// and partitions that move (docs/operations.md, Several instances):
//   - a rolling update: a second instance started, the owner SIGTERMed
//     with advances in flight and one published just after: it hands every
//     partition over and exits; the other takes them all, resyncs c1 to the
//     API's world time (the advance nobody took), nothing fenced, each write
//     once, the same API as one instance's;
//   - a killed owner's committed writes that its gateway could not send
//     (the API down) are sent by the instance that takes its partitions
//     over, without a restart; its partitions move within the lease ttl and
//     a second of the kill;
//   - a rebalance: the owner of every partition hands half of them over to
//     a newcomer, a few at a time, while advances keep coming; a campaign
//     in a moved partition goes on at the newcomer, each write once.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"
#include "tests/service/support/status_scrape.hpp"

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
constexpr sim::WorldTime kDay = 24 * kHour;
constexpr sim::WorldTime kYear = 365 * kDay;
constexpr sim::WorldTime kLong = kT0 + 40 * kYear;  // the long advance's end
constexpr sim::WorldTime kEnd = kLong + kDay;       // the story's
constexpr auto kBound = 120s;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

class World {
 public:
  explicit World(const std::string& name)
      : dir_(fs::temp_directory_path() / ("hourglass-two-" + name + "-" + std::to_string(::getpid()))) {
    api_.start();
    api_.add_campaign("c1", kT0);
    api_.add_kingdom("c1", "k1");
    for (const char* s : {"s1", "s2"})
      api_.add_settlement("k1", {{"id", s}, {"name", s}, {"level", 1}, {"createdAt", iso(kT0)},
                                 {"variables", {{"population", 800}, {"resources", {{"food", 40}, {"gold", 10}}}}}});
    api_.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + 20 * kYear)}, {"isCompleted", false}});
    // Expires in every story below (each passes its tenth day).
    api_.add_event("c1", {{"id", "e2"}, {"scheduledAt", iso(kT0 + 10 * kDay)}, {"isCompleted", false}});
    fs::create_directories(dir_);
  }
  ~World() {
    for (auto& s : serves_) s->kill_and_wait();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ServeProcess& start_instance(const std::string& name) {
    const std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},
                                                 {"API_URL", api_.url()},
                                                 {"API_TOKEN", "secret-token"},
                                                 {"PORT", std::to_string(RedisServer::free_port())},
                                                 {"HOURGLASS_INPUT", "channels"},
                                                 {"HOURGLASS_LEASE_TTL_MS", "3000"},
                                                 {"LOG_LEVEL", "info"},
                                                 {"LOG_FORMAT", "text"}};
    ports_.push_back(std::stoi(env.at("PORT")));
    serves_.push_back(std::make_unique<ServeProcess>(HOURGLASS_BINARY, env, (dir_ / (name + ".log")).string()));
    serves_.back()->start();
    return *serves_.back();
  }
  int port(std::size_t i) const { return ports_.at(i); }

  io::RedisConnection redis() { return io::RedisConnection::connect(redis_.endpoint(), 2000ms); }
  FakeCampaignApi& api() { return api_; }

  void publish(const std::string& channel, const json& payload) { redis().publish(channel, payload.dump()); }
  void advance(sim::WorldTime from, sim::WorldTime to) {
    publish("campaign.c1.worldTimeAdvanced", {{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}});
  }
  // As the API does it: its clock moves, then it announces.
  void api_advance(sim::WorldTime from, sim::WorldTime to, const std::string& cid = "c1") {
    api_.set_world_time(cid, to);
    publish("campaign." + cid + ".worldTimeAdvanced",
            {{"campaignId", cid}, {"previousTime", iso(from)}, {"newTime", iso(to)}});
  }
  // Another campaign: one settlement, `<cid>-s`.
  void add_campaign(const std::string& cid) {
    api_.add_campaign(cid, kT0);
    api_.add_kingdom(cid, cid + "-k");
    api_.add_settlement(cid + "-k", {{"id", cid + "-s"}, {"name", cid}, {"level", 1}, {"createdAt", iso(kT0)},
                                     {"variables", {{"population", 800}, {"resources", {{"food", 40}, {"gold", 10}}}}}});
  }
  sim::WorldTime clock_of(const std::string& cid) {
    const auto text = redis().get("hourglass:{" + cid + "}:checkpoint");
    if (!text) return 0;
    return sim::parse_world_time(json::parse(*text)["campaign"]["currentWorldTime"].get<std::string>()).value_or(0);
  }
  // A deferred effect, created in the API and announced with its entity.
  void create_effect(const std::string& id, sim::WorldTime at) {
    api_.apply_entity_change("c1", "Effect", "CREATE", {{"id", id}, {"executeAt", iso(at)}});
    publish("campaign.c1.entityModified", {{"campaignId", "c1"},
                                           {"entityType", "Effect"},
                                           {"entityId", id},
                                           {"operation", "CREATE"},
                                           {"entity", {{"id", id}, {"executeAt", iso(at)}}}});
  }

  sim::WorldTime checkpoint_clock() { return clock_of("c1"); }
  std::optional<std::string> lease_owner() {
    return redis().hget(io::partition_lease_key(io::partition_of("c1", 64)), "owner");
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

  // The first part of the story: the effect, then a day (it runs at 02:00).
  void first_day() {
    create_effect("fx1", kT0 + 2 * kHour);
    advance(kT0, kT0 + kDay);
  }
  bool settled(sim::WorldTime clock) {
    return wait_for([&] { return checkpoint_clock() == clock && redis().xlen("hourglass:{c1}:outbox") == 0; });
  }

  // The engine's values in the API (markers left out: their seq count commits).
  json outcome() {
    json out;
    for (const char* s : {"s1", "s2"}) {
      json v = api_.settlement(s)["variables"];
      v.erase("hourglass");
      out[s] = {{"level", api_.settlement(s)["level"]}, {"variables", v}};
    }
    out["e1"] = api_.event("e1")["isCompleted"];
    out["e2"] = api_.event("e2")["isCompleted"];
    out["fx1"] = api_.effect_executions("fx1");
    return out;
  }

 private:
  fs::path dir_;
  RedisServer redis_;
  FakeCampaignApi api_{"secret-token"};
  std::vector<std::unique_ptr<ServeProcess>> serves_;
  std::vector<int> ports_;
};

std::string metrics(int port) { return service::testing::scrape_metrics(port); }
double metric(const std::string& text, const std::string& name) {
  return service::testing::unlabelled_metric(text, name);
}

// `serve` subscribed (its log says so) and heartbeats as a member.
bool ready(World& w, ServeProcess& serve, std::size_t members) {
  return w.wait_for([&] { return serve.log_tail(20000).find("redis: subscribed") != std::string::npos &&
                                 w.members() >= members; },
                    20s);
}

// The API after the first day and then one advance to `end`, told to one
// instance (the stories below split it into more advances: the same result).
json told_to_one_instance(const std::string& name, sim::WorldTime end) {
  World w(name);
  REQUIRE(ready(w, w.start_instance("solo"), 1));
  w.first_day();
  REQUIRE(w.settled(kT0 + kDay));
  w.api_advance(kT0 + kDay, end);
  REQUIRE(w.settled(end));
  return w.outcome();
}

}  // namespace

TEST_CASE("serve: two instances on one Redis - each write once, and a frozen owner's late commit is fenced",
          "[service][serve][partitions][process]") {
  json one_instance;
  {
    World w("one");
    REQUIRE(ready(w, w.start_instance("solo"), 1));
    w.first_day();
    REQUIRE(w.settled(kT0 + kDay));
    w.advance(kT0 + kDay, kLong);
    REQUIRE(w.settled(kLong));
    w.advance(kLong, kEnd);
    REQUIRE(w.settled(kEnd));
    one_instance = w.outcome();
    CHECK(w.api().keys_applied_more_than_once().empty());
  }

  World w("two");
  ServeProcess& a = w.start_instance("a");
  REQUIRE(ready(w, a, 1));
  const auto a_id = w.lease_owner();
  REQUIRE(a_id);
  ServeProcess& b = w.start_instance("b");
  REQUIRE(ready(w, b, 2));

  // Both running, both hearing every message: the effect runs once, each write once.
  w.first_day();
  REQUIRE(w.settled(kT0 + kDay));
  CHECK(w.api().effect_executions("fx1") == 1);
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.lease_owner() == a_id);

  // a, the owner, frozen a few years into a long advance.
  w.advance(kT0 + kDay, kLong);
  REQUIRE(w.wait_for([&] { return w.checkpoint_clock() >= kT0 + 3 * kYear; }));
  a.signal(SIGSTOP);
  const sim::WorldTime frozen_at = w.checkpoint_clock();
  INFO("a frozen with c1's checkpoint at " << iso(frozen_at));
  REQUIRE(frozen_at < kLong);

  // b takes the partition over once a's lease has expired, and c1 with its
  // next message (from the checkpoint a left).
  REQUIRE(w.wait_for([&] { return w.lease_owner() && w.lease_owner() != a_id; }, 30s));
  const auto b_token = w.redis().hget(io::partition_lease_key(io::partition_of("c1", 64)), "token");
  // As the API does it, its clock first: the lease can show b in Redis a
  // moment before b's registry takes the partition's messages, and a
  // pub/sub message heard in that moment is not b's; b's takeover resync
  // then reads the API's clock (docs/operations.md, Several instances).
  // With the clock left behind, that moment lost the advance (seen once,
  // under load: b never reached kEnd).
  w.api_advance(kLong, kEnd);
  // Committed by b. (The writes a had committed and not sent yet stay in
  // c1's outbox until a wakes: its gateway sends them, and the markers make
  // the older ones give way to b's.)
  REQUIRE(w.wait_for([&] { return w.checkpoint_clock() == kEnd; }));
  CHECK(w.redis().get("hourglass:{c1}:fence") == b_token);

  // a wakes up in the middle of its advance: its next commit is fenced.
  a.signal(SIGCONT);
  REQUIRE(w.wait_for([&] { return a.log_tail(20000).find("campaign c1 dropped: another instance owns it now") !=
                                  std::string::npos; },
                     30s));
  INFO(a.log_tail(4000));
  CHECK(metrics(w.port(0)).find("hourglass_fenced_refusals_total 1") != std::string::npos);
  // Its long advance of c1 ended with the campaign: not shown as running
  // for ever (the report comes every 5 s).
  CHECK(w.wait_for([&] { return metrics(w.port(0)).find("hourglass_long_advances 0") != std::string::npos; }, 20s));
  // Nothing of a's written: c1's checkpoint is still at b's end, never back
  // at a's frozen years, and its fence never went back to a's token. (Not
  // "b's checkpoint, byte for byte, under b's token": once a is a member
  // again, the rebalance may hand it partitions legitimately, with a new
  // token; a lease of b's that expired under load moves the same way.)
  CHECK(w.checkpoint_clock() == kEnd);
  const auto fence_now = w.redis().get("hourglass:{c1}:fence");
  REQUIRE(fence_now);
  REQUIRE(b_token);
  CHECK(std::stoull(*fence_now) >= std::stoull(*b_token));
  REQUIRE(w.settled(kEnd));
  CHECK(w.api().effect_executions("fx1") == 1);
  // No event expired twice: each expiry reached the API once (a second
  // call would be refused as already completed, and counted here).
  CHECK(w.api().event_expiry_calls("e1") == 1);
  CHECK(w.api().event_expiry_calls("e2") == 1);
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.outcome() == one_instance);
  CHECK(b.running());
  CHECK(a.running());
}

TEST_CASE("serve: a rolling update - the owner SIGTERMed under advances hands every partition over: nothing fenced, "
          "lost or doubled",
          "[service][serve][partitions][handoff][process]") {
  constexpr sim::WorldTime kFinal = kT0 + 21 * kYear;  // past the event
  const json one_instance = told_to_one_instance("roll-one", kFinal);

  World w("roll");
  ServeProcess& a = w.start_instance("a");
  REQUIRE(ready(w, a, 1));
  w.first_day();
  REQUIRE(w.settled(kT0 + kDay));
  ServeProcess& b = w.start_instance("b");  // the new version: idle, a holds every partition
  REQUIRE(ready(w, b, 2));
  CHECK(metric(metrics(w.port(1)), "hourglass_owned_partitions") == 0);

  // Advances a day each, published at once: several are in flight or
  // waiting in a when it is told to stop.
  sim::WorldTime t = kT0 + kDay;
  for (int i = 0; i < 10; ++i, t += kDay) w.api_advance(t, t + kDay);
  a.signal(SIGTERM);
  // Published while a hands over: taken by neither instance's intake, caught
  // up by the resync of the instance that takes c1's partition over.
  w.api_advance(t, kFinal);

  const auto code = a.wait_exit(60s);
  INFO(a.log_tail(3000));
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(a.log_tail(200000).find("fenced") == std::string::npos);
  CHECK(a.log_tail(200000).find("handed over)") != std::string::npos);  // the keeper's log
  REQUIRE(w.wait_for([&] { return metric(metrics(w.port(1)), "hourglass_owned_partitions") == 64; }, 30s));
  REQUIRE(w.settled(kFinal));
  INFO(b.log_tail(3000));
  CHECK(metric(metrics(w.port(1)), "hourglass_fenced_refusals_total") <= 0);  // never counted
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.api().effect_executions("fx1") == 1);
  CHECK(w.api().event_expiry_calls("e1") == 1);  // no event expired twice
  CHECK(w.api().event_expiry_calls("e2") == 1);
  CHECK(w.outcome() == one_instance);
  CHECK(b.running());
}

TEST_CASE("serve: a killed owner's committed writes that it could not send are sent by the instance taking over",
          "[service][serve][partitions][handoff][process]") {
  constexpr sim::WorldTime kMonth = kT0 + 30 * kDay;
  const json one_instance = told_to_one_instance("sent-one", kMonth);

  World w("sent");
  ServeProcess& a = w.start_instance("a");
  REQUIRE(ready(w, a, 1));
  const auto a_id = w.lease_owner();
  w.first_day();
  REQUIRE(w.settled(kT0 + kDay));
  ServeProcess& b = w.start_instance("b");
  REQUIRE(ready(w, b, 2));

  // The API goes away: a commits the month and cannot send its writes.
  w.api().set_down(true);
  w.api_advance(kT0 + kDay, kMonth);
  REQUIRE(w.wait_for([&] { return w.checkpoint_clock() == kMonth; }));
  REQUIRE(w.redis().xlen("hourglass:{c1}:outbox") > 0);
  const auto killed = std::chrono::steady_clock::now();
  a.kill_and_wait();

  // b takes the partitions over (a's lease: a previous life on this host, at
  // once; else after the ttl), within the ttl (3 s) and a second of the
  // kill, and sends what a committed once the API is back.
  REQUIRE(w.wait_for([&] { return w.lease_owner() && w.lease_owner() != a_id; }, 30s));
  const auto moved = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  INFO("c1's partition moved " << moved.count() << " ms after the kill");
  CHECK(moved <= 3000ms + 1000ms);
  w.api().set_down(false);
  INFO(b.log_tail(3000));
  REQUIRE(w.settled(kMonth));
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.api().effect_executions("fx1") == 1);
  CHECK(w.api().event_expiry_calls("e2") == 1);  // no event expired twice
  CHECK(w.outcome() == one_instance);
  CHECK(metric(metrics(w.port(1)), "hourglass_fenced_refusals_total") <= 0);
}

TEST_CASE("serve: a newcomer gets half the partitions, handed over gracefully while advances keep coming",
          "[service][serve][partitions][handoff][rebalance][process]") {
  constexpr sim::WorldTime kFinal = kT0 + 2 * kYear;
  const json one_instance = told_to_one_instance("rebalance-one", kFinal);
  const std::string moved = "c7";  // partition 63: among those handed over first
  REQUIRE(io::partition_of(moved, 64) == 63);

  World w("rebalance");
  w.add_campaign(moved);
  ServeProcess& a = w.start_instance("a");
  REQUIRE(ready(w, a, 1));
  w.first_day();
  w.api_advance(kT0, kT0 + kDay, moved);
  REQUIRE(w.settled(kT0 + kDay));
  REQUIRE(w.wait_for([&] { return w.clock_of(moved) == kT0 + kDay; }));
  const auto a_id = w.lease_owner();

  ServeProcess& b = w.start_instance("b");
  REQUIRE(ready(w, b, 2));
  // Advances of the campaign that moves keep coming, a day each (the
  // producer's pace), until each instance holds half.
  sim::WorldTime t = kT0 + kDay;
  const auto half = [&](int port) { return metric(metrics(port), "hourglass_owned_partitions") == 32; };
  REQUIRE(w.wait_for([&] {
    w.api_advance(t, t + kDay, moved);
    t += kDay;
    std::this_thread::sleep_for(100ms);  // the producer's pace
    return half(w.port(0)) && half(w.port(1));
  }, 60s));
  const auto moves = [&](int port) { return metric(metrics(port), "hourglass_partition_moves_total{how=\"handed_over\"}"); };
  const double handed = moves(w.port(0));
  CHECK(handed == 32);
  REQUIRE(w.wait_for([&] { return w.redis().hget(io::partition_lease_key(63), "owner") != a_id; }, 10s));

  // Both campaigns go on: c1 at a, the moved one at b.
  w.api_advance(t, kFinal, moved);
  w.api_advance(kT0 + kDay, kFinal);
  REQUIRE(w.settled(kFinal));
  REQUIRE(w.wait_for([&] {
    return w.clock_of(moved) == kFinal && w.redis().xlen("hourglass:{" + moved + "}:outbox") == 0;
  }));
  CHECK(w.lease_owner() == a_id);  // c1's partition (25) stayed
  CHECK(half(w.port(0)));
  CHECK(half(w.port(1)));
  CHECK(moves(w.port(0)) == handed);
  CHECK(metric(metrics(w.port(0)), "hourglass_fenced_refusals_total") <= 0);
  CHECK(metric(metrics(w.port(1)), "hourglass_fenced_refusals_total") <= 0);
  CHECK(w.api().keys_applied_more_than_once().empty());
  CHECK(w.api().effect_executions("fx1") == 1);
  CHECK(w.api().event_expiry_calls("e2") == 1);  // no event expired twice
  CHECK(w.outcome() == one_instance);
  CHECK(a.running());
  CHECK(b.running());
}
