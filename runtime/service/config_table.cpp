#include "runtime/service/config_table.hpp"

#include "messages/world_span.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdexcept>

#include "actors/fault_injection.hpp"
#include "io/auth_session.hpp"
#include "io/campaign_branches.hpp"
#include "io/partitions.hpp"
#include "io/redis_url.hpp"
#include "io/stream_router.hpp"
#include "runtime/service/logging.hpp"

namespace hourglass::service {
namespace {

using Problems = std::vector<std::string>;

Setting row(const char* name, const char* env, const char* flag, const char* help) {
  Setting s;
  s.name = name;
  s.env = env;
  s.flag = flag;
  s.help = help;
  return s;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

void check_redis_url(const ServiceConfig& c, Problems& p) {
  try {
    io::parse_redis_url(c.redis_url);
  } catch (const std::invalid_argument& e) {
    // io::parse_redis_url's messages start "REDIS_URL: " (its documented
    // form); here the setting is named by validate, which also says whether
    // the variable or the flag set it.
    std::string why = e.what();
    if (starts_with(why, "REDIS_URL: ")) why.erase(0, 11);
    p.push_back(why + ", got '" + mask_url_password(c.redis_url) + "'");
  }
}

void check_api_url(const ServiceConfig& c, Problems& p) {
  if (!(starts_with(c.api_url, "http://") && c.api_url.size() > 7) &&
      !(starts_with(c.api_url, "https://") && c.api_url.size() > 8))
    p.push_back("must start with http:// or https://, got '" + mask_url_password(c.api_url) + "'");
  else if (c.api_auth == "login" && !io::auth_base_url(c.api_url))
    p.push_back("must end in /graphql when api_auth is login (the auth routes are beside it), got '" +
                mask_url_password(c.api_url) + "'");
}

void check_api_auth(const ServiceConfig& c, Problems& p) {
  if (c.api_auth != "token" && c.api_auth != "login") p.push_back("must be token or login, got '" + c.api_auth + "'");
}

void check_api_token(const ServiceConfig& c, Problems& p) {
  if (c.api_auth == "token" && c.api_token.empty()) p.push_back("required (set API_TOKEN or API_TOKEN_FILE)");
  if (c.api_auth == "login" && !c.api_token.empty())
    p.push_back("set while api_auth is login; set API_TOKEN/API_TOKEN_FILE or API_AUTH=login, not both");
}

void check_api_email(const ServiceConfig& c, Problems& p) {
  if (c.api_auth == "login" && c.api_email.empty()) p.push_back("required when api_auth is login (set API_EMAIL)");
}

void check_api_password(const ServiceConfig& c, Problems& p) {
  if (c.api_auth == "login" && c.api_password.empty())
    p.push_back("required when api_auth is login (set API_PASSWORD_FILE)");
}

// A literal address, as the status server binds it. A host name (even
// localhost, which may resolve to 127.0.0.1 or ::1) is refused: what the
// server listens on must not depend on a resolver.
void check_bind(const ServiceConfig& c, Problems& p) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, c.bind.c_str(), &v4) == 1 || inet_pton(AF_INET6, c.bind.c_str(), &v6) == 1) return;
  p.push_back("must be an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0, ::1 or :: (not a host name), got '" +
              c.bind + "'");
}

void check_log_level(const ServiceConfig& c, Problems& p) {
  try {
    parse_log_level(c.log_level);
  } catch (const std::invalid_argument& e) {
    p.push_back(e.what());
  }
}

void check_log_format(const ServiceConfig& c, Problems& p) {
  try {
    make_log_formatter(c.log_format);
  } catch (const std::invalid_argument& e) {
    p.push_back(e.what());
  }
}

void check_campaign_branches(const ServiceConfig& c, Problems& p) {
  io::parse_campaign_branches(c.campaign_branches, p);
}

void check_fault_inject(const ServiceConfig& c, Problems& p) {
  if (c.fault_inject.empty() || actors::parse_fault_plan(c.fault_inject)) return;
  std::string kinds;
  for (const auto& k : actors::fault_kinds()) kinds += (kinds.empty() ? "" : "|") + k;
  p.push_back("must be <actor kind>:<name>:<N> with kind " + kinds + " and N >= 1, got '" + c.fault_inject + "'");
}

// Why `text` is not a list of inputs, or "" when it is (then `s` says which).
std::string read_input(const std::string& text, InputSelection& s) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "channels")
      s.channels = true;
    else if (item == "campaign-manager")
      s.campaign_manager = true;
    else if (item == "stream")
      s.stream = true;
    else
      return "unknown input \"" + item + "\" (expected channels, campaign-manager or stream)";
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (s.stream && s.channels)
    return "stream and channels together would apply the same messages twice (both carry SPEC §6's "
           "campaign.{id}.* messages); choose one (stream,campaign-manager is fine)";
  return "";
}

