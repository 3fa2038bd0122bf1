// A campaign takes one inbound message at a time; the requests behind the
// current one wait in its mailbox. When the campaign fails in the middle of
// a message, that message is answered (Refused, or with the error) and the
// requests still waiting get an error: none is left hanging. Each request
// has a deadline only so that a hang fails the test instead of stopping it.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>

#include "actors/campaign_actor.hpp"
#include "actors/record_sink.hpp"
#include "runtime/scenario.hpp"
#include "support/replay_support.hpp"

namespace {

using namespace hourglass;
using namespace hourglass::actors;

const auto kDeadline = std::chrono::seconds(60);

runtime::Scenario medium() {
  return runtime::load_scenario(
      (std::filesystem::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples" / "07-generated-medium-default.json")
          .string());
}

const CampaignSeed& seed_of(const runtime::Scenario& s, const std::string& id) {
  for (const auto& seed : s.campaigns)
    if (seed.id == id) return seed;
  FAIL("no campaign " << id);
  throw;
}

messages::Message advance(const CampaignSeed& seed, int from_day, int to_day) {
  const sim::WorldTime day = 24 * 60 * sim::kMsPerMinute;
  return messages::WorldTimeAdvanced{seed.id, seed.clock + from_day * day, seed.clock + to_day * day};
}

struct Answer {
  bool handled = false;
  Handled h;
  caf::error err;
};

// Sends three messages at once, without waiting, and collects the answers.
std::vector<Answer> three_at_once(caf::actor_system& system, const caf::actor& campaign, const CampaignSeed& seed) {
  caf::scoped_actor self{system};
  bool loaded = false;
  self->request(campaign, kDeadline, load_atom::value).receive([&](Handled&) { loaded = true; }, [](caf::error&) {});
  REQUIRE(loaded);
  std::vector<decltype(self->request(campaign, kDeadline, handle_atom::value, advance(seed, 0, 1)))> pending;
  for (int day = 0; day < 3; ++day)
    pending.push_back(self->request(campaign, kDeadline, handle_atom::value, advance(seed, day, day + 1)));
  std::vector<Answer> answers(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i)
    pending[i].receive(
        [&](Handled& h) {
          answers[i].handled = true;
          answers[i].h = std::move(h);
        },
        [&](caf::error& err) { answers[i].err = std::move(err); });
  return answers;
}

caf::actor spawn_campaign(caf::actor_system& system, const runtime::Scenario& s, const CampaignSeed& seed,
                          FaultInjectorPtr faults) {
  testing::quiet_engine_logs();
  auto sink = system.spawn<caf::detached>(record_sink, std::make_shared<StringOutput>());
  CampaignInit init;
  init.seed = seed;
  init.rules = s.rules;
  init.sink = sink;
  init.faults = std::move(faults);
  // One-hour steps: the failure falls in a later step of the first
  // advance, in a response handler, while the other requests wait.
  init.max_step = 60 * sim::kMsPerMinute;
  return system.spawn(campaign_actor, std::move(init));
}

}  // namespace

TEST_CASE("requests queued behind a message whose settlement keeps failing get an error",
          "[supervision][queue]") {
  const auto scenario = medium();
  const CampaignSeed& seed = seed_of(scenario, "c1");
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  // Every fresh s5 actor fails again at its 3rd firing: the restarts run
  // out during the first advance and the campaign fails.
  auto faults = std::make_shared<FaultInjector>(FaultPlan{"settlement", "s5", 3}, true);
  const auto answers = three_at_once(system, spawn_campaign(system, scenario, seed, faults), seed);
  CHECK(faults->thrown() == 6);
  REQUIRE(answers[0].handled);
  CHECK(answers[0].h.outcome == Outcome::Refused);
  CHECK(answers[0].h.note.find("settlement s5 failed") != std::string::npos);
  for (std::size_t i = 1; i < answers.size(); ++i) {
    INFO("request " << i << ": " << system.render(answers[i].err));
    CHECK_FALSE(answers[i].handled);
    CHECK(answers[i].err);
    CHECK(answers[i].err != caf::sec::request_timeout);
  }
}

TEST_CASE("requests queued behind a message that throws in the campaign get an error", "[supervision][queue]") {
  const auto scenario = medium();
  const CampaignSeed& seed = seed_of(scenario, "c1");
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  // The campaign's second firing of an event or effect throws (the first
  // is at load): e025, some ten steps into the first advance.
  auto faults = std::make_shared<FaultInjector>(FaultPlan{"campaign", "c1", 2});
  const auto answers = three_at_once(system, spawn_campaign(system, scenario, seed, faults), seed);
  REQUIRE(faults->thrown() == 1);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    INFO("request " << i << ": " << system.render(answers[i].err));
    CHECK_FALSE(answers[i].handled);
    CHECK(answers[i].err);
    CHECK(answers[i].err != caf::sec::request_timeout);
  }
  CHECK(system.render(answers[0].err).find("fault injected") != std::string::npos);
}
