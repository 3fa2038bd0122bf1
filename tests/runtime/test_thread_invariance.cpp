// SPEC §3: "An engine may run anything in parallel that gives the same
// result." The number of CAF scheduler threads must not change a byte of the
// records or the final state, and a replay must be repeatable.
#include <catch2/catch.hpp>

#include <string>

#include "support/replay_support.hpp"
#include "support/scenario_generator.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

using nlohmann::json;
namespace ht = hourglass::testing;

namespace {

void require_identical(const ht::ReplayRun& a, const ht::ReplayRun& b, const char* name_a,
                       const char* name_b) {
  const std::string records = ht::first_difference(a.records, b.records, name_a, name_b);
  INFO(records);
  REQUIRE(records.empty());
  const std::string state = ht::state_difference(a.state, b.state);
  INFO(state);
  REQUIRE(state.empty());
  REQUIRE(a.dead_letters == b.dead_letters);
  REQUIRE(a.stats.records == b.stats.records);
  REQUIRE(a.stats.firings == b.stats.firings);
  REQUIRE(a.stats.applied == b.stats.applied);
  REQUIRE(a.stats.ignored == b.stats.ignored);
  REQUIRE(a.stats.refused == b.stats.refused);
}

void check_threads(const hourglass::runtime::Scenario& scenario) {
  const ht::ReplayRun one = ht::replay_scenario(scenario, 1);
  REQUIRE(one.stats.records > 0);
  const ht::ReplayRun four = ht::replay_scenario(scenario, 4);
  const ht::ReplayRun four_again = ht::replay_scenario(scenario, 4);
  const ht::ReplayRun one_again = ht::replay_scenario(scenario, 1);
  require_identical(one, four, "threads=1", "threads=4");
  require_identical(four, four_again, "threads=4", "threads=4 again");
  require_identical(one, one_again, "threads=1", "threads=1 again");
}

}  // namespace

TEST_CASE("thread count does not change the output: example scenarios", "[threads][replay]") {
  for (const char* name : {"07-generated-medium-default", "08-generated-medium-tuned"}) {
    DYNAMIC_SECTION("example " << name) {
      const std::string file =
          std::string(HOURGLASS_SOURCE_DIR) + "/scenarios/examples/" + name + ".json";
      check_threads(hourglass::runtime::load_scenario(file));
    }
  }
}

TEST_CASE("thread count does not change the output: generated scenarios", "[threads][replay]") {
  ht::GeneratorOptions busy;  // many settlements' worth of work per advance
  busy.min_campaigns = 2;
  busy.max_campaigns = 3;
  busy.min_advances = 6;
  busy.max_advances = 10;
  busy.max_modifications = 16;
  for (std::uint64_t seed : {101u, 102u, 103u, 104u}) {
    DYNAMIC_SECTION("seed " << seed) {
      check_threads(hourglass::runtime::parse_scenario(ht::generate_scenario(seed, busy), "", "$"));
    }
  }
}
