#include <catch2/catch.hpp>

#include "runtime/tune/warnings.hpp"

using namespace hourglass::runtime::tune;

TEST_CASE("tune: a warning shared by variants is one line naming them", "[tune][warnings]") {
  const std::vector<std::vector<std::string>> per_variant = {
      {"refused m1", "refused m2"}, {"refused m1", "refused m1"}, {"refused m3", "refused m1"}};
  const std::vector<GroupedWarning> grouped = group_warnings(per_variant);
  REQUIRE(grouped.size() == 3);
  CHECK(grouped[0].text == "refused m1");
  CHECK(grouped[0].variants == std::vector<std::size_t>{0, 1, 2});
  CHECK(grouped[1].text == "refused m2");
  CHECK(grouped[1].variants == std::vector<std::size_t>{0});
  CHECK(grouped[2].text == "refused m3");
  CHECK(grouped[2].variants == std::vector<std::size_t>{2});

  const std::vector<std::string> labels = {"rate=0.01", "rate=0.02", "rate=0.03"};
  CHECK(warning_line(grouped[0], labels) == "refused m1 (all 3 variants)");
  CHECK(warning_line(grouped[2], labels) == "refused m3 (1 of 3 variants: rate=0.03)");
  CHECK(warning_line({"w", {0, 2}}, labels) == "w (2 of 3 variants: rate=0.01; rate=0.03)");
  CHECK(warning_line(grouped[0], {"only"}) == "refused m1");
}
