#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

#include "runtime/service/branch_config.hpp"
#include "runtime/service/config.hpp"

using namespace hourglass::service;

namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> fn() const {
    return [this](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

std::string temp_file(const std::string& content) {
  char path[] = "/tmp/hourglass_cfg_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  close(fd);
  return path;
}

bool mentions(const std::vector<std::string>& problems, const std::string& setting) {
  for (const auto& p : problems)
    if (p.rfind(setting + ":", 0) == 0) return true;
  return false;
}

void parse(CLI::App& app, std::vector<std::string> args) {
  std::vector<const char*> argv{"hourglass"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("config defaults apply when the environment is empty", "[service][config]") {
  FakeEnv env;
  const ServiceConfig cfg = config_from_env(env.fn());
  REQUIRE(cfg.redis_url == "redis://127.0.0.1:6379");
  REQUIRE(cfg.api_url == "http://localhost:9264/graphql");
  REQUIRE(cfg.port == 9266);
  REQUIRE(cfg.bind == "127.0.0.1");
  REQUIRE(cfg.gateway_timeout == std::chrono::milliseconds(5000));
  REQUIRE(cfg.drain_timeout == std::chrono::seconds(10));
  REQUIRE(cfg.api_token.empty());
  // The defaults are valid except for the token, which has none.
  const auto problems = validate(cfg);
  REQUIRE(problems.size() == 1);
  REQUIRE(mentions(problems, "api_token"));
}

TEST_CASE("config reads every environment variable", "[service][config]") {
  FakeEnv env;
  env.vars = {{"REDIS_URL", "redis://redis:6380/2"},
              {"API_URL", "https://api.example/graphql"},
              {"API_TOKEN", "tok-123"},
              {"HOURGLASS_RULES", "/etc/hourglass/rules.json"},
              {"PORT", "9300"},
              {"BIND", "0.0.0.0"},
              {"LOG_LEVEL", "debug"},
              {"LOG_FORMAT", "text"},
              {"GATEWAY_CONCURRENCY", "16"},
              {"GATEWAY_TIMEOUT_MS", "2500"},
              {"GATEWAY_RETRIES", "0"},
              {"HOURGLASS_CAMPAIGN_BRANCHES", "c1=feature-x, c2=b7"},
              {"HOURGLASS_RECORD", "/var/lib/hourglass/flight.jsonl"},
              {"HOURGLASS_FAULT_INJECT", "settlement:s1:3"},
              {"HOURGLASS_DRAIN_TIMEOUT_S", "25"},
              {"HOURGLASS_RESTART_LIMIT", "3"},
              {"HOURGLASS_RESTART_WINDOW_S", "60"}};
  const ServiceConfig cfg = config_from_env(env.fn());
  CHECK(cfg.redis_url == "redis://redis:6380/2");
  CHECK(cfg.api_url == "https://api.example/graphql");
  CHECK(cfg.api_token == "tok-123");
  CHECK(cfg.rules_file == "/etc/hourglass/rules.json");
  CHECK(cfg.port == 9300);
  CHECK(cfg.bind == "0.0.0.0");
  CHECK(cfg.log_level == "debug");
  CHECK(cfg.log_format == "text");
  CHECK(cfg.gateway_concurrency == 16);
  CHECK(cfg.gateway_timeout == std::chrono::milliseconds(2500));
  CHECK(cfg.gateway_retries == 0);
  CHECK(cfg.campaign_branches == "c1=feature-x, c2=b7");
  CHECK(campaign_branches(cfg) == hourglass::io::BranchMap{{"c1", "feature-x"}, {"c2", "b7"}});
  CHECK(cfg.record_file == "/var/lib/hourglass/flight.jsonl");
  CHECK(cfg.fault_inject == "settlement:s1:3");
  CHECK(cfg.drain_timeout == std::chrono::seconds(25));
  CHECK(cfg.restart_limit == 3);
  CHECK(cfg.restart_window == std::chrono::seconds(60));
  CHECK(validate(cfg).empty());
}

TEST_CASE("config reads the token from API_TOKEN_FILE", "[service][config]") {
  FakeEnv env;
  const std::string path = temp_file("s3cret-token\r\n");
  env.vars["API_TOKEN_FILE"] = path;
  CHECK(config_from_env(env.fn()).api_token == "s3cret-token");

  SECTION("both API_TOKEN and API_TOKEN_FILE is an error") {
    env.vars["API_TOKEN"] = "other";
    REQUIRE_THROWS_AS(config_from_env(env.fn()), ConfigError);
    REQUIRE_THROWS_WITH(config_from_env(env.fn()), Catch::Contains("API_TOKEN_FILE") && Catch::Contains("both"));
  }
  SECTION("an unreadable file is an error naming the path") {
    env.vars["API_TOKEN_FILE"] = "/nonexistent/hourglass/token";
    REQUIRE_THROWS_WITH(config_from_env(env.fn()), Catch::Contains("/nonexistent/hourglass/token"));
  }
  std::remove(path.c_str());
}

TEST_CASE("config refuses non-numbers and names every bad variable", "[service][config]") {
  FakeEnv env;
  env.vars = {{"PORT", "80x"}, {"GATEWAY_TIMEOUT_MS", "fast"}, {"GATEWAY_RETRIES", "99999999999"}};
  try {
    config_from_env(env.fn());
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("PORT") && Catch::Contains("80x"));
    CHECK_THAT(msg, Catch::Contains("GATEWAY_TIMEOUT_MS"));
    CHECK_THAT(msg, Catch::Contains("GATEWAY_RETRIES"));
  }
}

TEST_CASE("config flags override the environment", "[service][config]") {
  FakeEnv env;
  env.vars = {{"PORT", "9300"}, {"API_TOKEN", "from-env"}, {"LOG_FORMAT", "text"}, {"REDIS_URL", "redis://a:1"}};
  ServiceConfig cfg = config_from_env(env.fn());
  const std::string token_path = temp_file("from-file\n");
  CLI::App app;
  add_config_flags(app, cfg);
  parse(app, {"--port", "9400", "--api-token-file", token_path, "--gateway-timeout-ms", "750",
              "--drain-timeout-s", "3", "--fault-inject", "structure:mill-1:2", "--campaign-branches", "c9=b2"});
  CHECK(cfg.port == 9400);
  CHECK(cfg.api_token == "from-file");
  CHECK(cfg.gateway_timeout == std::chrono::milliseconds(750));
  CHECK(cfg.drain_timeout == std::chrono::seconds(3));
  CHECK(cfg.fault_inject == "structure:mill-1:2");
  CHECK(campaign_branches(cfg) == hourglass::io::BranchMap{{"c9", "b2"}});
  CHECK(cfg.log_format == "text");            // not given as a flag: the environment's
  CHECK(cfg.redis_url == "redis://a:1");
  std::remove(token_path.c_str());
}

TEST_CASE("config has no --api-token flag and checks --api-token-file", "[service][config]") {
  ServiceConfig cfg;
  {
    CLI::App app;
    add_config_flags(app, cfg);
    REQUIRE_THROWS_AS(parse(app, {"--api-token", "leaky"}), CLI::ParseError);
  }
  {
    CLI::App app;
    add_config_flags(app, cfg);
    try {
      parse(app, {"--api-token-file", "/nonexistent/tok"});
      FAIL("expected a parse error");
    } catch (const CLI::ParseError& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("/nonexistent/tok"));
    }
  }
}

TEST_CASE("validate reports every problem with its setting's name", "[service][config]") {
  ServiceConfig cfg;
  cfg.port = 70000;
  cfg.gateway_concurrency = 0;
  cfg.gateway_retries = 21;
  cfg.gateway_timeout = std::chrono::milliseconds(99);
  cfg.log_level = "verbose";
  cfg.log_format = "xml";
  cfg.redis_url = "tcp://127.0.0.1:6379";
  cfg.api_url = "localhost:9264/graphql";
  cfg.api_token = "";
  cfg.fault_inject = "settlement:s1";
  const auto problems = validate(cfg);
  for (const char* s : {"port", "gateway_concurrency", "gateway_retries", "gateway_timeout", "log_level",
                        "log_format", "redis_url", "api_url", "api_token", "fault_inject"}) {
    INFO(s);
    CHECK(mentions(problems, s));
  }
  CHECK(problems.size() == 10);

  ServiceConfig ok;
  ok.api_token = "t";
  ok.port = 65535;
  ok.gateway_concurrency = 256;
  ok.gateway_retries = 20;
  ok.gateway_timeout = std::chrono::minutes(10);
  CHECK(validate(ok).empty());
  ok.port = 0;
  ok.gateway_timeout = std::chrono::milliseconds(600001);
  CHECK(validate(ok).size() == 2);
}

TEST_CASE("validate checks the fault injection spec", "[service][config]") {
  ServiceConfig cfg;
  cfg.api_token = "t";
  for (const char* good : {"settlement:s1:3", "campaign:c-9:1", "structure:a:b:12"}) {
    cfg.fault_inject = good;
    INFO(good);
    CHECK(validate(cfg).empty());
  }
  for (const char* bad : {"settlement:s1", "settlement::3", "settlement:s1:0", "settlement:s1:x",
                          "planet:p:3", ":s1:3", "settlement:s1:-2", "settlement:s1:3:"}) {
    cfg.fault_inject = bad;
    INFO(bad);
    CHECK(mentions(validate(cfg), "fault_inject"));
  }
}

TEST_CASE("describe hides the token and URL passwords", "[service][config]") {
  ServiceConfig cfg;
  cfg.api_token = "super-secret-token";
  cfg.redis_url = "redis://user:hunter2@redis:6379/0";
  const std::string line = describe(cfg);
  CHECK_THAT(line, !Catch::Contains("super-secret-token"));
  CHECK_THAT(line, !Catch::Contains("hunter2"));
  CHECK_THAT(line, Catch::Contains("api_token=***"));
  CHECK_THAT(line, Catch::Contains("redis://user:***@redis:6379/0"));
  CHECK_THAT(line, Catch::Contains("port=9266"));
  CHECK_THAT(line, Catch::Contains("gateway_timeout_ms=5000"));
}

TEST_CASE("config: API_AUTH=login with API_EMAIL and API_PASSWORD_FILE", "[service][config][auth]") {
  FakeEnv env;
  const std::string file = temp_file("s3cret-pass\n");
  env.vars = {{"API_AUTH", "login"}, {"API_EMAIL", "svc@example.test"}, {"API_PASSWORD_FILE", file}};
  const ServiceConfig cfg = config_from_env(env.fn());
  CHECK(cfg.api_auth == "login");
  CHECK(cfg.api_email == "svc@example.test");
  CHECK(cfg.api_password == "s3cret-pass");
  CHECK(validate(cfg).empty());
  const std::string line = describe(cfg);
  CHECK(line.find("s3cret-pass") == std::string::npos);
  CHECK(line.find("api_password=***") != std::string::npos);
  CHECK(line.find("api_auth=login") != std::string::npos);
  std::remove(file.c_str());

  // Flags override the environment.
  ServiceConfig flags = cfg;
  CLI::App app;
  add_config_flags(app, flags);
  const std::string other = temp_file("other-pass");
  parse(app, {"--api-email", "ops@example.test", "--api-password-file", other});
  CHECK(flags.api_email == "ops@example.test");
  CHECK(flags.api_password == "other-pass");
  std::remove(other.c_str());
}

TEST_CASE("config: login problems are listed together", "[service][config][auth]") {
  ServiceConfig cfg;
  cfg.api_auth = "login";
  cfg.api_token = "also-a-token";
  cfg.api_url = "http://localhost:9264/api";
  const auto problems = validate(cfg);
  CHECK(mentions(problems, "api_email"));
  CHECK(mentions(problems, "api_password"));
  CHECK(mentions(problems, "api_token"));
  CHECK(mentions(problems, "api_url"));
  cfg.api_auth = "oauth";
  CHECK(mentions(validate(cfg), "api_auth"));

  FakeEnv env;
  env.vars = {{"API_PASSWORD_FILE", "/nonexistent/password"}, {"PORT", "x"}};
  try {
    config_from_env(env.fn());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("API_PASSWORD_FILE: cannot read '/nonexistent/password'"));
    CHECK_THAT(e.what(), Catch::Contains("PORT"));
  }
}

TEST_CASE("campaign branches: campaign=branch pairs, every problem listed", "[service][config]") {
  ServiceConfig cfg;
  cfg.api_token = "t";
  CHECK(campaign_branches(cfg).empty());  // unset: every campaign writes to its main branch
  cfg.campaign_branches = " c1=branchA ,c2 = branchB";
  CHECK(validate(cfg).empty());
  CHECK(campaign_branches(cfg) == hourglass::io::BranchMap{{"c1", "branchA"}, {"c2", "branchB"}});

  cfg.campaign_branches = "c1=a,c2,=b,c3=,c1=z,c 4=x,c5=b=c";
  const auto problems = validate(cfg);
  INFO(Catch::Detail::stringify(problems));
  REQUIRE(problems.size() == 6);
  for (const auto& p : problems) CHECK(p.rfind("campaign_branches: ", 0) == 0);
  CHECK_THAT(problems[0], Catch::Contains("item 2 'c2'") && Catch::Contains("<campaign id>=<branch id>"));
  CHECK_THAT(problems[1], Catch::Contains("item 3 '=b'") && Catch::Contains("campaign id"));
  CHECK_THAT(problems[2], Catch::Contains("item 4 'c3='") && Catch::Contains("branch id"));
  CHECK_THAT(problems[3], Catch::Contains("item 5 'c1=z'") && Catch::Contains("named twice"));
  CHECK_THAT(problems[4], Catch::Contains("item 6 'c 4=x'") && Catch::Contains("campaign id"));
  CHECK_THAT(problems[5], Catch::Contains("item 7 'c5=b=c'") && Catch::Contains("branch id"));
  cfg.campaign_branches = ",";
  CHECK(validate(cfg).size() == 2);  // two empty items
  CHECK(hourglass::io::format_campaign_branches({{"c2", "b"}, {"c1", "a"}}) == "c1=a,c2=b");
}

TEST_CASE("campaign branches: API_BRANCH_ID, one branch for every campaign, is refused", "[service][config]") {
  FakeEnv env;
  env.vars = {{"API_BRANCH_ID", "main"}, {"PORT", "x"}};
  try {
    config_from_env(env.fn());
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("API_BRANCH_ID is no longer read") &&
                             Catch::Contains("HOURGLASS_CAMPAIGN_BRANCHES") && Catch::Contains("PORT"));
  }
  env.vars = {{"API_BRANCH_ID", ""}};  // empty counts as unset
  CHECK_NOTHROW(config_from_env(env.fn()));
  ServiceConfig cfg;
  CLI::App app;
  add_config_flags(app, cfg);
  CHECK_THROWS(parse(app, {"--branch-id", "main"}));
}

