// A campaign's branch (io/campaign_branches: its main branch asked of the API
// once, or named in configuration) and the world-time anchors Hourglass owns
// (the API's createdAt is wall-clock time): the real client and reader
// against the fake API over HTTP.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/service/anchors.hpp"
#include "actors/service/api_reader.hpp"
#include "io/campaign_branches.hpp"
#include "io/write_executor.hpp"
#include "sim/patch.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using hourglass::service::testing::FakeCampaignApi;
using nlohmann::json;

sim::WorldTime ms(const char* iso) { return *sim::parse_world_time(iso); }

std::size_t seen(const FakeCampaignApi& api, const std::string& op) {
  const auto ops = api.operations_seen();
  return static_cast<std::size_t>(std::count(ops.begin(), ops.end(), op));
}

io::EntityWrite population_write(const std::string& id, int population) {
  return io::EntityWrite{io::EntityWrite::Kind::Settlement, id, {{"population", population}}, "k:" + id, 0};
}

}  // namespace

TEST_CASE("branches: the main branch is the root, else the root named main", "[service][branches]") {
  using io::ApiBranch;
  std::string why;
  CHECK(io::main_branch({{"b2", "what-if", "b1"}, {"b1", "Main", std::nullopt}}, why) == std::string("b1"));
  CHECK(io::main_branch({{"r1", "Alt", std::nullopt}, {"r2", "MAIN", std::nullopt}}, why) == std::string("r2"));
  CHECK_FALSE(io::main_branch({{"r1", "Alt", std::nullopt}, {"r2", "Other", std::nullopt}}, why));
  CHECK_THAT(why, Catch::Contains("2 root branches") && Catch::Contains("HOURGLASS_CAMPAIGN_BRANCHES"));
  CHECK_FALSE(io::main_branch({}, why));
  CHECK(why == "the campaign has no branch");
  CHECK_FALSE(io::main_branch({{"b2", "x", "b1"}}, why));
}

TEST_CASE("branches: each campaign's writes go to its own branch, found once", "[service][branches]") {
  spdlog::set_level(spdlog::level::off);
  FakeCampaignApi api{"secret-token"};
  api.add_campaign("c1", ms("4707-01-01T00:00:00Z"), "cb-main-1");
  api.add_campaign("c2", ms("4707-01-01T00:00:00Z"), "cb-main-2");
  api.add_branch("c2", "cb-side-2", "what-if");
  api.add_kingdom("c1", "k1");
  api.add_kingdom("c2", "k2");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "A"}});
  api.add_settlement("k2", {{"id", "s2"}, {"name", "B"}});
  api.start();
  io::CampaignApi client(io::CampaignApiConfig{api.url(), "secret-token", 2000ms});

  io::CampaignBranches found;
  REQUIRE(io::execute_campaign_write(client, found, "c1", population_write("s1", 5)).done);
  REQUIRE(io::execute_campaign_write(client, found, "c2", population_write("s2", 6)).done);
  REQUIRE(io::execute_campaign_write(client, found, "c2", population_write("s2", 7)).done);
  CHECK(seen(api, "Branches") == 2);  // once per campaign
  const auto writes = api.applied_writes();
  REQUIRE(writes.size() == 3);
  CHECK(writes[0].variables["input"]["branchId"] == "cb-main-1");
  CHECK(writes[1].variables["input"]["branchId"] == "cb-main-2");
  CHECK(writes[2].variables["input"]["branchId"] == "cb-main-2");

  // A branch named per campaign wins; the wrong one is refused, not retried.
  io::CampaignBranches named({{"c2", "cb-side-2"}, {"c1", "cb-main-2"}});
  CHECK(io::execute_campaign_write(client, named, "c2", population_write("s2", 8)).done);
  CHECK(api.applied_writes().back().variables["input"]["branchId"] == "cb-side-2");
  const io::WriteOutcome wrong = io::execute_campaign_write(client, named, "c1", population_write("s1", 9));
  CHECK_FALSE(wrong.done);
  CHECK_FALSE(wrong.retryable);
  CHECK_THAT(wrong.message, Catch::Contains("does not belong to this entity's campaign"));
  CHECK(seen(api, "Branches") == 2);  // named: nothing asked
  CHECK(api.settlement("s1")["variables"]["population"] == 5);

  // A campaign the API does not know has no branch: the write fails.
  const io::WriteOutcome unknown = io::execute_campaign_write(client, found, "c9", population_write("s1", 1));
  CHECK_FALSE(unknown.done);
  CHECK_THAT(unknown.message, Catch::Contains("finding the branch") && Catch::Contains("no main branch"));
  // Events and effects carry no branch: nothing is asked.
  CHECK(io::execute_campaign_write(client, found, "c8",
                                   io::EntityWrite{io::EntityWrite::Kind::ExpireEvent, "nope", json::object(), "k", 0})
            .message.find("finding the branch") == std::string::npos);
}

