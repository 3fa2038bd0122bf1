// Failure classes through the campaign session, against the HTTP fake of the
// campaign API and a real redis-server (support/registry_rig):
//   - transient failures of reads (the API answering 503, hanging past the
//     timeout, or a reply cut short) while a campaign is bootstrapped or an
//     entity is fetched are waited out: the message stays in flight, nothing
//     is dead-lettered, and once the API is back the API ends exactly as a
//     run that never saw the outage;
//   - Redis refusing one campaign's keys (WRONGTYPE) quarantines that
//     campaign, with the reason in the registry's status, while another
//     campaign goes on committing.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "io/redis_connection.hpp"
#include "tests/service/support/registry_rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::FakeCampaignApi;
using service::testing::RegistryRig;
using service::testing::RegistryRigOptions;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr sim::WorldTime kDay = 24 * kHour;
constexpr auto kBound = 30s;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// Campaign `c`: kingdom k-c, settlement s-c that grows and produces, event
// e-c due after 12 hours (an advance past it expires it).
void seed(FakeCampaignApi& api, const std::string& c) {
  api.add_campaign(c, kT0);
  api.add_kingdom(c, "k-" + c);
  api.add_settlement("k-" + c, {{"id", "s-" + c}, {"name", "Oakridge"}, {"level", 1}, {"createdAt", iso(kT0)},
                                {"variables", {{"population", 1000}, {"resources", {{"food", 50}, {"gold", 10}}}}}});
  api.add_event(c, {{"id", "e-" + c}, {"scheduledAt", iso(kT0 + 12 * kHour)}, {"isCompleted", false}});
}

struct Rig : RegistryRig {
  explicit Rig(RegistryRigOptions o = {}) : RegistryRig(o) {
    spdlog::set_level(std::getenv("HG_TEST_LOG") ? spdlog::level::debug : spdlog::level::off);
    seed(api, "c1");
  }

  bool settle() { return RegistryRig::settle(kBound); }

  // What the engine wrote: the settlement's level and variables, the event's
  // completion (occurredAt is the API's wall clock: left out).
  json outcome(const std::string& c) {
    json s = api.settlement("s-" + c);
    return {{"settlement", {{"level", s["level"]}, {"variables", s["variables"]}, {"version", s["version"]}}},
            {"event", api.event("e-" + c)["isCompleted"]}};
  }

  // Polls until the fake has seen `n` more requests than `from` (the
  // session is trying), within the bound.
  bool wait_for_requests(std::size_t from, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + kBound;
    while (api.requests() < from + n)
      if (std::chrono::steady_clock::now() > deadline) return false;
      else std::this_thread::sleep_for(5ms);  // polling a condition with a deadline
    return true;
  }
};

actors::Inbound update_of(const std::string& c, const std::string& settlement) {
  const std::string channel = "campaign." + c + ".entityModified";
  const json payload{{"campaignId", c}, {"entityType", "settlement"}, {"operation", "UPDATE"}, {"entityId", settlement}};
  return actors::Inbound{messages::EntityModified{c, messages::EntityKind::Settlement, messages::Operation::Update,
                                                  settlement, {}},
                         channel, payload.dump(), std::nullopt};
}

// The outcome of the story (an advance of three days, a user's edit of the
// settlement announced without the entity, another day) told with no fault.
json reference_outcome() {
  Rig rig;
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 3 * kDay)}));
  // The UPDATE fetches the settlement whole (engine fields included, SPEC
  // §6): it must find the first advance's writes done, in every run.
  REQUIRE(rig.settle());
  rig.api.edit_settlement_variables("s-c1", {{"motto", "steady"}});
  REQUIRE(rig.route_then_drain({update_of("c1", "s-c1"), RegistryRig::advance("c1", kT0 + 3 * kDay, kT0 + 4 * kDay)}));
  REQUIRE(rig.settle());
  REQUIRE(rig.dead_letter_reasons().empty());
  return rig.outcome("c1");
}

}  // namespace

TEST_CASE("session: an API outage at first contact delays the campaign, never loses its advance",
          "[service][session][failure]") {
  const json expected = reference_outcome();
  REQUIRE(expected["event"] == true);
  for (const std::string outage : {"503", "hang", "truncated"}) {
    DYNAMIC_SECTION("outage: " << outage) {
      Rig rig(RegistryRigOptions{5, nullptr, 500ms});
      const std::size_t before = rig.api.requests();
      if (outage == "503") rig.api.set_down(true);
      if (outage == "hang") rig.api.delay_next(3, 1500ms);  // past the 500 ms timeout
      if (outage == "truncated") rig.api.raw_reply_next(2, R"({"data":{"getCurrentWorldTime":"2025-01)");
      rig.route({RegistryRig::advance("c1", kT0, kT0 + 3 * kDay)});
      // The session tries, fails transiently, and tries again...
      REQUIRE(rig.wait_for_requests(before, 3));
      if (outage == "503") {
        // ...and while the API stays away, the message stays in flight.
        CHECK_FALSE(rig.drain(300ms));
        rig.api.set_down(false);
      }
      REQUIRE(rig.settle());
      rig.api.edit_settlement_variables("s-c1", {{"motto", "steady"}});
      REQUIRE(rig.route_then_drain({update_of("c1", "s-c1"), RegistryRig::advance("c1", kT0 + 3 * kDay, kT0 + 4 * kDay)}));
      REQUIRE(rig.settle());
      CHECK(rig.dead_letter_reasons().empty());
      CHECK(rig.outcome("c1") == expected);
      CHECK(rig.api.keys_applied_more_than_once().empty());
    }
  }
}

