// hourglass serve: the service beside a campaign API (configuration from the
// environment, flags override; see docs/operations.md).
#include <cstdio>
#include <cstdlib>
#include <spdlog/spdlog.h>

#include "runtime/cli.hpp"
#include "runtime/serve_app.hpp"
#include "runtime/service/logging.hpp"
#include "runtime/service/signals.hpp"

namespace hourglass::runtime {

Command add_serve_command(CLI::App& app) {
  auto config = std::make_shared<service::ServiceConfig>();
  auto env_error = std::make_shared<std::string>();
  try {
    *config = service::config_from_env([](const char* name) { return std::getenv(name); });
  } catch (const std::exception& e) {
    *env_error = e.what();
  }
  CLI::App* cmd = app.add_subcommand("serve", "Run as a service: Redis in, campaign API out");
  service::add_config_flags(*cmd, *config);
  return [=]() {
    if (!cmd->parsed()) return -1;
    if (!env_error->empty()) {
      std::fprintf(stderr, "hourglass serve: %s\n", env_error->c_str());
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
