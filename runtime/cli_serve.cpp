// hourglass serve: the service beside a campaign API (configuration from the
// environment, flags override; see docs/operations.md).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <spdlog/spdlog.h>

#include "runtime/cli.hpp"
#include "runtime/serve_app.hpp"
#include "runtime/service/logging.hpp"
#include "runtime/service/signals.hpp"

namespace hourglass::runtime {

Command add_serve_command(CLI::App& app) {
  auto config = std::make_shared<service::ServiceConfig>();
  // What cannot be read from the environment or a flag, listed with what
  // validate() refuses: every configuration fault at once, exit 2.
  auto faults = std::make_shared<std::vector<std::string>>();
  *config = service::config_from_env([](const char* name) { return std::getenv(name); }, *faults);
  CLI::App* cmd = app.add_subcommand("serve", "Run as a service: Redis in, campaign API out");
  service::add_config_flags(*cmd, *config, *faults);
  return [=]() {
    if (!cmd->parsed()) return -1;
    // Before logging is set up: a bad log level is one fault among the others.
    for (auto& p : service::validate(*config)) faults->push_back(std::move(p));
    if (!faults->empty()) {
      std::string all = "hourglass serve: bad configuration:";
      for (const auto& f : *faults) all += "\n  " + f;
      std::fprintf(stderr, "%s\n", all.c_str());
      return 2;
    }
    try {
      service::setup_logging(config->log_level, config->log_format);
      ServeApp serve(*config);
      // Before any thread starts, so that every thread inherits the blocked mask.
      service::SignalWatcher signals([&serve] { serve.request_stop(); },
                                     [&serve] { serve.reload_rules(); });
      serve.start();
      return serve.wait();
    } catch (const service::ConfigError& e) {
      std::fprintf(stderr, "hourglass serve: %s\n", e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hourglass serve: %s\n", e.what());
      return 1;
    }
  };
}

}  // namespace hourglass::runtime