void check_input(const ServiceConfig& c, Problems& p) {
  InputSelection s;
  if (auto why = read_input(c.input, s); !why.empty()) p.push_back(why);
}

Check not_empty(std::string ServiceConfig::*field) {
  return [field](const ServiceConfig& c, Problems& p) {
    if ((c.*field).empty()) p.push_back("must not be empty");
  };
}

// Not empty, and its partition streams can share its hash slot (Redis
// Cluster: one XREADGROUP reads them all).
void check_stream_key(const ServiceConfig& c, Problems& p) {
  if (c.stream_key.empty()) return p.push_back("must not be empty");
  try {
    io::stream_input_tagged(c.stream_key);
  } catch (const std::invalid_argument& e) {
    p.push_back(e.what());
  }
}

Check check_on_off(std::string ServiceConfig::*field) {
  return [field](const ServiceConfig& c, Problems& p) {
    if (c.*field != "on" && c.*field != "off") p.push_back("must be on or off, got '" + c.*field + "'");
  };
}

Setting secret_row(const char* name, const char* env, const char* file_env, const char* flag, const char* help) {
  Setting s = row(name, env, flag, help);
  s.file_env = file_env;
  return s;
}

std::vector<Setting> make_settings() {
  using C = ServiceConfig;
  constexpr long long kHourMs = 3'600'000;
  return {
      text_setting(row("redis_url", "REDIS_URL", "--redis-url", "Redis URL"), &C::redis_url, check_redis_url),
      text_setting(row("api_url", "API_URL", "--api-url", "campaign API GraphQL URL"), &C::api_url, check_api_url),
      text_setting(row("api_auth", "API_AUTH", "--api-auth", "token|login: how to authenticate to the API"),
                   &C::api_auth, check_api_auth),
      // Never a token flag: command lines are visible in ps.
      secret_setting(secret_row("api_token", "API_TOKEN", "API_TOKEN_FILE", "--api-token-file",
                                "file holding the API token"),
                     &C::api_token, check_api_token),
      text_setting(row("api_email", "API_EMAIL", "--api-email", "the service account's email, API_AUTH=login"),
                   &C::api_email, check_api_email, "<unset>"),
      secret_setting(secret_row("api_password", "", "API_PASSWORD_FILE", "--api-password-file",
                                "file holding the service account's password, API_AUTH=login"),
                     &C::api_password, check_api_password),
      text_setting(row("rules_file", "HOURGLASS_RULES", "--rules", "rules file"),
                   &C::rules_file, {}, "<built-in>"),
      text_setting(row("bind", "BIND", "--bind", "status server address: an IPv4 or IPv6 literal"), &C::bind,
                   check_bind),
      int_setting(row("port", "PORT", "--port", "status server port (/health, /metrics)"), &C::port, 1, 65535),
      text_setting(row("log_level", "LOG_LEVEL", "--log-level", "trace|debug|info|warn|error|off"), &C::log_level,
                   check_log_level),
      text_setting(row("log_format", "LOG_FORMAT", "--log-format", "json|text"), &C::log_format, check_log_format),
      int_setting(row("gateway_concurrency", "GATEWAY_CONCURRENCY", "--gateway-concurrency", "concurrent API writes"),
                  &C::gateway_concurrency, 1, 256),
      ms_setting(row("gateway_timeout", "GATEWAY_TIMEOUT_MS", "--gateway-timeout-ms", "API request timeout in ms"),
                 &C::gateway_timeout, 100, 10 * 60'000),
      int_setting(row("gateway_retries", "GATEWAY_RETRIES", "--gateway-retries", "retries per API write"),
                  &C::gateway_retries, 0, 20),
      ms_setting(row("gateway_breaker_open", "GATEWAY_BREAKER_OPEN_MS", "--gateway-breaker-open-ms",
                     "ms the API's circuit breaker stays open before a trial call"),
                 &C::gateway_breaker_open, 10, kHourMs),
      text_setting(row("campaign_branches", "HOURGLASS_CAMPAIGN_BRANCHES", "--campaign-branches",
                       "CAMPAIGN=BRANCH,...: the branch of each named campaign's writes; any other campaign "
                       "writes to its main branch"),
                   &C::campaign_branches, check_campaign_branches, "<main branches>"),
      text_setting(row("record_file", "HOURGLASS_RECORD", "--record", "flight recorder file"), &C::record_file, {},
                   "<off>"),
      text_setting(row("publish_records", "HOURGLASS_PUBLISH_RECORDS", "--publish-records",
                       "on|off: publish every record on campaign.{id}.simulation (off: no record is made JSON)"),
                   &C::publish_records, check_on_off(&C::publish_records)),
      size_setting(row("publish_backlog_mb", "HOURGLASS_PUBLISH_BACKLOG_MB", "--publish-backlog-mb",
                       "MiB of record text waiting to be published, at most; past it record texts are dropped"),
                   &C::publish_backlog_mb, 1, 4096),
      text_setting(row("fault_inject", "HOURGLASS_FAULT_INJECT", "--fault-inject",
                       "KIND:NAME:N, the actor throws at its Nth firing (tests)"),
                   &C::fault_inject, check_fault_inject, "<off>"),
      text_setting(row("input", "HOURGLASS_INPUT", "--input",
                       "what to listen to: channels,campaign-manager or stream[,campaign-manager]"),
                   &C::input, check_input),
      text_setting(row("stream_key", "HOURGLASS_STREAM_KEY", "--stream-key", "the stream input's Redis stream"),
                   &C::stream_key, check_stream_key),
      text_setting(row("stream_group", "HOURGLASS_STREAM_GROUP", "--stream-group", "the stream input's consumer group"),
                   &C::stream_group, not_empty(&C::stream_group)),
      text_setting(row("stream_consumer", "HOURGLASS_STREAM_CONSUMER", "--stream-consumer",
                       "this instance's consumer name in the group; keep it across restarts"),
                   &C::stream_consumer, not_empty(&C::stream_consumer)),
      int_setting(row("restart_limit", "HOURGLASS_RESTART_LIMIT", "--restart-limit",
                      "restarts per campaign (of its entity actors) or of a campaign within the window, then "
                      "escalate/quarantine"),
                  &C::restart_limit, 1, 1000),
      seconds_setting(row("restart_window", "HOURGLASS_RESTART_WINDOW_S", "--restart-window-s",
                          "the restart limit's window in seconds"),
                      &C::restart_window, 1, 86'400),
      seconds_setting(row("drain_timeout", "HOURGLASS_DRAIN_TIMEOUT_S", "--drain-timeout-s",
                          "seconds to drain on shutdown"),
                      &C::drain_timeout, 0, 3600),
      duration_setting(row("passivate_after", "HOURGLASS_PASSIVATE_AFTER", "--passivate-after",
                           "passivate a campaign idle this long: 300, 300s, 250ms; 0 never"),
                       &C::passivate_after, 0, 30 * 24 * kHourMs),
      size_setting(row("max_outbox", "HOURGLASS_MAX_OUTBOX", "--max-outbox",
                       "committed writes not yet done above which intake pauses"),
                   &C::max_outbox, 1, 10'000'000),
      world_span_setting(row("max_advance", "HOURGLASS_MAX_ADVANCE", "--max-advance",
                             "refuse an advance longer than this from the campaign's clock: 100y, 36500d, 12h"),
                         &C::max_advance, messages::kMsPerHour, 1000 * messages::kMsPerYear),
      // Past 100 million a stream is no cap: an operator meant something else.
      size_setting(row("dead_letter_max", "HOURGLASS_DEAD_LETTER_MAX", "--dead-letter-max",
                       "entries each dead-letter stream is trimmed to, oldest first (XTRIM MAXLEN ~)"),
                   &C::dead_letter_max, 1, 100'000'000),
      // Fixed for a deployment: stored in Redis at first start (io/partitions).
      int_setting(row("partitions", "HOURGLASS_PARTITIONS", "--partitions",
                      "partitions campaigns map to (the unit of ownership); must equal the count stored in Redis"),
                  &C::partitions, 1, io::kMaxPartitions),
      ms_setting(row("lease_ttl", "HOURGLASS_LEASE_TTL_MS", "--lease-ttl-ms",
                     "ms a partition lease lives unrenewed (renewed every third of it)"),
                 &C::lease_ttl, 300, 10 * 60'000),
  };
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

const std::vector<RetiredVariable>& retired_variables() {
  static const std::vector<RetiredVariable> retired = {
      {"API_BRANCH_ID",
       "API_BRANCH_ID is no longer read: a branch belongs to one campaign. Name a campaign's branch in "
       "HOURGLASS_CAMPAIGN_BRANCHES=<campaign id>=<branch id>,...; any other campaign writes to its main branch"},
  };
  return retired;
}

InputSelection parse_input(const std::string& input) {
  InputSelection s;
  if (auto why = read_input(input, s); !why.empty()) throw ConfigError("input: " + why);
  return s;
}

}  // namespace hourglass::service
