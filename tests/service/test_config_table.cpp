// The settings table (runtime/service/config_table) against itself, the flags
// it registers, describe() and docs/operations.md's configuration table.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "runtime/service/config_table.hpp"

using namespace hourglass::service;

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/service/CMakeLists.txt)"
#endif

namespace {

// The lines of docs/operations.md's "## Configuration" section that are rows
// of its table.
std::vector<std::string> documented_rows() {
  std::ifstream in(std::string(HOURGLASS_SOURCE_DIR) + "/docs/operations.md");
  REQUIRE(in);
  std::vector<std::string> rows;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Configuration";
    if (inside && line.rfind("|", 0) == 0) rows.push_back(line);
  }
  return rows;
}

std::set<std::string> backticked(const std::vector<std::string>& rows, const std::regex& pattern) {
  std::set<std::string> found;
  for (const auto& row : rows)
    for (std::sregex_iterator it(row.begin(), row.end(), pattern), end; it != end; ++it) found.insert((*it)[1]);
  return found;
}

}  // namespace

TEST_CASE("config table: every row is whole and named once", "[service][config]") {
  std::set<std::string> names, variables, flags;
  for (const Setting& s : settings()) {
    INFO(s.name);
    CHECK(names.insert(s.name).second);
    CHECK((!s.env.empty() || !s.file_env.empty()));
    for (const auto& v : {s.env, s.file_env})
      if (!v.empty()) CHECK(variables.insert(v).second);
    CHECK(!s.flag.empty());
    CHECK(flags.insert(s.flag).second);
    CHECK(s.parse);
    CHECK(s.print);
    CHECK(!s.help.empty());
    CHECK(!s.type_name.empty());
    // A secret never on the command line: its flag names a file.
    if (s.secret) CHECK(s.flag.size() > 5);
    if (s.secret) CHECK(s.flag.compare(s.flag.size() - 5, 5, "-file") == 0);
  }
  for (const auto& r : retired_variables()) CHECK(variables.count(r.env) == 0);
}

TEST_CASE("config table: every setting has a flag in --help and a key in describe()", "[service][config]") {
  ServiceConfig cfg;
  CLI::App app;
  add_config_flags(app, cfg);
  const std::string help = app.help();
  const std::string line = describe(cfg);
  for (const Setting& s : settings()) {
    INFO(s.name);
    CHECK(help.find(s.flag) != std::string::npos);
    const std::string key = s.name + (s.unit.empty() ? "" : "_" + s.unit) + "=";
    CHECK((line.rfind(key, 0) == 0 || line.find(" " + key) != std::string::npos));
  }
  // No secret's text as a flag.
  for (const char* leaky : {"--api-token", "--api-password", "--password", "--token"}) {
    INFO(leaky);
    CHECK(help.find(std::string(leaky) + " ") == std::string::npos);
  }
}

TEST_CASE("config table: docs/operations.md's configuration table lists exactly its variables and flags",
          "[service][config][docs]") {
  const auto rows = documented_rows();
  REQUIRE(rows.size() > 2);
  const auto doc_variables = backticked(rows, std::regex("`([A-Z][A-Z0-9_]+)`"));
  const auto doc_flags = backticked(rows, std::regex("`(--[a-z0-9-]+)`"));
  std::set<std::string> variables, flags;
  for (const Setting& s : settings()) {
    for (const auto& v : {s.env, s.file_env})
      if (!v.empty()) variables.insert(v);
    flags.insert(s.flag);
  }
  for (const auto& r : retired_variables()) variables.insert(r.env);
  // Each name of `from` must be in `in`: listed by the test's INFO when not.
  auto every = [](const std::set<std::string>& from, const std::set<std::string>& in, const char* where) {
    for (const auto& name : from) {
      INFO(where << name);
      CHECK(in.count(name) == 1);
    }
  };
  every(variables, doc_variables, "in the table, not in the doc: ");
  every(flags, doc_flags, "in the table, not in the doc: ");
  every(doc_variables, variables, "in the doc, not in the table: ");
  every(doc_flags, flags, "in the doc, not in the table: ");
}

TEST_CASE("config: faults from the environment, the flags and validation are listed together",
          "[service][config]") {
  std::map<std::string, std::string> vars{
      {"API_TOKEN", "t"}, {"PORT", "x"}, {"LOG_LEVEL", "loud"}, {"BIND", "not-an-ip"}, {"API_BRANCH_ID", "b"}};
  std::vector<std::string> faults;
  ServiceConfig cfg = config_from_env(
      [&](const char* name) -> const char* {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
      },
      faults);
  CLI::App app;
  add_config_flags(app, cfg, faults);
  const char* argv[] = {"hourglass", "--max-outbox", "0", "--gateway-retries", "many", "--log-format", "text"};
  app.parse(7, argv);  // a value that cannot be read is collected, not thrown
  CHECK(cfg.log_format == "text");
  for (const auto& p : validate(cfg)) faults.push_back(p);
  INFO(Catch::Detail::stringify(faults));
  REQUIRE(faults.size() == 6);
  auto has = [&](const std::string& a, const std::string& b) {
    return std::any_of(faults.begin(), faults.end(), [&](const std::string& f) {
      return f.find(a) != std::string::npos && f.find(b) != std::string::npos;
    });
  };
  CHECK(has("PORT: expected an integer", "'x'"));
  CHECK(has("API_BRANCH_ID is no longer read", "HOURGLASS_CAMPAIGN_BRANCHES"));
  CHECK(has("--gateway-retries: expected an integer", "'many'"));
  CHECK(has("log_level: ", "(set by LOG_LEVEL)"));
  CHECK(has("bind: ", "(set by BIND)"));
  CHECK(has("max_outbox: must be 1..10000000, got 0", "(set by --max-outbox)"));
}
