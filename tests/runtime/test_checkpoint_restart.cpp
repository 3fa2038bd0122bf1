// Restart invariance (the determinism non-negotiable): a campaign stopped
// after any message, written as a checkpoint (messages/checkpoint_codec),
// read back and started again from it gives exactly the records and the
// final state of a run that never stopped — byte for byte, carry included.
// Every example scenario is cut at several message boundaries; the
// generated ones too, where completions, moves and overrides anchor timers
// at instants no other field keeps.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "messages/checkpoint_codec.hpp"
#include "support/replay_support.hpp"
#include "support/scenario_generator.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
namespace ht = hourglass::testing;
namespace hm = hourglass::messages;
using hourglass::runtime::Scenario;
using nlohmann::json;

namespace {

const fs::path kExamples = fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples";

// The scenario with only messages [from, to).
Scenario slice(const Scenario& s, std::size_t from, std::size_t to) {
  Scenario part = s;
  part.messages.assign(s.messages.begin() + static_cast<std::ptrdiff_t>(from),
                       s.messages.begin() + static_cast<std::ptrdiff_t>(to));
  return part;
}

struct Resumed {
  std::string records;
  json state;
  std::size_t checkpoint_bytes = 0;
};

// Runs messages [0, cut), checkpoints every campaign through its JSON text,
// then runs messages [cut, end) from the checkpoints.
Resumed run_with_restart(const Scenario& s, std::size_t cut) {
  Scenario first = slice(s, 0, cut);
  hourglass::runtime::ReplayOptions options;
  auto records = std::make_shared<hourglass::actors::StringOutput>();
  options.output = records;
  options.dead_letters = std::make_shared<hourglass::actors::StringOutput>();
  options.want_state = true;
  options.threads = 2;
  ht::quiet_engine_logs();
  auto before = hourglass::runtime::run_replay(first, options);

  Scenario second = slice(s, cut, s.messages.size());
  second.campaigns.clear();
  Resumed out;
  for (const auto& snapshot : before.state) {
    const std::string text = hm::checkpoint_json(snapshot, {cut, ""}).dump();
    out.checkpoint_bytes += text.size();
    hm::Checkpoint cp = hm::read_checkpoint_text(text, "checkpoint", *s.rules);
    CHECK(cp.input.messages == cut);
    second.campaigns.push_back(std::move(cp.seed));
  }
  ht::ReplayRun after = ht::replay_scenario(second, 2);
  out.records = records->text() + after.records;
  out.state = after.state;
  return out;
}

// Up to `n` cut points spread over the messages, always 0 and the last.
std::set<std::size_t> cuts(std::size_t messages, std::size_t n) {
  std::set<std::size_t> out{0, messages};
  for (std::size_t i = 1; i < n && messages > 0; ++i) out.insert(i * messages / n);
  return out;
}

void check_restart_invariance(const Scenario& s, std::size_t n_cuts) {
  const ht::ReplayRun whole = ht::replay_scenario(s, 2);
  for (std::size_t cut : cuts(s.messages.size(), n_cuts)) {
    INFO("cut after message " << cut << " of " << s.messages.size());
    const Resumed r = run_with_restart(s, cut);
    REQUIRE(ht::first_difference(whole.records, r.records, "uninterrupted", "restarted") == "");
    REQUIRE(ht::state_difference(whole.state, r.state) == "");
  }
}

}  // namespace

TEST_CASE("checkpoint: an example campaign restarted after any message gives the same records and state",
          "[checkpoint][restart]") {
  for (const char* name : {"01-settlement-growth", "02-structure-lifecycle", "03-events-and-effects",
                           "04-time-and-campaigns", "05-entity-modifications", "06-bad-input",
                           "07-generated-medium-default", "08-generated-medium-tuned"}) {
    INFO(name);
    const Scenario s = hourglass::runtime::load_scenario((kExamples / (std::string(name) + ".json")).string());
    check_restart_invariance(s, s.messages.size() <= 20 ? s.messages.size() : 6);
  }
}

TEST_CASE("checkpoint: generated worlds restarted at random boundaries give the same records and state",
          "[checkpoint][restart]") {
  for (std::uint64_t seed : {3u, 11u, 29u, 47u}) {
    INFO("generator seed " << seed);
    const Scenario s = hourglass::runtime::parse_scenario(ht::generate_scenario(seed), "", "$");
    check_restart_invariance(s, 5);
  }
}

TEST_CASE("checkpoint: the text is refused naming the fault", "[checkpoint]") {
  const Scenario s = hourglass::runtime::load_scenario((kExamples / "02-structure-lifecycle.json").string());
  hourglass::sim::CampaignSnapshot empty;
  empty.id = "c1";
  json good = hm::checkpoint_json(empty, {3, "1-0"});
  CHECK(hm::read_checkpoint(good, "cp", *s.rules).input == hm::CheckpointInput{3, "1-0"});
  auto refused = [&](json doc, const std::string& where) {
    try {
      hm::read_checkpoint(doc, "cp", *s.rules);
    } catch (const hm::InputError& e) {
      CHECK(e.path() == where);
      return;
    }
    FAIL("accepted: " << doc.dump());
  };
  json newer = good;
  newer["version"] = hm::kCheckpointVersion + 1;
  refused(newer, "cp.version");
  json other = good;
  other["format"] = "scenario";
  refused(other, "cp.format");
  json no_clock = good;
  no_clock["campaign"].erase("currentWorldTime");
  refused(no_clock, "cp.campaign.currentWorldTime");
  json bad_structure = good;
  bad_structure["campaign"]["structures"] = json::array({{{"id", "st1"}, {"settlementId", "s1"}, {"type", "castle"},
                                                           {"level", 1}, {"status", "ACTIVE"}, {"condition", 100},
                                                           {"createdAt", "2025-01-01T00:00:00Z"}}});
  refused(bad_structure, "cp.campaign.structures[0].type");
  CHECK_THROWS_AS(hm::read_checkpoint_text("{not json", "cp", *s.rules), hm::InputError);
}
