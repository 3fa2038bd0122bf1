// Service configuration (`hourglass serve`): defaults, then environment
// variables, then command-line flags (flags win). Every setting is one row of
// runtime/service/config_table.cpp (name, variable, flag, parser, check,
// printer), which config_from_env, add_config_flags, validate and describe
// all loop over; docs/operations.md's configuration table lists the same rows.
//
// A setting's check applies whatever set it (variable, flag or default), and
// every fault is collected, never only the first: a value that cannot be read
// names the variable or flag it came from ("PORT: expected an integer, got
// 'x'"), a value that can be read but is out of range names the setting and
// what set it ("port: must be 1..65535, got 0 (set by --port)"), so an
// operator fixes everything in one round.
//
// Secrets (the API token, the login password) are read from the environment
// or from a file, never from a flag's text: command lines are visible in ps.
// An environment variable set to the empty string counts as unset.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hourglass::io {
class AuthSession;
}

namespace hourglass::service {

struct ServiceConfig {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string api_url = "http://localhost:9264/graphql";
  std::string api_auth = "token";  // token: api_token as is; login: an io::AuthSession
  std::string api_token;    // never logged: describe() shows it as ***
  std::string api_email;    // api_auth=login
  std::string api_password; // api_auth=login; never logged: describe() shows it as ***
  std::string rules_file;   // empty: built-in defaults
  int port = 9266;          // status server (/health, /metrics)
  std::string bind = "127.0.0.1";
  std::string log_level = "info";
  std::string log_format = "json";
  int gateway_concurrency = 8;
  std::chrono::milliseconds gateway_timeout{5000};
  int gateway_retries = 3;
  std::chrono::milliseconds gateway_breaker_open{30'000};
  std::string campaign_branches;  // campaign id=branch id, comma separated; empty: main branches
  std::string record_file;   // flight recorder; empty: off
  // on: every record is published as a JSON line on campaign.{id}.simulation
  // (for UIs); off: nothing is published and no record is ever written as
  // JSON (the API writes are made without it).
  std::string publish_records = "on";
  // Record text handed to the publisher and not yet published, at most (MiB):
  // past it record texts are dropped (the UI feed is best effort), so a
  // catch-up faster than Redis takes its records holds this much at most.
  std::size_t publish_backlog_mb = 16;
  std::string fault_inject;  // "<actor kind>:<name>:<N>", e.g. "settlement:s1:3"; empty: off
  int restart_limit = 5;
  std::chrono::seconds restart_window{10};
  std::chrono::seconds drain_timeout{10};
  std::string input = "channels,campaign-manager";
  std::chrono::milliseconds passivate_after{std::chrono::minutes(5)};  // 0: never
  std::size_t max_outbox = 100'000;
  // Each dead-letter stream (hourglass:deadletter, hourglass:gateway:deadletter)
  // is trimmed to about this many entries (XTRIM MAXLEN ~: up to one stream
  // node, 100 entries by default, more).
  std::size_t dead_letter_max = 10'000;
  // The longest advance a campaign takes from its clock (messages/world_span):
  // a longer one is refused as bad input, nothing changed. Default 100 years.
  std::chrono::milliseconds max_advance{100LL * 365 * 86'400'000};
  std::string stream_key = "hourglass:inbox";  // the stream input's stream
  std::string stream_group = "hourglass";      // its consumer group
  // This instance's name in the group: its pending entries are its own, and
  // a restarted instance must keep the name to be given them again.
  std::string stream_consumer = "hourglass";
  // Several instances (docs/operations.md): campaigns map to `partitions`
  // (the count stored in Redis must be the same), each owned by one instance
  // through a lease of `lease_ttl`, renewed every third of it.
  int partitions = 64;
  std::chrono::milliseconds lease_ttl{10'000};
  // Setting name -> the variable or flag that set it (absent: the default),
  // so that validate() can say where a refused value came from.
  std::map<std::string, std::string> set_by;
};

// What HOURGLASS_INPUT says to listen to.
struct InputSelection {
  bool channels = false;          // campaign.*.worldTimeAdvanced / entityModified
  bool campaign_manager = false;  // entity.modified.*, socket.io#/#campaign:*
  bool stream = false;            // entries of the stream stream_key (io::RedisStreamReader)
};
// Throws ConfigError naming an unknown or missing input, and for stream
// together with channels (both carry SPEC §6's messages).
InputSelection parse_input(const std::string& input);

// "300" or "300s" (seconds), "250ms"; throws ConfigError naming `setting`.
std::chrono::milliseconds parse_duration(const std::string& setting, const std::string& text);

// A configuration that cannot even be read (a value that is not a number, an
// unreadable token file, API_TOKEN together with API_TOKEN_FILE). The message
// names every such problem, one per line.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Defaults overridden by the environment. `getenv` is std::getenv in main and
// a map lookup in tests. Every value that cannot be read (not a number, an
// unreadable secret file, API_TOKEN together with API_TOKEN_FILE, a retired
// variable such as API_BRANCH_ID) goes to `faults`, one line each naming the
// variable; such a setting keeps its default.
ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv,
                              std::vector<std::string>& faults);
// The same, throwing ConfigError listing the faults, one per line.
ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv);

// Registers every setting's flag on `app`; parsing writes into `cfg`, so call
// it with the result of config_from_env to let flags override the
// environment. `cfg` and `faults` must outlive the parse. A value that cannot
// be read goes to `faults` naming the flag ("--port: expected an integer, got
// 'abc'"), so that it is listed with every other fault.
void add_config_flags(CLI::App& app, ServiceConfig& cfg, std::vector<std::string>& faults);
// The same, failing the parse with a CLI::ValidationError naming the flag
// (and, for an unreadable --api-token-file, the path) instead.
void add_config_flags(CLI::App& app, ServiceConfig& cfg);
// Only the flags of the settings named (as validate() names them), failing
// the parse like the above: for commands that use a few (hourglass dlq).
void add_config_flags_of(CLI::App& app, ServiceConfig& cfg, const std::vector<std::string>& names);

// Every problem with `cfg`, one line each starting "<setting>: " and ending
// "(set by <variable or flag>)" when one set it; empty when valid. The
// ranges and formats are those of config_table.cpp.
std::vector<std::string> validate(const ServiceConfig& cfg);

// One line for the start-up log: every setting as name=value (durations as
// name_ms= or name_s=), secrets as *** and any password inside a URL as ***.
std::string describe(const ServiceConfig& cfg);

// The token in `path`, trailing newline(s) and carriage returns trimmed.
// Throws ConfigError naming the path when it cannot be read.
std::string read_token_file(const std::string& path);
// Likewise for API_PASSWORD_FILE.
std::string read_password_file(const std::string& path);

// The process's one login session when api_auth is login (its auth routes
// beside api_url, its requests bounded by gateway_timeout, what it does
// logged through spdlog, no secret ever); nullptr when api_auth is token.
// `cfg` must be valid (validate()).
std::shared_ptr<io::AuthSession> make_auth_session(const ServiceConfig& cfg);

}  // namespace hourglass::service
