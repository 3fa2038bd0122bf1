// The settlement's hidden carry as the API stores it (written back by the
// service's gateway): read when a settlement joins, kept by an UPDATE.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "messages/entity_codec.hpp"
#include "messages/json_read.hpp"
#include "sim/patch.hpp"

using nlohmann::json;

TEST_CASE("a settlement's carry is read when it joins and kept by an UPDATE", "[messages][carry]") {
  const auto rules = hourglass::sim::Rules::defaults();
  const json entity = {{"id", "s1"}, {"name", "Oakridge"}, {"level", 1}, {"population", 101},
                       {"resources", {{"food", 7}}}, {"carry", 0.2000000000000003}};
  const auto patch = hourglass::messages::read_settlement(entity, "api:settlement(s1)", rules, true);
  REQUIRE(patch.carry);
  hourglass::sim::Settlement s = hourglass::sim::make_settlement(patch, 0);
  CHECK(s.carry == 0.2000000000000003);  // bit for bit: JSON doubles round-trip

  json update = entity;
  update["carry"] = 0.9;
  update["population"] = 150;
  hourglass::sim::apply_patch(s, hourglass::messages::read_settlement(update, "$.entity", rules, true));
  CHECK(s.population == 150);
  CHECK(s.carry == 0.2000000000000003);  // SPEC: an UPDATE keeps the carry

  json without = entity;
  without.erase("carry");
  CHECK(hourglass::sim::make_settlement(hourglass::messages::read_settlement(without, "$", rules, true), 0).carry == 0.0);

  json bad = entity;
  bad["carry"] = "lots";
  CHECK_THROWS_WITH(hourglass::messages::read_settlement(bad, "api:settlement(s1)", rules, true),
                    Catch::Contains("carry"));
}
