// What a drill compares the API with: the same story replayed by the engine
// alone (runtime::run_replay), and the comparison itself. Shared by the
// crash drill (crash_drill) and the several-instance drill (instance_drill),
// which tell their stories differently (a stream, one service; pub/sub,
// several) but judge the outcome alike:
//   - every settlement's level, population and resources, every structure's
//     status and condition and every event's completion as the replay ends
//     them (else "lost");
//   - every deferred effect executed in the API as often as the replay runs
//     it (more: "doubled", fewer: "lost");
//   - no write applied twice (the fake counts applications per
//     Idempotency-Key: "doubled").
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/snapshot.hpp"

namespace hourglass::service::testing {

class FakeCampaignApi;

struct ReplayExpectation {
  std::vector<sim::CampaignSnapshot> state;
  std::map<std::string, std::string> records;  // campaign id -> its record lines, in order
  std::map<std::string, int> effect_runs;      // effect id -> DEFERRED_EFFECT records
};

// `doc`: a scenario (SPEC §6 layout, rules by file name relative to
// `base_dir` or none) whose messages are the story. Logs nothing.
ReplayExpectation replay_story(const nlohmann::json& doc, const std::string& base_dir);

// The fake as the API holds the scenario's campaigns at its start: each
// campaign (its clock, a kingdom "k-<id>"), settlements, structures, events.
void seed_fake_from(FakeCampaignApi& api, const nlohmann::json& doc);

struct ReplayDifferences {
  std::size_t entities_checked = 0;
  std::size_t effects_checked = 0;
  std::vector<std::string> lost;
  std::vector<std::string> doubled;
};

// The API against the replay's end; `effects`: the ids of every deferred
// effect the story created.
ReplayDifferences compare_with_replay(const FakeCampaignApi& api, const ReplayExpectation& expected,
                                      const std::set<std::string>& effects);

}  // namespace hourglass::service::testing
