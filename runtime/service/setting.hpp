// One setting of `hourglass serve` (a row of config_table): where it is read
// from, how its text becomes its ServiceConfig field, which values it may
// take, and how describe() shows it. config_from_env, add_config_flags,
// validate and describe loop over the rows, so a setting is read, checked
// and shown the same way whatever set it (environment, flag or default).
//
// The makers below build the usual kinds of row (text, whole number,
// milliseconds, seconds, duration); a row with a rule of its own passes its
// check.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "runtime/service/config.hpp"

namespace hourglass::service {

struct Setting {
  std::string name;      // as validate() and describe() name it: "port"
  std::string env;       // the variable holding the value itself; "" none
  std::string file_env;  // the variable naming a file that holds the value (secrets); "" none
  std::string flag;      // "--port"; a secret's flag names a file (command lines show in ps); "" none
  std::string type_name; // the flag's value in --help: INT, MS, FILE...
  std::string help;      // the flag's help, without the variable (added from env/file_env)
  std::string unit;      // "ms" or "s" for durations: describe() shows "<name>_<unit>=<count>"
  bool secret = false;   // describe() shows *** (or <unset>), never the value
  // The text from env, the flag or the secret's file into the field. Throws
  // ConfigError with the reason only ("expected an integer, got 'x'"): the
  // caller names the variable or flag it came from.
  std::function<void(ServiceConfig&, const std::string&)> parse;
  // What is wrong with the value, whatever set it, one reason per line and
  // without the setting's name (validate adds it); nothing when it is fine.
  // May read other settings (api_token is required when api_auth is token).
  std::function<void(const ServiceConfig&, std::vector<std::string>&)> check;
  // The value as describe() shows it (a secret's is never asked).
  std::function<std::string(const ServiceConfig&)> print;
};

using Check = std::function<void(const ServiceConfig&, std::vector<std::string>&)>;

// Text as is; `check` decides what is valid (none: anything). `unset` is
// what describe() shows for the empty text ("" shows it quoted).
Setting text_setting(Setting row, std::string ServiceConfig::*field, Check check = {}, std::string unset = "");
// A secret (api_token, api_password): text, shown as *** or <unset>.
Setting secret_setting(Setting row, std::string ServiceConfig::*field, Check check);
// A whole number in [lo, hi] (the range is the check).
Setting int_setting(Setting row, int ServiceConfig::*field, long long lo, long long hi);
Setting size_setting(Setting row, std::size_t ServiceConfig::*field, long long lo, long long hi);
// A whole number of milliseconds / seconds in [lo, hi] of that unit.
Setting ms_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi);
Setting seconds_setting(Setting row, std::chrono::seconds ServiceConfig::*field, long long lo, long long hi);
// A duration as parse_duration reads it ("300", "300s", "250ms"), in
// [lo, hi] milliseconds.
Setting duration_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi);

// A span of world time as messages::read_world_span reads it ("100y",
// "36500d", "12h"), in [lo, hi] milliseconds.
Setting world_span_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi);

// "scheme://user:password@host/..." -> "scheme://user:***@host/..."
std::string mask_url_password(const std::string& url);

}  // namespace hourglass::service
