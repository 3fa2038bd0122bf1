#include "runtime/service/config.hpp"

#include "actors/fault_injection.hpp"
#include "io/auth_session.hpp"
#include "runtime/service/branch_config.hpp"
#include "runtime/service/dead_letter_config.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace hourglass::service {
namespace {

// A whole-string decimal integer within [lo, hi] of the target type; any other
// text is an error naming `name`.
template <class Int>
bool parse_int(const std::string& name, const std::string& text, Int& out,
               std::vector<std::string>& errors) {
  long long v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || ptr != last ||
      v < static_cast<long long>(std::numeric_limits<Int>::min()) ||
      v > static_cast<long long>(std::numeric_limits<Int>::max())) {
    errors.push_back(name + ": expected an integer, got '" + text + "'");
    return false;
  }
  out = static_cast<Int>(v);
  return true;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// "scheme://user:password@host/..." -> "scheme://user:***@host/..."
std::string mask_url_password(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto authority = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority);
  const auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at == std::string::npos || at < authority) return url;
  const auto colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;  // user only, no password
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// Quotes values that would make the line ambiguous (spaces, quotes, empty).
std::string show(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \t\"=") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

namespace {

// A secret held in a file (`setting` names it in errors): trailing newline(s)
// and carriage returns trimmed.
std::string read_secret_file(const char* setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(std::string(setting) + ": cannot read '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(std::string(setting) + ": cannot read '" + path + "'");
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace

std::string read_token_file(const std::string& path) { return read_secret_file("API_TOKEN_FILE", path); }

std::string read_password_file(const std::string& path) { return read_secret_file("API_PASSWORD_FILE", path); }

ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv) {
  ServiceConfig cfg;
  std::vector<std::string> errors;
  auto get = [&](const char* name, std::string& value) {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return false;
    value = v;
    return true;
  };
  auto str = [&](const char* name, std::string& field) { get(name, field); };
  auto num = [&](const char* name, auto& field) {
    std::string v;
    if (get(name, v)) parse_int(name, v, field, errors);
  };

  str("REDIS_URL", cfg.redis_url);
  str("API_URL", cfg.api_url);
  std::string token, token_file;
  const bool has_token = get("API_TOKEN", token);
  const bool has_token_file = get("API_TOKEN_FILE", token_file);
  if (has_token && has_token_file) {
    errors.push_back("API_TOKEN and API_TOKEN_FILE are both set; set only one");
  } else if (has_token) {
    cfg.api_token = token;
  } else if (has_token_file) {
    try {
      cfg.api_token = read_token_file(token_file);
    } catch (const ConfigError& e) {
      errors.push_back(e.what());
    }
  }
  str("API_AUTH", cfg.api_auth);
  str("API_EMAIL", cfg.api_email);
  {
    std::string password_file;
    if (get("API_PASSWORD_FILE", password_file)) {
      try {
        cfg.api_password = read_password_file(password_file);
      } catch (const ConfigError& e) {
        errors.push_back(e.what());
      }
    }
  }
  str("HOURGLASS_RULES", cfg.rules_file);
  num("PORT", cfg.port);
  str("BIND", cfg.bind);
  str("LOG_LEVEL", cfg.log_level);
  str("LOG_FORMAT", cfg.log_format);
  num("GATEWAY_CONCURRENCY", cfg.gateway_concurrency);
  {
    std::string v;
    long long ms = 0;
    if (get("GATEWAY_TIMEOUT_MS", v) && parse_int("GATEWAY_TIMEOUT_MS", v, ms, errors))
      cfg.gateway_timeout = std::chrono::milliseconds(ms);
  }
  num("GATEWAY_RETRIES", cfg.gateway_retries);
  {
    std::string v;
    long long ms = 0;
    if (get("GATEWAY_BREAKER_OPEN_MS", v) && parse_int("GATEWAY_BREAKER_OPEN_MS", v, ms, errors))
      cfg.gateway_breaker_open = std::chrono::milliseconds(ms);
  }
  if (std::string v; get("API_BRANCH_ID", v))
    errors.push_back("API_BRANCH_ID is no longer read: a branch belongs to one campaign. Name a campaign's branch "
                     "in HOURGLASS_CAMPAIGN_BRANCHES=<campaign id>=<branch id>,...; any other campaign writes to "
                     "its main branch");
  str("HOURGLASS_CAMPAIGN_BRANCHES", cfg.campaign_branches);
  str("HOURGLASS_RECORD", cfg.record_file);
  str("HOURGLASS_FAULT_INJECT", cfg.fault_inject);
  str("HOURGLASS_INPUT", cfg.input);
  str("HOURGLASS_STREAM_KEY", cfg.stream_key);
  str("HOURGLASS_STREAM_GROUP", cfg.stream_group);
  str("HOURGLASS_STREAM_CONSUMER", cfg.stream_consumer);
  {
    std::string v;
    long long s = 0;
    if (get("HOURGLASS_DRAIN_TIMEOUT_S", v) && parse_int("HOURGLASS_DRAIN_TIMEOUT_S", v, s, errors))
      cfg.drain_timeout = std::chrono::seconds(s);
  }
  if (std::string v; get("HOURGLASS_PASSIVATE_AFTER", v)) {
    try {
      cfg.passivate_after = parse_duration("HOURGLASS_PASSIVATE_AFTER", v);
    } catch (const ConfigError& e) {
      errors.push_back(e.what());
    }
  }
  {
    std::string v;
    long long n = 0;
    if (get("HOURGLASS_MAX_OUTBOX", v) && parse_int("HOURGLASS_MAX_OUTBOX", v, n, errors)) {
      if (n < 1)
        errors.push_back("HOURGLASS_MAX_OUTBOX: must be at least 1, got " + v);
      else
        cfg.max_outbox = static_cast<std::size_t>(n);
    }
  }
  dead_letter_max_from_env(getenv, cfg, errors);
  num("HOURGLASS_RESTART_LIMIT", cfg.restart_limit);
  {
    std::string v;
    long long s = 0;
    if (get("HOURGLASS_RESTART_WINDOW_S", v) && parse_int("HOURGLASS_RESTART_WINDOW_S", v, s, errors))
      cfg.restart_window = std::chrono::seconds(s);
  }

  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    throw ConfigError(msg);
  }
  return cfg;
}

void add_config_flags(CLI::App& app, ServiceConfig& cfg) {
  app.add_option("--redis-url", cfg.redis_url, "Redis URL (env REDIS_URL)");
  app.add_option("--api-url", cfg.api_url, "campaign API GraphQL URL (env API_URL)");
  app.add_option_function<std::string>(
         "--api-token-file",
         [&cfg](const std::string& path) {
           try {
             cfg.api_token = read_token_file(path);
           } catch (const ConfigError& e) {
             throw CLI::ValidationError("--api-token-file", e.what());
           }
         },
         "file holding the API token (env API_TOKEN_FILE or API_TOKEN)")
      ->type_name("FILE");
  app.add_option("--api-auth", cfg.api_auth, "token|login: how to authenticate to the API (env API_AUTH)");
  app.add_option("--api-email", cfg.api_email, "the service account's email, API_AUTH=login (env API_EMAIL)");
  app.add_option_function<std::string>(
         "--api-password-file",
         [&cfg](const std::string& path) {
           try {
             cfg.api_password = read_password_file(path);
           } catch (const ConfigError& e) {
             throw CLI::ValidationError("--api-password-file", e.what());
           }
         },
         "file holding the service account's password, API_AUTH=login (env API_PASSWORD_FILE)")
      ->type_name("FILE");
  app.add_option("--rules", cfg.rules_file, "rules file; default: built-in rules (env HOURGLASS_RULES)");
  app.add_option("--port", cfg.port, "status server port (env PORT)");
  app.add_option("--bind", cfg.bind, "status server address (env BIND)");
  app.add_option("--log-level", cfg.log_level, "trace|debug|info|warn|error|off (env LOG_LEVEL)");
  app.add_option("--log-format", cfg.log_format, "json|text (env LOG_FORMAT)");
  app.add_option("--gateway-concurrency", cfg.gateway_concurrency,
                 "concurrent API writes (env GATEWAY_CONCURRENCY)");
  app.add_option_function<long long>(
         "--gateway-timeout-ms",
         [&cfg](long long ms) { cfg.gateway_timeout = std::chrono::milliseconds(ms); },
         "API request timeout in ms (env GATEWAY_TIMEOUT_MS)")
      ->type_name("MS");
  app.add_option("--gateway-retries", cfg.gateway_retries, "retries per API write (env GATEWAY_RETRIES)");
  app.add_option_function<long long>(
         "--gateway-breaker-open-ms",
         [&cfg](long long ms) { cfg.gateway_breaker_open = std::chrono::milliseconds(ms); },
         "ms the API's circuit breaker stays open before a trial call (env GATEWAY_BREAKER_OPEN_MS)")
      ->type_name("MS");
  add_campaign_branches_flag(app, cfg);
  add_dead_letter_max_flag(app, cfg);
  app.add_option("--record", cfg.record_file, "flight recorder file (env HOURGLASS_RECORD)");
  app.add_option("--input", cfg.input,
                 "what to listen to: channels,campaign-manager or stream[,campaign-manager] (env HOURGLASS_INPUT)");
  app.add_option("--stream-key", cfg.stream_key, "the stream input's Redis stream (env HOURGLASS_STREAM_KEY)");
  app.add_option("--stream-group", cfg.stream_group, "the stream input's consumer group (env HOURGLASS_STREAM_GROUP)");
  app.add_option("--stream-consumer", cfg.stream_consumer,
                 "this instance's consumer name in the group; keep it across restarts (env HOURGLASS_STREAM_CONSUMER)");
  app.add_option("--fault-inject", cfg.fault_inject,
                 "KIND:NAME:N, the actor throws at its Nth firing (env HOURGLASS_FAULT_INJECT)");
  app.add_option_function<long long>(
         "--drain-timeout-s",
         [&cfg](long long s) { cfg.drain_timeout = std::chrono::seconds(s); },
         "seconds to drain on shutdown (env HOURGLASS_DRAIN_TIMEOUT_S)")
      ->type_name("S");
  app.add_option_function<std::string>(
         "--passivate-after",
         [&cfg](const std::string& v) { cfg.passivate_after = parse_duration("--passivate-after", v); },
         "passivate a campaign idle this long: 300, 300s, 250ms; 0 never (env HOURGLASS_PASSIVATE_AFTER)")
      ->type_name("DURATION");
  app.add_option("--max-outbox", cfg.max_outbox,
                 "committed writes not yet done above which intake pauses (env HOURGLASS_MAX_OUTBOX)");
  app.add_option("--restart-limit", cfg.restart_limit,
                 "restarts per campaign (of its entity actors) or of a campaign within the window, "
                 "then escalate/quarantine (env HOURGLASS_RESTART_LIMIT)");
  app.add_option_function<long long>(
         "--restart-window-s",
         [&cfg](long long s) { cfg.restart_window = std::chrono::seconds(s); },
         "the restart limit's window in seconds (env HOURGLASS_RESTART_WINDOW_S)")
      ->type_name("S");
}

std::chrono::milliseconds parse_duration(const std::string& setting, const std::string& text) {
  std::string digits = text;
  long long scale = 1000;
  if (digits.size() > 2 && digits.compare(digits.size() - 2, 2, "ms") == 0) {
    digits.resize(digits.size() - 2);
    scale = 1;
  } else if (!digits.empty() && digits.back() == 's') {
    digits.pop_back();
  }
  const bool whole = !digits.empty() && digits.size() <= 12 &&
                     std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!whole) throw ConfigError(setting + ": expected a duration such as 300, 300s or 250ms, got \"" + text + "\"");
  return std::chrono::milliseconds(std::stoll(digits) * scale);
}

