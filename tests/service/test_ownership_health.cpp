// /health's ownership component and /ready's answer (runtime/service/
// ownership_health): what one instance holds, how its lease rounds go, and
// when it is ready (docs/operations.md, Health and metrics).
#include <catch2/catch.hpp>

#include "runtime/service/ownership_health.hpp"
#include "runtime/service/status_server.hpp"

using namespace hourglass::service;
using hourglass::io::LeaseRound;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = OwnershipHealth::Clock;

namespace {

LeaseRound answered(std::vector<std::uint32_t> held, std::size_t members = 1, std::size_t handing_off = 0) {
  LeaseRound r;
  r.answered = true;
  r.held = std::move(held);
  r.live_members = members;
  r.handing_off = handing_off;
  return r;
}

LeaseRound failed(std::vector<std::uint32_t> held) {
  LeaseRound r;
  r.answered = false;
  r.error = "redis: connect 127.0.0.1:1: Connection refused";
  r.held = std::move(held);
  return r;
}

}  // namespace

TEST_CASE("ownership: partitions held are shown as compact ranges", "[service][status][ownership]") {
  CHECK(compact_ranges({}) == "");
  CHECK(compact_ranges({4}) == "4");
  CHECK(compact_ranges({0, 1, 2, 3, 7, 9, 10}) == "0-3,7,9-10");
  CHECK(compact_ranges({5, 6}) == "5-6");
}

TEST_CASE("ownership: ready once a lease round was answered and the inputs started, not while stopping",
          "[service][status][ownership][readiness]") {
  const auto t0 = Clock::now();
  OwnershipHealth o("host-12-abcdef", 64);
  auto r = o.readiness(t0);
  CHECK(r["ready"] == false);
  CHECK(r["why"].get<std::string>().find("first lease round") != std::string::npos);

  o.round(answered({}, 2), t0);
  r = o.readiness(t0);
  CHECK(r["ready"] == false);
  CHECK(r["why"].get<std::string>().find("inputs") != std::string::npos);

  // Started, holding nothing next to another member: ready (it can take
  // partitions as they come free; a rollout waits for this to go on).
  o.started();
  r = o.readiness(t0);
  CHECK(r["ready"] == true);
  CHECK(r["owned"] == 0);
  CHECK(r["members"] == 2);
  CHECK(r["instance"] == "host-12-abcdef");

  // Redis away: the round fails; not ready until one is answered again.
  o.round(failed({1, 2}), t0 + seconds(1));
  CHECK(o.readiness(t0 + seconds(1))["ready"] == false);
  CHECK(o.readiness(t0 + seconds(1))["why"].get<std::string>().find("lease round") != std::string::npos);
  o.round(answered({1, 2}, 2), t0 + seconds(2));
  CHECK(o.readiness(t0 + seconds(2))["ready"] == true);

  // SIGTERM: not ready for good, whatever the rounds say.
  o.stopping();
  o.round(answered({1}, 2, 1), t0 + seconds(3));
  r = o.readiness(t0 + seconds(3));
  CHECK(r["ready"] == false);
  CHECK(r["why"].get<std::string>().find("stopping") != std::string::npos);
}

TEST_CASE("ownership: the component counts rounds, moves and fenced refusals, degraded while rounds fail",
          "[service][status][ownership]") {
  const auto t0 = Clock::now();
  OwnershipHealth o("host-12-abcdef", 8);
  o.started();
  o.round(answered({0, 1, 2, 3, 5}, 3, 1), t0);
  o.moved("acquired");
  o.moved("acquired");
  o.moved("handed_over");
  o.set_fenced(4);
  auto j = o.to_json(t0 + milliseconds(1500));
  CHECK(j["status"] == "ok");
  CHECK(j["instance"] == "host-12-abcdef");
  CHECK(j["partitions"] == 8);
  CHECK(j["owned"] == 5);
  CHECK(j["owned_list"] == "0-3,5");
  CHECK(j["members"] == 3);
  CHECK(j["handoffs_in_progress"] == 1);
  CHECK(j["takeovers"] == 2);
  CHECK(j["handed_over"] == 1);
  CHECK(j["fenced_refusals"] == 4);
  CHECK(j["renewals"]["ok"] == 1);
  CHECK(j["renewals"]["failed"] == 0);
  CHECK(j["renewals"]["last_ok_age_s"] == Approx(1.5));
  CHECK(j["ready"] == true);
  CHECK_FALSE(o.renewals_failing());

  o.round(failed({0, 1, 2, 3, 5}), t0 + seconds(2));
  o.round(failed({0, 1, 2, 3, 5}), t0 + seconds(3));
  j = o.to_json(t0 + seconds(4));
  CHECK(j["status"] == "degraded");
  CHECK(j["renewals"]["failed"] == 2);
  CHECK(j["renewals"]["last_ok_age_s"] == Approx(4.0));
  CHECK(j["renewals"]["failing_for_s"] == Approx(2.0));
  CHECK(j["renewals"]["error"].get<std::string>().find("Connection refused") != std::string::npos);
  CHECK(o.renewals_failing());

  o.round(answered({0, 1}, 3), t0 + seconds(5));
  j = o.to_json(t0 + seconds(5));
  CHECK(j["status"] == "ok");
  CHECK(j["renewals"]["ok"] == 2);
  CHECK_FALSE(j["renewals"].contains("failing_for_s"));
}

TEST_CASE("health: failing lease rounds degrade the service and its ownership component is shown",
          "[service][status][ownership]") {
  const auto t0 = HealthState::Clock::now();
  HealthState h(seconds(30), t0);
  h.set_redis_connected(true, t0);
  auto o = std::make_shared<OwnershipHealth>("host-12-abcdef", 4);
  h.set_ownership(o);
  o->round(answered({0, 1, 2, 3}), t0);
  CHECK(h.status(t0) == HealthStatus::healthy);
  CHECK(h.to_json(t0)["components"]["ownership"]["owned"] == 4);
  o->round(failed({0, 1, 2, 3}), t0 + seconds(1));
  CHECK(h.status(t0 + seconds(1)) == HealthStatus::degraded);
  CHECK(h.to_json(t0 + seconds(1))["components"]["ownership"]["status"] == "degraded");
}
