#include "runtime/service/config.hpp"

#include "io/auth_session.hpp"
#include "runtime/service/config_table.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace hourglass::service {
namespace {

// The content of a secret's file, trailing newline(s) and carriage returns
// trimmed. Throws ConfigError with the reason (the caller names the source).
std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError("cannot read '" + path + "'");
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

std::string read_named_secret_file(const char* setting, const std::string& path) {
  try {
    return read_secret_file(path);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string(setting) + ": " + e.what());
  }
}

// `text` from `source` (a variable or flag; for a file source, the path of
// the file holding the value) into the row's field. Returns why it could not
// be read, or "" (then `cfg` says that `source` set it).
std::string set_from(const Setting& s, ServiceConfig& cfg, const std::string& source, const std::string& text,
                     bool names_a_file) {
  try {
    s.parse(cfg, names_a_file ? read_secret_file(text) : text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  cfg.set_by[s.name] = source;
  return "";
}

// "status server port (env PORT; default 9266)"
std::string flag_help(const Setting& s) {
  std::string env = s.env;
  if (!s.file_env.empty()) env = s.file_env + (env.empty() ? "" : " or " + env);
  std::string help = s.help + " (env " + env;
  if (!s.secret) help += "; default " + s.print(ServiceConfig{}) + (s.unit.empty() ? "" : " " + s.unit);
  return help + ")";
}

// The flags of the settings `wanted` says yes to.
void add_flags(CLI::App& app, ServiceConfig& cfg, std::vector<std::string>* faults,
               const std::function<bool(const Setting&)>& wanted) {
  for (const Setting& s : settings()) {
    if (s.flag.empty() || !wanted(s)) continue;
    // `s` is a row of the static table: it outlives the parse.
    app.add_option_function<std::string>(
           s.flag,
           [&cfg, &s, faults](const std::string& text) {
             const std::string why = set_from(s, cfg, s.flag, text, s.secret);
             if (why.empty()) return;
             if (!faults) throw CLI::ValidationError(s.flag, why);
             faults->push_back(s.flag + ": " + why);
           },
           flag_help(s))
        ->type_name(s.type_name);
  }
}

}  // namespace

std::string read_token_file(const std::string& path) { return read_named_secret_file("API_TOKEN_FILE", path); }

std::string read_password_file(const std::string& path) {
  return read_named_secret_file("API_PASSWORD_FILE", path);
}

ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv,
                              std::vector<std::string>& faults) {
  ServiceConfig cfg;
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    if (name.empty()) return std::nullopt;
    const char* v = getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  for (const auto& r : retired_variables())
    if (get(r.env)) faults.push_back(r.why);
  for (const Setting& s : settings()) {
    const auto value = get(s.env);
    const auto file = get(s.file_env);
    if (value && file) {
      faults.push_back(s.env + " and " + s.file_env + " are both set; set only one");
    } else if (value || file) {
      const std::string& source = value ? s.env : s.file_env;
      if (auto why = set_from(s, cfg, source, value ? *value : *file, !value); !why.empty())
        faults.push_back(source + ": " + why);
    }
  }
  return cfg;
}

ServiceConfig config_from_env(const std::function<const char*(const char*)>& getenv) {
  std::vector<std::string> faults;
  ServiceConfig cfg = config_from_env(getenv, faults);
  if (!faults.empty()) {
    std::string msg;
    for (const auto& f : faults) msg += (msg.empty() ? "" : "\n") + f;
    throw ConfigError(msg);
  }
  return cfg;
}

void add_config_flags(CLI::App& app, ServiceConfig& cfg, std::vector<std::string>& faults) {
  add_flags(app, cfg, &faults, [](const Setting&) { return true; });
}

void add_config_flags(CLI::App& app, ServiceConfig& cfg) {
  add_flags(app, cfg, nullptr, [](const Setting&) { return true; });
}

void add_config_flags_of(CLI::App& app, ServiceConfig& cfg, const std::vector<std::string>& names) {
  add_flags(app, cfg, nullptr,
            [&](const Setting& s) { return std::find(names.begin(), names.end(), s.name) != names.end(); });
}

std::vector<std::string> validate(const ServiceConfig& cfg) {
  std::vector<std::string> problems;
  for (const Setting& s : settings()) {
    if (!s.check) continue;
    std::vector<std::string> found;
    s.check(cfg, found);
    const auto by = cfg.set_by.find(s.name);
    const std::string source = by == cfg.set_by.end() ? "" : " (set by " + by->second + ")";
    for (const auto& f : found) problems.push_back(s.name + ": " + f + source);
  }
  return problems;
}

std::string describe(const ServiceConfig& cfg) {
  std::string line;
  for (const Setting& s : settings()) {
    if (!line.empty()) line += ' ';
    line += s.name + (s.unit.empty() ? "" : "_" + s.unit) + "=" + s.print(cfg);
  }
  return line;
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
