// HOURGLASS_DEAD_LETTER_MAX / --dead-letter-max (a row of runtime/service/config_table):
// read with the other settings, refused with them, shown at start.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "runtime/service/config.hpp"

using namespace hourglass::service;

namespace {
std::function<const char*(const char*)> env_of(const std::map<std::string, std::string>& vars) {
  return [&vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}
}  // namespace

TEST_CASE("config: HOURGLASS_DEAD_LETTER_MAX, default 10000, from the environment or the flag",
          "[service][config]") {
  const std::map<std::string, std::string> none;
  CHECK(config_from_env(env_of(none)).dead_letter_max == 10'000);
  const std::map<std::string, std::string> set{{"HOURGLASS_DEAD_LETTER_MAX", "2500"}, {"API_TOKEN", "t"}};
  ServiceConfig c = config_from_env(env_of(set));
  CHECK(c.dead_letter_max == 2500);
  CHECK(validate(c).empty());
  CHECK_THAT(describe(c), Catch::Contains("dead_letter_max=2500"));

  CLI::App app;
  add_config_flags(app, c);
  const char* argv[] = {"serve", "--dead-letter-max", "40"};
  app.parse(3, argv);
  CHECK(c.dead_letter_max == 40);

  // Refused with the other problems, naming the setting.
  const std::map<std::string, std::string> words{{"HOURGLASS_DEAD_LETTER_MAX", "lots"}, {"PORT", "x"}};
  try {
    config_from_env(env_of(words));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("HOURGLASS_DEAD_LETTER_MAX") && Catch::Contains("lots") &&
                                          Catch::Contains("PORT"));
  }
  c.dead_letter_max = 0;
  const auto problems = validate(c);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::StartsWith("dead_letter_max:"));
}
