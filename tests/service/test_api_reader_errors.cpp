// Hourglass's error enum (actors/errors) as the API reader answers it: each
// failure is a code a supervisor can branch on, rendered with its context
// for logs and dead letters. The real reader against the fake API over HTTP.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/service/api_reader.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using actors::hourglass_errc;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

struct ReaderRig {
  service::testing::FakeCampaignApi api{"secret-token"};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  actors::api_reader_actor reader;
  sim::RulesPtr rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());

  ReaderRig() {
    spdlog::set_level(spdlog::level::off);
    api.start();
    api.add_campaign("c1", kT0);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    actors::add_error_rendering(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    reader = system->spawn<caf::detached>(actors::api_reader,
                                          io::CampaignApiConfig{api.url(), "secret-token", 2000ms});
  }
  ~ReaderRig() { caf::anon_send_exit(reader, caf::exit_reason::user_shutdown); }

  // The reader's error for a request, or none when it answered.
  template <class Reply, class... Ts>
  caf::error error_of(Ts... args) {
    caf::scoped_actor self{*system};
    caf::error out;
    self->request(reader, 10s, args...).receive([](Reply&) {}, [&](caf::error& e) { out = e; });
    return out;
  }
};

}  // namespace

TEST_CASE("errors: a code renders with its name and context, and is told apart by code",
          "[service][errors]") {
  caf::actor_system_config cfg;
  cfg.set("logger.verbosity", caf::atom("quiet"));
  actors::add_error_rendering(cfg);
  caf::actor_system system{cfg};
  const caf::error err = actors::make_error(hourglass_errc::quarantined, "campaign c1 is quarantined");
  CHECK(system.render(err) == "quarantined: campaign c1 is quarantined");
  CHECK(actors::is(err, hourglass_errc::quarantined));
  CHECK_FALSE(actors::is(err, hourglass_errc::campaign_failed));
  CHECK_FALSE(actors::is(caf::make_error(caf::sec::runtime_error, "x"), hourglass_errc::campaign_failed));
  CHECK(std::string(actors::to_string(hourglass_errc::bad_api_reply)) == "bad_api_reply");
}

TEST_CASE("errors: the API reader answers a code for each kind of failure", "[service][errors]") {
  ReaderRig rig;
  SECTION("a campaign the API does not know: it refuses the query") {
    const caf::error err = rig.error_of<actors::ApiBootstrap>(actors::bootstrap_atom::value, std::string("c9"), rig.rules,
                                                              std::optional<sim::WorldTime>{});
    CHECK(actors::is(err, hourglass_errc::api_refused));
    CHECK_THAT(rig.system->render(err), Catch::StartsWith("api_refused: getCurrentWorldTime(c9)"));
  }
  SECTION("a campaign without a world time yet") {
    rig.api.add_campaign("c2", std::nullopt);
    const caf::error err = rig.error_of<actors::ApiBootstrap>(actors::bootstrap_atom::value, std::string("c2"), rig.rules,
                                                              std::optional<sim::WorldTime>{});
    CHECK(actors::is(err, hourglass_errc::entity_not_found));
    CHECK_THAT(rig.system->render(err), Catch::Contains("c2 has no world time"));
  }
  SECTION("an entity the API does not have") {
    const caf::error err = rig.error_of<actors::FetchedEntity>(actors::fetch_atom::value, messages::EntityKind::Event,
                                        std::string("e9"), std::string("c1"), rig.rules);
    CHECK(actors::is(err, hourglass_errc::entity_not_found));
    CHECK_THAT(rig.system->render(err), Catch::Contains("Event(e9)"));
  }
  SECTION("the API is down") {
    rig.api.set_down(true);
    CHECK(actors::is(rig.error_of<sim::WorldTime>(actors::world_time_atom::value, std::string("c1")),
                     hourglass_errc::api_unavailable));
  }
  SECTION("the API refuses") {
    rig.api.graphql_error_next(1, "resolver exploded");
    CHECK(actors::is(rig.error_of<sim::WorldTime>(actors::world_time_atom::value, std::string("c1")), hourglass_errc::api_refused));
  }
  SECTION("the API's reply has the wrong shape") {
    rig.api.raw_reply_next(1, R"({"data": {}})");
    CHECK(actors::is(rig.error_of<sim::WorldTime>(actors::world_time_atom::value, std::string("c1")),
                     hourglass_errc::bad_api_reply));
  }
  SECTION("an answer is no error") {
    CHECK_FALSE(rig.error_of<sim::WorldTime>(actors::world_time_atom::value, std::string("c1")));
  }
}
