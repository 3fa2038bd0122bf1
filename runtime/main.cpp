// hourglass: the world-time engine's executable.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "runtime/cli.hpp"

// Baked in by runtime/CMakeLists.txt at configure time.
#ifndef HOURGLASS_VERSION
#define HOURGLASS_VERSION "unknown"
#endif
#ifndef HOURGLASS_COMMIT
#define HOURGLASS_COMMIT "unknown"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Hourglass: keeps a campaign's world alive between sessions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hourglass " HOURGLASS_VERSION " (commit " HOURGLASS_COMMIT ")");
  // Options of the main command are accepted after the subcommand too
  // (`hourglass tune X --log-level info`); subcommands inherit this.
  app.fallthrough();
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (logs go to stderr)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::vector<hourglass::runtime::Command> commands = {
      hourglass::runtime::add_replay_command(app),
#ifndef HOURGLASS_REPLAY_ONLY  // hourglass-replay: the demo's executable, replay alone
      hourglass::runtime::add_rules_command(app),
      hourglass::runtime::add_tune_command(app),
      hourglass::runtime::add_serve_command(app),
      hourglass::runtime::add_dlq_command(app),
      hourglass::runtime::add_scenario_command(app),
#endif
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; any other parse error is bad
    // usage: 2, as for every refusal of what was asked (CLI11's own codes are 100+).
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("hourglass"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  for (const auto& command : commands) {
    const int rc = command();
    if (rc >= 0) return rc;
  }
  return 2;
}
