// Long advances through the campaign session (support/registry_rig: the
// service's actors, a real redis-server, the HTTP fake of the API): committed
// span by span, so that what a crash or a stop loses is a span, not the
// advance; a stop asked in the middle leaves the advance where its last span
// was committed, and taking the message again finishes it with the API ending
// exactly as after an advance never cut.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::FakeCampaignApi;
using service::testing::RegistryRig;
using service::testing::RegistryRigOptions;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kDay = 86'400'000;
constexpr auto kBound = 60s;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// c1: two settlements that grow and produce, an event due on day 300.
void seed(FakeCampaignApi& api) {
  api.add_campaign("c1", kT0);
  api.add_kingdom("c1", "k1");
  for (const char* s : {"s1", "s2"})
    api.add_settlement("k1", {{"id", s}, {"name", s}, {"level", 1}, {"createdAt", iso(kT0)},
                              {"variables", {{"population", 800}, {"resources", {{"food", 40}, {"gold", 10}}}}}});
  api.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + 300 * kDay)}, {"isCompleted", false}});
}

struct Rig : RegistryRig {
  explicit Rig(RegistryRigOptions o) : RegistryRig(o) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    seed(api);
  }
  bool settle() { return RegistryRig::settle(kBound); }
  // The engine's values in the API (the markers' seq differ with the number
  // of commits, so they are left out; an absent carry is a carry of 0: a
  // span may write the 0 a carry came back to, the whole advance, which
  // never saw it change, does not).
  json outcome() {
    json out;
    for (const char* s : {"s1", "s2"}) {
      json v = api.settlement(s)["variables"];
      v.erase("hourglass");
      if (!v.contains("carry")) v["carry"] = 0;
      out[s] = {{"level", api.settlement(s)["level"]}, {"variables", v}};
    }
    out["e1"] = api.event("e1")["isCompleted"];
    return out;
  }
  sim::WorldTime checkpoint_clock() {
    const json cp = checkpoint("c1");
    return cp.is_null() ? 0 : sim::parse_world_time(cp["campaign"]["currentWorldTime"].get<std::string>()).value_or(0);
  }
};

}  // namespace

TEST_CASE("session: a long advance is committed span by span and ends as one advance",
          "[service][session][long-advance]") {
  json whole;
  std::size_t whole_writes = 0;
  {
    Rig rig(RegistryRigOptions{});  // commit_span 0: one commit
    REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 400 * kDay)}, kBound));
    REQUIRE(rig.settle());
    whole = rig.outcome();
    whole_writes = rig.api.writes_applied();
    CHECK(rig.checkpoint("c1")["input"]["messages"] == 2);  // its load, the advance
  }
  REQUIRE(whole["e1"] == true);
  RegistryRigOptions o;
  o.commit_span = 30 * kDay;
  Rig rig(o);
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 400 * kDay)}, kBound));
  REQUIRE(rig.settle());
  CHECK(rig.outcome() == whole);
  CHECK(rig.dead_letter_reasons().empty());
  // 14 spans of at most 30 days: 14 commits after the load's.
  CHECK(rig.checkpoint("c1")["input"]["messages"] == 15);
  // At most one write per entity per span (2 settlements, and the event
  // once), besides the two anchors written at the bootstrap.
  CHECK(rig.api.writes_applied() <= 14 * 2 + 1 + 2);
  CHECK(rig.api.writes_applied() > whole_writes);
}

TEST_CASE("session: a stop in a long advance commits its last span, taking it again finishes it",
          "[service][session][long-advance]") {
  json whole;
  {
    Rig rig(RegistryRigOptions{});
    REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 400 * kDay)}, kBound));
    REQUIRE(rig.settle());
    whole = rig.outcome();
  }
  auto draining = std::make_shared<std::atomic<bool>>(false);
  RegistryRigOptions o;
  o.commit_span = 2 * kDay;  // 200 spans: the stop lands in the middle
  o.draining = draining;
  Rig rig(o);
  rig.route({RegistryRig::advance("c1", kT0, kT0 + 400 * kDay)});
  // Once the first spans are committed, the service stops.
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  while (rig.checkpoint_clock() < kT0 + 4 * kDay) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // polling Redis with a deadline
  }
  draining->store(true);
  REQUIRE(rig.drain(kBound));  // answered at the next span's commit, not at the advance's end
  const sim::WorldTime stopped_at = rig.checkpoint_clock();
  CHECK(stopped_at < kT0 + 400 * kDay);
  CHECK(rig.dead_letter_reasons().empty());
  // The stream gives the unacknowledged entry again at the next start.
  draining->store(false);
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 400 * kDay)}, kBound));
  REQUIRE(rig.settle());
  CHECK(rig.checkpoint_clock() == kT0 + 400 * kDay);
  CHECK(rig.outcome() == whole);
  CHECK(rig.dead_letter_reasons().empty());
}
