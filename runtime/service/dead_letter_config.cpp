#include "runtime/service/dead_letter_config.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace hourglass::service {
namespace {
constexpr const char* kEnv = "HOURGLASS_DEAD_LETTER_MAX";
// A stream longer than this is no cap: an operator meant something else.
constexpr std::size_t kLargest = 100'000'000;
}  // namespace

void dead_letter_max_from_env(const std::function<const char*(const char*)>& getenv, ServiceConfig& cfg,
                              std::vector<std::string>& errors) {
  const char* v = getenv(kEnv);
  if (v == nullptr || *v == '\0') return;
  const std::string text(v);
  if (text.size() > 12 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    errors.push_back(std::string(kEnv) + ": must be a whole number of entries, got '" + text + "'");
    return;
  }
  cfg.dead_letter_max = static_cast<std::size_t>(std::stoull(text));
}

void add_dead_letter_max_flag(CLI::App& app, ServiceConfig& cfg) {
  app.add_option("--dead-letter-max", cfg.dead_letter_max,
                 "entries each dead-letter stream is trimmed to, oldest first (env HOURGLASS_DEAD_LETTER_MAX)");
}

void dead_letter_max_problems(const ServiceConfig& cfg, std::vector<std::string>& problems) {
  if (cfg.dead_letter_max < 1 || cfg.dead_letter_max > kLargest)
    problems.push_back("dead_letter_max: must be between 1 and " + std::to_string(kLargest) + " entries, got " +
                       std::to_string(cfg.dead_letter_max));
}

}  // namespace hourglass::service
