#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "runtime/service/logging.hpp"

using namespace hourglass::service;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::regex iso_ms_utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

}  // namespace

TEST_CASE("json logs are one valid JSON object per line, whatever the message", "[service][logging]") {
  std::ostringstream out;
  auto logger = make_logger("hourglass", "info", "json", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  const std::string nasty = "campaign \"c1\" said:\n\tline two \\ back\r\x01 end \xff\xfe";
  logger->info("{}", nasty);
  logger->debug("dropped at info");
  logger->warn("plain");
  logger->flush();

  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 2);
  const auto first = nlohmann::json::parse(lines[0]);  // throws when not valid JSON
  CHECK(first.size() == 4);
  CHECK(first["level"] == "info");
  CHECK(first["logger"] == "hourglass");
  CHECK(std::regex_match(first["ts"].get<std::string>(), iso_ms_utc));
  const std::string msg = first["msg"];
  // Everything but the invalid UTF-8 bytes survives exactly.
  CHECK(msg.rfind("campaign \"c1\" said:\n\tline two \\ back\r\x01 end ", 0) == 0);
  CHECK(msg.find('\xff') == std::string::npos);
  const auto second = nlohmann::json::parse(lines[1]);
  CHECK(second["level"] == "warn");
  CHECK(second["msg"] == "plain");
}

TEST_CASE("text logs are readable lines", "[service][logging]") {
  std::ostringstream out;
  auto logger = make_logger("hourglass", "debug", "text", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->debug("advanced campaign {} to {}", "c1", 42);
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::EndsWith("debug hourglass: advanced campaign c1 to 42"));
  CHECK(std::regex_search(lines[0], iso_ms_utc));
  CHECK(lines[0].front() != '{');
}

TEST_CASE("logging refuses unknown levels and formats", "[service][logging]") {
  CHECK(parse_log_level("warn") == spdlog::level::warn);
  CHECK(parse_log_level("off") == spdlog::level::off);
  CHECK_THROWS_AS(parse_log_level("warning"), std::invalid_argument);
  CHECK_THROWS_AS(make_log_formatter("xml"), std::invalid_argument);
  CHECK_THROWS_AS(setup_logging("info", "yaml"), std::invalid_argument);
}

TEST_CASE("setup_logging writes JSON lines to stderr through the default logger", "[service][logging]") {
  char path[] = "/tmp/hourglass_log_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const auto previous = spdlog::default_logger();
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  REQUIRE(saved >= 0);
  REQUIRE(dup2(fd, STDERR_FILENO) >= 0);

  setup_logging("warn", "json");
  spdlog::info("not at warn");
  spdlog::warn("redis \"down\"\nretrying");
  spdlog::error("gave up");
  spdlog::default_logger()->flush();
  std::fflush(stderr);

  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  spdlog::set_default_logger(previous);

  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path);
  const auto lines = lines_of(text.str());
  REQUIRE(lines.size() == 2);
  const auto a = nlohmann::json::parse(lines[0]);
  const auto b = nlohmann::json::parse(lines[1]);
  CHECK(a["msg"] == "redis \"down\"\nretrying");
  CHECK(a["level"] == "warn");
  CHECK(b["level"] == "error");
  CHECK(b["logger"] == "hourglass");
}