InputSelection parse_input(const std::string& input) {
  InputSelection s;
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t comma = input.find(',', start);
    const std::string item = input.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "channels")
      s.channels = true;
    else if (item == "campaign-manager")
      s.campaign_manager = true;
    else if (item == "stream")
      s.stream = true;
    else
      throw ConfigError("input: unknown input \"" + item + "\" (expected channels, campaign-manager or stream)");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (s.stream && s.channels)
    throw ConfigError("input: stream and channels together would apply the same messages twice (both carry SPEC "
                      "§6's campaign.{id}.* messages); choose one (stream,campaign-manager is fine)");
  return s;
}

std::vector<std::string> validate(const ServiceConfig& cfg) {
  std::vector<std::string> p;
  try {
    parse_input(cfg.input);
  } catch (const ConfigError& e) {
    p.push_back(e.what());
  }
  if (cfg.stream_key.empty()) p.push_back("stream_key: must not be empty");
  if (cfg.stream_group.empty()) p.push_back("stream_group: must not be empty");
  if (cfg.stream_consumer.empty()) p.push_back("stream_consumer: must not be empty");
  if (cfg.port < 1 || cfg.port > 65535)
    p.push_back("port: must be 1..65535, got " + std::to_string(cfg.port));
  if (cfg.bind.empty()) p.push_back("bind: must not be empty");
  if (cfg.gateway_concurrency < 1 || cfg.gateway_concurrency > 256)
    p.push_back("gateway_concurrency: must be 1..256, got " + std::to_string(cfg.gateway_concurrency));
  if (cfg.gateway_breaker_open < std::chrono::milliseconds(10) || cfg.gateway_breaker_open > std::chrono::hours(1))
    p.push_back("gateway_breaker_open: must be 10 ms..1 h, got " + std::to_string(cfg.gateway_breaker_open.count()) +
                " ms");
  if (cfg.gateway_retries < 0 || cfg.gateway_retries > 20)
    p.push_back("gateway_retries: must be 0..20, got " + std::to_string(cfg.gateway_retries));
  if (cfg.gateway_timeout < std::chrono::milliseconds(100) || cfg.gateway_timeout > std::chrono::minutes(10))
    p.push_back("gateway_timeout: must be 100 ms..10 min (100..600000 ms), got " +
                std::to_string(cfg.gateway_timeout.count()) + " ms");
  static const char* const levels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::none_of(std::begin(levels), std::end(levels), [&](const char* l) { return cfg.log_level == l; }))
    p.push_back("log_level: must be one of trace, debug, info, warn, error, off, got '" + cfg.log_level + "'");
  if (cfg.log_format != "json" && cfg.log_format != "text")
    p.push_back("log_format: must be json or text, got '" + cfg.log_format + "'");
  if (!starts_with(cfg.redis_url, "redis://") || cfg.redis_url.size() == 8)
    p.push_back("redis_url: must start with redis://, got '" + mask_url_password(cfg.redis_url) + "'");
  if (!(starts_with(cfg.api_url, "http://") && cfg.api_url.size() > 7) &&
      !(starts_with(cfg.api_url, "https://") && cfg.api_url.size() > 8))
    p.push_back("api_url: must start with http:// or https://, got '" + mask_url_password(cfg.api_url) + "'");
  if (cfg.api_auth == "token") {
    if (cfg.api_token.empty()) p.push_back("api_token: required (set API_TOKEN or API_TOKEN_FILE)");
  } else if (cfg.api_auth == "login") {
    if (!cfg.api_token.empty())
      p.push_back("api_token: set while api_auth is login; set API_TOKEN/API_TOKEN_FILE or API_AUTH=login, not both");
    if (cfg.api_email.empty()) p.push_back("api_email: required when api_auth is login (set API_EMAIL)");
    if (cfg.api_password.empty())
      p.push_back("api_password: required when api_auth is login (set API_PASSWORD_FILE)");
    if (!io::auth_base_url(cfg.api_url))
      p.push_back("api_url: must end in /graphql when api_auth is login (the auth routes are beside it), got '" +
                  mask_url_password(cfg.api_url) + "'");
  } else {
    p.push_back("api_auth: must be token or login, got '" + cfg.api_auth + "'");
  }
  campaign_branch_problems(cfg, p);
  dead_letter_max_problems(cfg, p);
  if (!cfg.fault_inject.empty() && !actors::parse_fault_plan(cfg.fault_inject)) {
    std::string kinds;
    for (const auto& k : actors::fault_kinds()) kinds += (kinds.empty() ? "" : "|") + k;
    p.push_back("fault_inject: must be <actor kind>:<name>:<N> with kind " + kinds +
                " and N >= 1, got '" + cfg.fault_inject + "'");
  }
  if (cfg.restart_limit < 1) p.push_back("restart_limit: must be at least 1, got " + std::to_string(cfg.restart_limit));
  if (cfg.restart_window < std::chrono::seconds(1))
    p.push_back("restart_window: must be at least 1 s, got " + std::to_string(cfg.restart_window.count()) + " s");
  if (cfg.drain_timeout < std::chrono::seconds(0) || cfg.drain_timeout > std::chrono::hours(1))
    p.push_back("drain_timeout: must be 0..3600 s, got " + std::to_string(cfg.drain_timeout.count()) + " s");
  return p;
}