// A world in year 4707 whose rows the API created today (createdAt 2026):
// the wall clock is not an anchor. Without variables.createdAt an entity is
// anchored at the bootstrap's clock, so a fresh structure is under
// construction for its constructionMinutes, not complete at once; with it,
// the stored world time is honoured.
TEST_CASE("anchors: a 4707 world with 2026 createdAt rows", "[service][anchors]") {
  spdlog::set_level(spdlog::level::off);
  const sim::WorldTime now = ms("4707-06-01T00:00:00Z");
  FakeCampaignApi api{"secret-token"};
  api.add_campaign("c1", now);
  api.add_kingdom("c1", "k1");
  api.add_settlement("k1", {{"id", "s1"}, {"name", "A"}, {"createdAt", "2026-03-01T09:00:00.000Z"}});
  api.add_settlement("k1", {{"id", "s2"},
                            {"name", "B"},
                            {"createdAt", "2026-03-01T09:00:00.000Z"},
                            {"variables", {{"createdAt", "4707-05-31T12:00:00.000Z"}}}});
  api.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"createdAt", "2026-03-01T09:00:00Z"}});
  api.start();
  io::CampaignApi client(io::CampaignApiConfig{api.url(), "secret-token", 2000ms});
  const auto rules = sim::Rules::defaults();

  sim::CampaignSeed seed = actors::read_campaign_seed(client, "c1", rules);
  REQUIRE(seed.settlements.size() == 2);
  REQUIRE(seed.structures.size() == 1);
  CHECK_FALSE(seed.settlements[0].created_at);  // the API's 2026 is not read
  CHECK(seed.settlements[1].created_at == ms("4707-05-31T12:00:00Z"));
  CHECK_FALSE(seed.structures[0].created_at);

  const auto anchors = actors::anchor_seed(seed);
  REQUIRE(anchors.size() == 2);  // s1 and st1; s2 has its own
  CHECK(anchors[0].idempotency_key == "c1:Settlement:s1:ANCHOR:" + std::to_string(now));
  CHECK(anchors[1].changes == json{{"createdAt", "4707-06-01T00:00:00.000Z"}});
  const sim::Structure farm = sim::make_structure(seed.structures[0], seed.clock);
  CHECK(farm.created_at == now);
  CHECK(farm.status == sim::StructureStatus::UnderConstruction);
  CHECK(farm.created_at + rules.structure_type("farm")->construction > seed.clock);  // not complete at once

  // Stored, the anchor is read back by the next bootstrap, whatever its clock.
  io::CampaignBranches branches;
  for (const auto& w : anchors) REQUIRE(io::execute_campaign_write(client, branches, "c1", w).done);
  api.set_world_time("c1", now + 3'600'000);
  const sim::CampaignSeed again = actors::read_campaign_seed(client, "c1", rules);
  CHECK(again.settlements[0].created_at == now);
  CHECK(again.structures[0].created_at == now);
  // And never moved by a later anchor write.
  REQUIRE(io::execute_campaign_write(client, branches, "c1",
                                     actors::anchor_write("c1", io::EntityWrite::Kind::Structure, "st1", now + 1))
              .done);
  CHECK(api.structure("st1")["variables"]["createdAt"] == "4707-06-01T00:00:00.000Z");
}