TEST_CASE("config: the stream input, its key, group and consumer", "[service][config][stream]") {
  FakeEnv env;
  ServiceConfig cfg = config_from_env(env.fn());
  CHECK(cfg.stream_key == "hourglass:inbox");
  CHECK(cfg.stream_group == "hourglass");
  CHECK(cfg.stream_consumer == "hourglass");
  CHECK_FALSE(parse_input(cfg.input).stream);  // off by default

  env.vars = {{"API_TOKEN", "t"},
              {"HOURGLASS_INPUT", "stream"},
              {"HOURGLASS_STREAM_KEY", "game:inbox"},
              {"HOURGLASS_STREAM_GROUP", "engines"},
              {"HOURGLASS_STREAM_CONSUMER", "hourglass-1"}};
  cfg = config_from_env(env.fn());
  CHECK(cfg.stream_key == "game:inbox");
  CHECK(cfg.stream_group == "engines");
  CHECK(cfg.stream_consumer == "hourglass-1");
  CHECK(validate(cfg).empty());
  const InputSelection s = parse_input(cfg.input);
  CHECK(s.stream);
  CHECK_FALSE(s.channels);
  CHECK_FALSE(s.campaign_manager);
  const std::string line = describe(cfg);
  CHECK_THAT(line, Catch::Contains("input=stream"));
  CHECK_THAT(line, Catch::Contains("stream_key=game:inbox stream_group=engines stream_consumer=hourglass-1"));

  CLI::App app;
  add_config_flags(app, cfg);
  parse(app, {"--stream-key", "k2", "--stream-group", "g2", "--stream-consumer", "c2", "--input",
              "stream,campaign-manager"});
  CHECK(cfg.stream_key == "k2");
  CHECK(cfg.stream_group == "g2");
  CHECK(cfg.stream_consumer == "c2");
  CHECK(parse_input(cfg.input).stream);
  CHECK(parse_input(cfg.input).campaign_manager);  // the API's own traffic beside the stream: allowed
  CHECK(validate(cfg).empty());
}