std::string describe(const ServiceConfig& cfg) {
  std::ostringstream o;
  o << "redis_url=" << show(mask_url_password(cfg.redis_url))
    << " api_url=" << show(mask_url_password(cfg.api_url))
    << " api_auth=" << show(cfg.api_auth)
    << " api_token=" << (cfg.api_token.empty() ? "<unset>" : "***")
    << " api_email=" << (cfg.api_email.empty() ? "<unset>" : show(cfg.api_email))
    << " api_password=" << (cfg.api_password.empty() ? "<unset>" : "***")
    << " rules=" << (cfg.rules_file.empty() ? "<built-in>" : show(cfg.rules_file))
    << " bind=" << show(cfg.bind) << " port=" << cfg.port
    << " log_level=" << show(cfg.log_level) << " log_format=" << show(cfg.log_format)
    << " gateway_concurrency=" << cfg.gateway_concurrency
    << " gateway_timeout_ms=" << cfg.gateway_timeout.count()
    << " gateway_retries=" << cfg.gateway_retries << " gateway_breaker_open_ms=" << cfg.gateway_breaker_open.count()
    << " campaign_branches=" << (cfg.campaign_branches.empty() ? "<main branches>" : show(cfg.campaign_branches))
    << " record=" << (cfg.record_file.empty() ? "<off>" : show(cfg.record_file))
    << " fault_inject=" << (cfg.fault_inject.empty() ? "<off>" : show(cfg.fault_inject))
    << " input=" << show(cfg.input)
    << " stream_key=" << show(cfg.stream_key) << " stream_group=" << show(cfg.stream_group)
    << " stream_consumer=" << show(cfg.stream_consumer)
    << " restart_limit=" << cfg.restart_limit << " restart_window_s=" << cfg.restart_window.count()
    << " drain_timeout_s=" << cfg.drain_timeout.count()
    << " passivate_after_ms=" << cfg.passivate_after.count() << " max_outbox=" << cfg.max_outbox
    << " dead_letter_max=" << cfg.dead_letter_max;
  return o.str();
}

std::shared_ptr<io::AuthSession> make_auth_session(const ServiceConfig& cfg) {
  if (cfg.api_auth != "login") return nullptr;
  io::AuthSessionOptions o;
  o.base_url = io::auth_base_url(cfg.api_url).value_or(cfg.api_url);
  o.email = cfg.api_email;
  o.password = cfg.api_password;
  o.timeout = cfg.gateway_timeout;
  o.log = [](io::AuthLogLevel level, const std::string& line) {
    if (level == io::AuthLogLevel::Warn) {
      spdlog::warn("{}", line);
    } else {
      spdlog::info("{}", line);
    }
  };
  return std::make_shared<io::AuthSession>(std::move(o));
}

}  // namespace hourglass::service
