#include <catch2/catch.hpp>

#include "messages/input_error.hpp"
#include "runtime/tune/set_path.hpp"

using hourglass::messages::InputError;
using namespace hourglass::runtime::tune;
using nlohmann::json;

TEST_CASE("tune: --set splits its path and values, keeping tables whole", "[tune][set]") {
  const SetOption o = parse_set_option("settlement.levels.1.populationCap=100, 200,3e2");
  CHECK(o.path == "settlement.levels.1.populationCap");
  CHECK(o.segments == std::vector<std::string>{"settlement", "levels", "1", "populationCap"});
  REQUIRE(o.values.size() == 3);
  CHECK(o.values[0].text == "100");
  CHECK(o.values[1].value == json(200));
  CHECK(o.values[2].value == json(300.0));

  const SetOption table = parse_set_option(R"(structures.farm.produces={"food":5,"wood":1},{})");
  REQUIRE(table.values.size() == 2);
  CHECK(table.values[0].value == json{{"food", 5}, {"wood", 1}});
  CHECK(table.values[1].value == json::object());

  const SetOption text = parse_set_option("version=tuned-b,\"x,y\"");
  REQUIRE(text.values.size() == 2);
  CHECK(text.values[0].value.dump() == "\"tuned-b\"");  // not JSON: a string
  CHECK(text.values[1].value.dump() == "\"x,y\"");
}

TEST_CASE("tune: --set refuses malformed options", "[tune][set]") {
  CHECK_THROWS_AS(parse_set_option("settlement.populationGrowthRate"), InputError);
  CHECK_THROWS_AS(parse_set_option("=1"), InputError);
  CHECK_THROWS_AS(parse_set_option("settlement..x=1"), InputError);
  CHECK_THROWS_AS(parse_set_option("settlement.x=1,,2"), InputError);
}

TEST_CASE("tune: --set writes into objects and arrays", "[tune][set]") {
  json doc = {{"settlement", {{"populationGrowthRate", 0.01}, {"levels", json::array({{{"populationCap", 5}}, {{"populationCap", 9}}})}}}};
  const SetOption rate = parse_set_option("settlement.populationGrowthRate=0.5");
  apply_set(doc, rate, rate.values[0].value);
  CHECK(doc["settlement"]["populationGrowthRate"] == json(0.5));
  const SetOption cap = parse_set_option("settlement.levels.1.populationCap=7");
  apply_set(doc, cap, cap.values[0].value);
  CHECK(doc["settlement"]["levels"][1]["populationCap"] == json(7));
  CHECK(doc["settlement"]["levels"][0]["populationCap"] == json(5));
  // A new last key is written (parse_rules decides whether it is known).
  const SetOption fresh = parse_set_option("settlement.newField=1");
  apply_set(doc, fresh, fresh.values[0].value);
  CHECK(doc["settlement"]["newField"] == json(1));
}

TEST_CASE("tune: --set names the path and the missing step", "[tune][set]") {
  json doc = {{"settlement", {{"levels", json::array({json::object()})}, {"rate", 1}}}};
  auto refusal = [&](const std::string& option) {
    const SetOption o = parse_set_option(option);
    try {
      apply_set(doc, o, o.values[0].value);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string missing = refusal("structures.farm.maxLevel=2");
  CHECK(missing.find("--set structures.farm.maxLevel") != std::string::npos);
  CHECK(missing.find("no field \"structures\"") != std::string::npos);
  const std::string index = refusal("settlement.levels.3.populationCap=2");
  CHECK(index.find("$.settlement.levels is a list of 1 entries") != std::string::npos);
  CHECK(refusal("settlement.levels.x=2").find("not an index") != std::string::npos);
  CHECK(refusal("settlement.rate.x=2").find("$.settlement.rate is a single value") != std::string::npos);
}

namespace {
std::vector<std::string> texts(const SetOption& o) {
  std::vector<std::string> out;
  for (const SetValue& v : o.values) out.push_back(v.text);
  return out;
}
std::string range_refusal(const std::string& option) {
  try {
    parse_set_option(option);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("tune: --set a:b:step sweeps an inclusive range without rounding drift", "[tune][set]") {
  const SetOption rate = parse_set_option("settlement.populationGrowthRate=0.001:0.003:0.0005");
  CHECK(texts(rate) == std::vector<std::string>{"0.001", "0.0015", "0.002", "0.0025", "0.003"});
  CHECK(rate.values[1].value == json(0.0015));
  CHECK(rate.values[4].value == json(0.003));  // 0.003, not 0.0030000000000000005

  const SetOption gold = parse_set_option("structures.farm.maintenanceCost.gold=1:10:3");
  CHECK(texts(gold) == std::vector<std::string>{"1", "4", "7", "10"});
  CHECK(gold.values[0].value.is_number_integer());
  // The end is included only when a step lands on it.
  CHECK(texts(parse_set_option("a=0:1:0.4")) == std::vector<std::string>{"0", "0.4", "0.8"});
  CHECK(texts(parse_set_option("a=-2:2:2")) == std::vector<std::string>{"-2", "0", "2"});
  // Ranges and single values mix.
  CHECK(texts(parse_set_option("a=0.5,1:2:1,9")) == std::vector<std::string>{"0.5", "1", "2", "9"});
  // A table with colons is not a range.
  CHECK(parse_set_option(R"(p={"food":5})").values[0].value == json{{"food", 5}});
}

TEST_CASE("tune: --set refuses a range it cannot sweep, naming the path", "[tune][set]") {
  CHECK_THAT(range_refusal("settlement.populationGrowthRate=0.001:0.003:0"),
             Catch::Contains("settlement.populationGrowthRate") && Catch::Contains("step must be above 0"));
  CHECK_THAT(range_refusal("a=1:2:-1"), Catch::Contains("step must be above 0"));
  CHECK_THAT(range_refusal("a=3:1:1"), Catch::Contains("ends before it starts"));
  CHECK_THAT(range_refusal("a=0:1:0.0001"), Catch::Contains("10001 values") && Catch::Contains("at most 1000"));
  CHECK_THAT(range_refusal("a=0:1:x"), Catch::Contains("--set a=0:1:x") && Catch::Contains("\"x\""));
  CHECK_THAT(range_refusal("a=1:2"), Catch::Contains("FROM:TO:STEP"));
  CHECK_THAT(range_refusal("a=1e-3:2:1"), Catch::Contains("decimal"));
}
