// The `hourglass` subcommands. Each registers its options on the CLI11 app
// and returns the exit code when run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace hourglass::runtime {

using Command = std::function<int()>;

Command add_replay_command(CLI::App& app);
Command add_rules_command(CLI::App& app);
Command add_tune_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_dlq_command(CLI::App& app);  // the gateway's dead letters: list, retry
Command add_scenario_command(CLI::App& app);  // scenario generate: long scenarios for tuning

}  // namespace hourglass::runtime
