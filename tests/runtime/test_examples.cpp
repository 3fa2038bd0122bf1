// Every example scenario (scenarios/examples/NAME.json) replays to exactly
// its NAME.expected.jsonl (records, compared as parsed JSON line by line)
// and NAME.state.json (final state, carry compared exactly). The examples
// are found at run time, so a new one is checked without touching this file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/replay_support.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
using nlohmann::json;
namespace ht = hourglass::testing;

namespace {

const fs::path kExamples = fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// NAME of every NAME.json that is a scenario (not a state, rules or other
// companion file), sorted.
std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (!entry.is_regular_file()) continue;
    const std::string file = entry.path().filename().string();
    if (!ends_with(file, ".json") || ends_with(file, ".state.json") || ends_with(file, ".rules.json"))
      continue;
    names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

TEST_CASE("the example scenarios are found", "[examples]") {
  const auto names = example_names();
  REQUIRE(names.size() >= 8);
  REQUIRE(std::find(names.begin(), names.end(), "01-settlement-growth") != names.end());
  REQUIRE(std::find(names.begin(), names.end(), "08-generated-medium-tuned") != names.end());
}

TEST_CASE("every example scenario replays to its expected records and state", "[examples][replay]") {
  for (const std::string& name : example_names()) {
    DYNAMIC_SECTION("example " << name) {
      const fs::path expected_records = kExamples / (name + ".expected.jsonl");
      const fs::path expected_state = kExamples / (name + ".state.json");
      REQUIRE(fs::exists(expected_records));
      REQUIRE(fs::exists(expected_state));

      const auto scenario = hourglass::runtime::load_scenario((kExamples / (name + ".json")).string());
      const ht::ReplayRun run = ht::replay_scenario(scenario, 2);

      const auto want = ht::split_lines(read(expected_records));
      const auto got = ht::split_lines(run.records);
      REQUIRE(run.stats.records == got.size());
      const std::size_t common = std::min(want.size(), got.size());
      for (std::size_t i = 0; i < common; ++i) {
        const json w = json::parse(want[i]);
        const json g = json::parse(got[i]);
        if (w != g) {
          FAIL("first differing record, line " << i + 1 << "\n  expected: " << want[i]
                                               << "\n  actual:   " << got[i]);
        }
      }
      INFO("expected " << want.size() << " records, got " << got.size()
                       << (got.size() > common ? "; first extra: " + got[common] : std::string())
                       << (want.size() > common ? "; first missing: " + want[common] : std::string()));
      REQUIRE(got.size() == want.size());

      const json state_want = json::parse(read(expected_state));
      const std::string diff = ht::state_difference(state_want, run.state);
      INFO(diff);
      REQUIRE(diff.empty());
    }
  }
}
