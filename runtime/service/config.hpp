// Service configuration (`hourglass serve`): defaults, then environment
// variables, then command-line flags (flags win). validate() lists every
// problem at once, so an operator fixes them in one round.
//
//   setting               env                        flag
//   redis_url             REDIS_URL                  --redis-url
//   api_url               API_URL                    --api-url
//   api_auth              API_AUTH                   --api-auth         token (default) | login
//   api_token             API_TOKEN | API_TOKEN_FILE --api-token-file   (never a token flag:
//                                                                         command lines leak into ps)
//   api_email             API_EMAIL                  --api-email        (api_auth=login)
//   api_password          API_PASSWORD_FILE          --api-password-file (api_auth=login; the file,
//                                                                         never the password itself)
//   rules_file            HOURGLASS_RULES            --rules
//   port                  PORT                       --port
//   bind                  BIND                       --bind
//   log_level             LOG_LEVEL                  --log-level
//   log_format            LOG_FORMAT                 --log-format
//   gateway_concurrency   GATEWAY_CONCURRENCY        --gateway-concurrency
//   gateway_timeout       GATEWAY_TIMEOUT_MS         --gateway-timeout-ms
//   gateway_retries       GATEWAY_RETRIES            --gateway-retries
//   gateway_breaker_open  GATEWAY_BREAKER_OPEN_MS    --gateway-breaker-open-ms (how long the API's
//                         circuit breaker stays open before a trial call; default 30000)
//   campaign_branches     HOURGLASS_CAMPAIGN_BRANCHES --campaign-branches
//                         "c1=branchA,c2=branchB": the branch each named campaign's
//                         writes go to; any other campaign writes to its main branch
//                         (io/campaign_branches). API_BRANCH_ID, one branch for every
//                         campaign, is refused: the API ties a branch to one campaign.
//   record_file           HOURGLASS_RECORD           --record
//   fault_inject          HOURGLASS_FAULT_INJECT     --fault-inject
//   drain_timeout         HOURGLASS_DRAIN_TIMEOUT_S  --drain-timeout-s
//   restart_limit         HOURGLASS_RESTART_LIMIT    --restart-limit
//   restart_window        HOURGLASS_RESTART_WINDOW_S --restart-window-s
//   input                 HOURGLASS_INPUT            --input
//                         (comma-separated: channels = SPEC §6's campaign.*
//                         channels; campaign-manager = the campaign API's own
//                         entity.modified.* and Socket.IO world_time_changed;
//                         stream = SPEC §6's messages as entries of a Redis
//                         stream, read by a consumer group, not with channels;
//                         default channels,campaign-manager)
//   passivate_after       HOURGLASS_PASSIVATE_AFTER  --passivate-after  (a campaign idle this long is
//                         passivated: its actors stop, its checkpoint is in Redis; "300" or
//                         "300s" seconds, "250ms"; 0 never; default 300 s)
//   max_outbox            HOURGLASS_MAX_OUTBOX       --max-outbox       (committed writes not yet done
//                         above which intake pauses; default 100000)
//   dead_letter_max       HOURGLASS_DEAD_LETTER_MAX  --dead-letter-max  (each dead-letter stream is
//                         trimmed to about this many entries; default 10000;
//                         runtime/service/dead_letter_config)
//   stream_key            HOURGLASS_STREAM_KEY       --stream-key       (input stream)
//   stream_group          HOURGLASS_STREAM_GROUP     --stream-group
//   stream_consumer       HOURGLASS_STREAM_CONSUMER  --stream-consumer
//
// An environment variable set to the empty string counts as unset.
#pragma once

#include <chrono>
#include <functional>
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
  std::string fault_inject;  // "<actor kind>:<name>:<N>", e.g. "settlement:s1:3"; empty: off
  int restart_limit = 5;
  std::chrono::seconds restart_window{10};
  std::chrono::seconds drain_timeout{10};
  std::string input = "channels,campaign-manager";
  std::chrono::milliseconds passivate_after{std::chrono::minutes(5)};  // 0: never
  std::size_t max_outbox = 100'000;
  std::size_t dead_letter_max = 10'000;  // dead_letter_config.hpp
  std::string stream_key = "hourglass:inbox";  // the stream input's stream
  std::string stream_group = "hourglass";      // its consumer group
  // This instance's name in the group: its pending entries are its own, and
  // a restarted instance must keep the name to be given them again.
  std::string stream_consumer = "hourglass";
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
// a map lookup in tests. Throws ConfigError.
ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv);

// Registers the flags above on `app`; parsing writes into `cfg`, so call it
// with the result of config_from_env to let flags override the environment.
// `cfg` must outlive the parse. An unreadable --api-token-file fails the parse
// with a CLI::ValidationError naming the path.
void add_config_flags(CLI::App& app, ServiceConfig& cfg);

// Every problem with `cfg`, each naming its setting; empty when valid.
std::vector<std::string> validate(const ServiceConfig& cfg);

// One line for the start-up log: every setting, the token as *** and any
// password inside a URL as ***.
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