TEST_CASE("session: an API outage while an entity is fetched delays the message, never loses it",
          "[service][session][failure]") {
  const json expected = reference_outcome();
  for (const std::string outage : {"503", "truncated"}) {
    DYNAMIC_SECTION("outage: " << outage) {
      Rig rig(RegistryRigOptions{5, nullptr, 500ms});
      REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 3 * kDay)}));
      REQUIRE(rig.settle());
      rig.api.edit_settlement_variables("s-c1", {{"motto", "steady"}});
      const std::size_t before = rig.api.requests();
      if (outage == "503") rig.api.set_down(true);
      if (outage == "truncated") rig.api.raw_reply_next(2, R"({"data":{"settlement":{"id":"s-c1","lev)");
      rig.route({update_of("c1", "s-c1"), RegistryRig::advance("c1", kT0 + 3 * kDay, kT0 + 4 * kDay)});
      REQUIRE(rig.wait_for_requests(before, 3));
      if (outage == "503") {
        CHECK_FALSE(rig.drain(300ms));  // the UPDATE waits for its entity; the advance waits behind it
        rig.api.set_down(false);
      }
      REQUIRE(rig.settle());
      CHECK(rig.dead_letter_reasons().empty());
      CHECK(rig.outcome("c1") == expected);
    }
  }
}

TEST_CASE("session: Redis refusing one campaign's keys quarantines that campaign only",
          "[service][session][failure]") {
  Rig rig;
  seed(rig.api, "c2");
  {
    // c2's checkpoint key holds a list: every GET of it is WRONGTYPE.
    auto r = io::RedisConnection::connect(rig.redis.endpoint(), 2000ms);
    r.exec_transaction({{"RPUSH", "hourglass:{c2}:checkpoint", "not a checkpoint"}});
  }
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c2", kT0, kT0 + kDay), RegistryRig::advance("c1", kT0, kT0 + kDay),
                                RegistryRig::advance("c2", kT0 + kDay, kT0 + 2 * kDay)},
                               kBound));
  // c1 went on: committed, its writes sent.
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0 + kDay, kT0 + 2 * kDay)}, kBound));
  REQUIRE(rig.settle());
  CHECK(rig.api.event("e-c1")["isCompleted"] == true);
  CHECK(rig.api.event("e-c2")["isCompleted"] == false);
  const auto status = rig.status();
  REQUIRE(status);
  CHECK(status->quarantined == 1);
  REQUIRE(status->quarantine_reasons.count("c2") == 1);
  CHECK_THAT(status->quarantine_reasons.at("c2"), Catch::Contains("WRONGTYPE"));
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 2);  // both of c2's messages, retryable by dlq once the key is mended
  CHECK_THAT(reasons[0], Catch::Contains("campaign c2 is quarantined") && Catch::Contains("redis_refused") &&
                            Catch::Contains("WRONGTYPE"));
  CHECK_THAT(reasons[1], Catch::Contains("campaign c2 is quarantined"));
}

TEST_CASE("session: an advance longer than max_advance is refused as bad input, nothing changed",
          "[service][session][max-advance]") {
  RegistryRigOptions o;
  o.max_advance = 100 * 365 * kDay;
  Rig rig(o);
  // A mistyped year: 2025 -> 9025.
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + 7000 * 365 * kDay)}, kBound));
  REQUIRE(rig.settle());
  const auto reasons = rig.dead_letter_reasons();
  REQUIRE(reasons.size() == 1);
  CHECK_THAT(reasons[0], Catch::Contains("longer than the limit max_advance (HOURGLASS_MAX_ADVANCE, --max-advance) "
                                         "of 100 years (36500 days)") &&
                             Catch::Contains("nothing changed"));
  CHECK(rig.api.settlement("s-c1")["variables"]["population"] == 1000);  // nothing simulated
  CHECK(rig.checkpoint("c1")["campaign"]["currentWorldTime"] == iso(kT0));
  CHECK(rig.api.event("e-c1")["isCompleted"] == false);
  // The campaign's clock did not move: a day's advance from it applies.
  REQUIRE(rig.route_then_drain({RegistryRig::advance("c1", kT0, kT0 + kDay)}, kBound));
  REQUIRE(rig.settle());
  CHECK(rig.api.event("e-c1")["isCompleted"] == true);
  CHECK(rig.dead_letter_reasons().size() == 1);
}
