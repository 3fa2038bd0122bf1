// messages/world_span: the limit of an advance as operators write it.
#include <catch2/catch.hpp>

#include "messages/input_error.hpp"
#include "messages/world_span.hpp"

using namespace hourglass;
using messages::describe_world_span;
using messages::read_world_span;

TEST_CASE("world span: a whole number and a unit, a year of 365 days", "[messages][world-span]") {
  CHECK(read_world_span("100y", "x") == 100 * 365 * sim::kMsPerDay);
  CHECK(read_world_span("36500d", "x") == read_world_span("100y", "x"));
  CHECK(read_world_span("12h", "x") == 12 * 3'600'000);
  CHECK(read_world_span("30m", "x") == 30 * 60'000);
  CHECK(read_world_span("45s", "x") == 45'000);
  CHECK(read_world_span("250ms", "x") == 250);
  CHECK(read_world_span("10000y", "x") == 10'000 * messages::kMsPerYear);
}

TEST_CASE("world span: anything else is refused, naming where and what", "[messages][world-span]") {
  for (const char* bad : {"", "100", "y", "1.5y", "-3d", "3 d", "3days", "10001y", "99999999999999999d", "3D"}) {
    INFO(bad);
    CHECK_THROWS_AS(read_world_span(bad, "--max-advance"), messages::InputError);
    CHECK_THROWS_WITH(read_world_span(bad, "--max-advance"),
                      Catch::StartsWith("--max-advance: expected a whole number and a unit"));
  }
}

TEST_CASE("world span: described in the largest whole unit", "[messages][world-span]") {
  CHECK(describe_world_span(100 * messages::kMsPerYear) == "100 years (36500 days)");
  CHECK(describe_world_span(36 * sim::kMsPerDay) == "36 days");
  CHECK(describe_world_span(12 * 3'600'000) == "12 h");
  CHECK(describe_world_span(1500) == "1500 ms");
}