TEST_CASE("config: stream together with channels is refused, saying why", "[service][config][stream]") {
  for (const char* both : {"stream,channels", "channels,stream", "channels,campaign-manager,stream"}) {
    INFO(both);
    try {
      parse_input(both);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("input:") && Catch::Contains("twice"));
    }
    ServiceConfig cfg;
    cfg.api_token = "t";
    cfg.input = both;
    CHECK(mentions(validate(cfg), "input"));
  }
  CHECK_THROWS_AS(parse_input("streams"), ConfigError);
}

TEST_CASE("config: an empty stream key, group or consumer is refused", "[service][config][stream]") {
  ServiceConfig cfg;
  cfg.api_token = "t";
  cfg.stream_key = "";
  cfg.stream_group = "";
  cfg.stream_consumer = "";
  const auto problems = validate(cfg);
  CHECK(mentions(problems, "stream_key"));
  CHECK(mentions(problems, "stream_group"));
  CHECK(mentions(problems, "stream_consumer"));
  CHECK(problems.size() == 3);
}

TEST_CASE("config: passivation delay, outbox limit and breaker delay, with their refusals", "[service][config]") {
  using namespace std::chrono_literals;
  {
    FakeEnv env;
    const ServiceConfig d = config_from_env(env.fn());
    CHECK(d.passivate_after == 300s);
    CHECK(d.max_outbox == 100'000);
    CHECK(d.gateway_breaker_open == 30s);
  }
  FakeEnv env;
  env.vars = {{"HOURGLASS_PASSIVATE_AFTER", "250ms"}, {"HOURGLASS_MAX_OUTBOX", "5000"}, {"GATEWAY_BREAKER_OPEN_MS", "750"}};
  const ServiceConfig c = config_from_env(env.fn());
  CHECK(c.passivate_after == 250ms);
  CHECK(c.max_outbox == 5000);
  CHECK(c.gateway_breaker_open == 750ms);
  CHECK(hourglass::service::parse_duration("x", "90") == 90s);
  CHECK(hourglass::service::parse_duration("x", "90s") == 90s);
  CHECK(hourglass::service::parse_duration("x", "0") == 0ms);
  for (const char* bad : {"", "5m", "-1", "1.5s", "ms"}) {
    INFO(bad);
    CHECK_THROWS_WITH(hourglass::service::parse_duration("HOURGLASS_PASSIVATE_AFTER", bad),
                      Catch::Contains("HOURGLASS_PASSIVATE_AFTER"));
  }
  FakeEnv wrong;
  wrong.vars = {{"HOURGLASS_PASSIVATE_AFTER", "soon"}, {"HOURGLASS_MAX_OUTBOX", "0"}};
  std::vector<std::string> faults;
  const ServiceConfig w = config_from_env(wrong.fn(), faults);
  REQUIRE(faults.size() == 1);  // "soon" cannot be read; 0 can, and is out of range
  CHECK_THAT(faults[0], Catch::Contains("HOURGLASS_PASSIVATE_AFTER") && Catch::Contains("soon"));
  CHECK(mentions(validate(w), "max_outbox"));
  CHECK_THAT(Catch::Detail::stringify(validate(w)), Catch::Contains("(set by HOURGLASS_MAX_OUTBOX)"));
  ServiceConfig fast = c;
  fast.gateway_breaker_open = 1ms;
  bool named = false;
  for (const auto& p : hourglass::service::validate(fast)) named = named || p.find("gateway_breaker_open") != std::string::npos;
  CHECK(named);
}

namespace {

// Every fault `hourglass serve` would list for this environment and these
// flags: what cannot be read from either, then what validate() refuses.
std::vector<std::string> faults_of(const std::map<std::string, std::string>& vars,
                                   const std::vector<std::string>& args = {}) {
  std::vector<std::string> faults;
  FakeEnv env;
  env.vars = vars;
  ServiceConfig cfg;
  try {
    cfg = config_from_env(env.fn());
  } catch (const ConfigError& e) {
    std::istringstream lines(e.what());
    for (std::string line; std::getline(lines, line);) faults.push_back(line);
  }
  CLI::App app;
  add_config_flags(app, cfg);
  try {
    parse(app, args);
  } catch (const CLI::ParseError& e) {
    faults.push_back(e.what());
  }
  for (const auto& p : validate(cfg)) faults.push_back(p);
  return faults;
}

// True when one fault names both `setting` and `source` (the variable or flag).
bool names(const std::vector<std::string>& faults, const std::string& setting, const std::string& source) {
  for (const auto& f : faults)
    if (f.find(setting) != std::string::npos && f.find(source) != std::string::npos) return true;
  return false;
}

const std::map<std::string, std::string> kToken{{"API_TOKEN", "t"}};

std::map<std::string, std::string> with_token(std::map<std::string, std::string> vars) {
  vars.insert(kToken.begin(), kToken.end());
  return vars;
}

}  // namespace

TEST_CASE("config: bind must be an IPv4 or IPv6 address, from BIND and from --bind", "[service][config]") {
  for (const char* good : {"127.0.0.1", "0.0.0.0", "::1", "::", "fe80::1", "10.1.2.3"}) {
    INFO(good);
    CHECK(faults_of(with_token({{"BIND", good}})).empty());
    CHECK(faults_of(kToken, {"--bind", good}).empty());
  }
  for (const char* bad : {"not-an-ip", "localhost", "[::1]", "127.0.0.1:9266", "256.0.0.1", "1.2.3", " 127.0.0.1"}) {
    INFO(bad);
    const auto from_env = faults_of(with_token({{"BIND", bad}}));
    INFO(Catch::Detail::stringify(from_env));
    CHECK(from_env.size() == 1);
    CHECK(mentions(from_env, "bind"));
    CHECK(names(from_env, "bind", "BIND"));
    const auto from_flag = faults_of(kToken, {"--bind", bad});
    INFO(Catch::Detail::stringify(from_flag));
    CHECK(from_flag.size() == 1);
    CHECK(names(from_flag, "bind", "--bind"));
  }
}

TEST_CASE("config: a bad log level or format is a configuration fault naming its source", "[service][config]") {
  const auto env = faults_of(with_token({{"LOG_LEVEL", "loud"}, {"LOG_FORMAT", "xml"}}));
  INFO(Catch::Detail::stringify(env));
  CHECK(env.size() == 2);
  CHECK(names(env, "loud", "LOG_LEVEL"));
  CHECK(names(env, "xml", "LOG_FORMAT"));
  const auto flags = faults_of(kToken, {"--log-level", "loud", "--log-format", "xml"});
  INFO(Catch::Detail::stringify(flags));
  CHECK(names(flags, "loud", "--log-level"));
}

TEST_CASE("config: every numeric setting's range is checked, from the environment and from the flag",
          "[service][config]") {
  struct Case {
    const char* env;
    const char* flag;
    const char* setting;
    std::vector<const char*> bad;
    std::vector<const char*> good;
  };
  const std::vector<Case> cases = {
      {"PORT", "--port", "port", {"0", "65536"}, {"1", "65535"}},
      {"GATEWAY_CONCURRENCY", "--gateway-concurrency", "gateway_concurrency", {"0", "257"}, {"1", "256"}},
      {"GATEWAY_TIMEOUT_MS", "--gateway-timeout-ms", "gateway_timeout", {"99", "600001"}, {"100", "600000"}},
      {"GATEWAY_RETRIES", "--gateway-retries", "gateway_retries", {"-1", "21"}, {"0", "20"}},
      {"GATEWAY_BREAKER_OPEN_MS", "--gateway-breaker-open-ms", "gateway_breaker_open", {"9", "3600001"},
       {"10", "3600000"}},
      {"HOURGLASS_RESTART_LIMIT", "--restart-limit", "restart_limit", {"0", "1001"}, {"1", "1000"}},
      {"HOURGLASS_RESTART_WINDOW_S", "--restart-window-s", "restart_window", {"0", "86401"}, {"1", "86400"}},
      {"HOURGLASS_DRAIN_TIMEOUT_S", "--drain-timeout-s", "drain_timeout", {"-1", "3601"}, {"0", "3600"}},
      {"HOURGLASS_PASSIVATE_AFTER", "--passivate-after", "passivate_after", {"2592001s"}, {"0", "2592000s"}},
      {"HOURGLASS_MAX_OUTBOX", "--max-outbox", "max_outbox", {"0", "10000001"}, {"1", "10000000"}},
  };
  for (const auto& c : cases) {
    for (const char* bad : c.bad) {
      INFO(c.env << "=" << bad);
      const auto from_env = faults_of(with_token({{c.env, bad}}));
      INFO(Catch::Detail::stringify(from_env));
      CHECK(from_env.size() == 1);
      CHECK(names(from_env, c.setting, c.env));
      const auto from_flag = faults_of(kToken, {c.flag, bad});
      INFO(Catch::Detail::stringify(from_flag));
      CHECK(from_flag.size() == 1);
      CHECK(names(from_flag, c.setting, c.flag));
    }
    for (const char* good : c.good) {
      INFO(c.env << "=" << good);
      CHECK(faults_of(with_token({{c.env, good}})).empty());
      CHECK(faults_of(kToken, {c.flag, good}).empty());
    }
  }
}

TEST_CASE("config: a flag's value that is not a number names the flag", "[service][config]") {
  const auto faults = faults_of(kToken, {"--port", "abc"});
  INFO(Catch::Detail::stringify(faults));
  REQUIRE(faults.size() == 1);
  CHECK_THAT(faults[0], Catch::Contains("--port") && Catch::Contains("abc"));
}

TEST_CASE("describe masks every secret, however it was set", "[service][config]") {
  const std::string token = temp_file("token-from-a-file\n");
  const std::string password = temp_file("password-from-a-file\n");
  FakeEnv env;
  env.vars = {{"API_TOKEN_FILE", token}, {"REDIS_URL", "redis://:redis-pass@redis:6379"}};
  ServiceConfig cfg = config_from_env(env.fn());
  CLI::App app;
  add_config_flags(app, cfg);
  parse(app, {"--api-password-file", password, "--api-url", "https://svc:url-pass@api.example/graphql"});
  REQUIRE(cfg.api_token == "token-from-a-file");
  REQUIRE(cfg.api_password == "password-from-a-file");
  const std::string line = describe(cfg);
  for (const char* secret : {"token-from-a-file", "password-from-a-file", "redis-pass", "url-pass"}) {
    INFO(secret);
    CHECK(line.find(secret) == std::string::npos);
  }
  CHECK_THAT(line, Catch::Contains("api_token=***") && Catch::Contains("api_password=***"));
  CHECK_THAT(line, Catch::Contains("https://svc:***@api.example/graphql"));
  std::remove(token.c_str());
  std::remove(password.c_str());
}

TEST_CASE("validate refuses a stream key whose partition streams could not share its hash slot",
          "[service][config]") {
  ServiceConfig cfg;
  cfg.api_token = "t";
  cfg.stream_key = "in{}box";
  const auto problems = validate(cfg);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("stream_key") && Catch::Contains("in{}box") && Catch::Contains("hash slot"));
  cfg.stream_key = "{tenant-7}inbox";  // a tag of its own: kept
  CHECK(validate(cfg).empty());
}
