#include "runtime/service/setting.hpp"

#include "messages/input_error.hpp"
#include "messages/world_span.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

namespace hourglass::service {
namespace {

// A whole-string decimal integer ("+" allowed) within [lo, hi] of the field's
// type; nullopt for any other text.
std::optional<long long> whole_number(const std::string& text, long long lo, long long hi) {
  long long v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || ptr != last || v < lo || v > hi) return std::nullopt;
  return v;
}

template <class Int>
Int parse_whole(const std::string& text) {
  constexpr long long lo = static_cast<long long>(std::numeric_limits<Int>::min());
  // size_t's maximum does not fit a long long: the range check bounds it long before.
  constexpr long long hi = std::numeric_limits<Int>::max() > static_cast<unsigned long long>(
                                                                  std::numeric_limits<long long>::max())
                               ? std::numeric_limits<long long>::max()
                               : static_cast<long long>(std::numeric_limits<Int>::max());
  const auto v = whole_number(text, lo, hi);
  if (!v) throw ConfigError("expected an integer, got '" + text + "'");
  return static_cast<Int>(*v);
}

// The range check of a numeric row: "must be lo..hi ms, got v ms".
Check range(std::function<long long(const ServiceConfig&)> value, long long lo, long long hi, std::string unit) {
  const std::string u = unit.empty() ? "" : " " + unit;
  return [=](const ServiceConfig& cfg, std::vector<std::string>& problems) {
    const long long v = value(cfg);
    if (v < lo || v > hi)
      problems.push_back("must be " + std::to_string(lo) + ".." + std::to_string(hi) + u + ", got " +
                         std::to_string(v) + u);
  };
}

// "300" or "300s" (seconds), "250ms".
std::optional<std::chrono::milliseconds> read_duration(const std::string& text) {
  std::string digits = text;
  long long scale = 1000;
  if (digits.size() > 2 && digits.compare(digits.size() - 2, 2, "ms") == 0) {
    digits.resize(digits.size() - 2);
    scale = 1;
  } else if (!digits.empty() && digits.back() == 's') {
    digits.pop_back();
  }
  // At most 12 digits: 10^12 s in milliseconds still fits a long long.
  const bool whole = !digits.empty() && digits.size() <= 12 &&
                     std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!whole) return std::nullopt;
  return std::chrono::milliseconds(std::stoll(digits) * scale);
}

std::string duration_expected(const std::string& text) {
  return "expected a duration such as 300, 300s or 250ms, got \"" + text + "\"";
}

// Quotes values that would make describe()'s line ambiguous (spaces, quotes, empty).
std::string show(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \t\"=") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class Field>
Setting numeric(Setting row, Field ServiceConfig::*field, long long lo, long long hi, const char* type_name,
                std::function<long long(const Field&)> count) {
  if (row.type_name.empty()) row.type_name = type_name;
  row.check = range([field, count](const ServiceConfig& c) { return count(c.*field); }, lo, hi, row.unit);
  row.print = [field, count](const ServiceConfig& c) { return std::to_string(count(c.*field)); };
  return row;
}

// A std::chrono duration read and shown as a whole count of its unit.
template <class Duration>
Setting count_setting(Setting row, Duration ServiceConfig::*field, long long lo, long long hi, const char* unit,
                      const char* type_name) {
  row.unit = unit;
  row = numeric<Duration>(std::move(row), field, lo, hi, type_name,
                          [](const Duration& v) { return static_cast<long long>(v.count()); });
  row.parse = [field](ServiceConfig& c, const std::string& text) { c.*field = Duration(parse_whole<long long>(text)); };
  return row;
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& setting, const std::string& text) {
  if (auto d = read_duration(text)) return *d;
  throw ConfigError(setting + ": " + duration_expected(text));
}

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

Setting text_setting(Setting row, std::string ServiceConfig::*field, Check check, std::string unset) {
  if (row.type_name.empty()) row.type_name = "TEXT";
  row.parse = [field](ServiceConfig& c, const std::string& text) { c.*field = text; };
  row.check = std::move(check);
  row.print = [field, unset](const ServiceConfig& c) {
    const std::string& v = c.*field;
    return v.empty() && !unset.empty() ? unset : show(mask_url_password(v));
  };
  return row;
}

Setting secret_setting(Setting row, std::string ServiceConfig::*field, Check check) {
  row.secret = true;
  row.type_name = "FILE";
  row.parse = [field](ServiceConfig& c, const std::string& text) { c.*field = text; };
  row.check = std::move(check);
  row.print = [field](const ServiceConfig& c) { return (c.*field).empty() ? "<unset>" : "***"; };
  return row;
}

Setting int_setting(Setting row, int ServiceConfig::*field, long long lo, long long hi) {
  row = numeric<int>(std::move(row), field, lo, hi, "INT", [](const int& v) { return static_cast<long long>(v); });
  row.parse = [field](ServiceConfig& c, const std::string& text) { c.*field = parse_whole<int>(text); };
  return row;
}

Setting size_setting(Setting row, std::size_t ServiceConfig::*field, long long lo, long long hi) {
  row = numeric<std::size_t>(std::move(row), field, lo, hi, "INT",
                             [](const std::size_t& v) { return static_cast<long long>(v); });
  row.parse = [field](ServiceConfig& c, const std::string& text) { c.*field = parse_whole<std::size_t>(text); };
  return row;
}

Setting ms_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi) {
  return count_setting(std::move(row), field, lo, hi, "ms", "MS");
}

Setting seconds_setting(Setting row, std::chrono::seconds ServiceConfig::*field, long long lo, long long hi) {
  return count_setting(std::move(row), field, lo, hi, "s", "S");
}

Setting duration_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi) {
  row = ms_setting(std::move(row), field, lo, hi);
  row.type_name = "DURATION";
  row.parse = [field](ServiceConfig& c, const std::string& text) {
    const auto d = read_duration(text);
    if (!d) throw ConfigError(duration_expected(text));
    c.*field = *d;
  };
  return row;
}

Setting world_span_setting(Setting row, std::chrono::milliseconds ServiceConfig::*field, long long lo, long long hi) {
  row = ms_setting(std::move(row), field, lo, hi);
  row.type_name = "SPAN";
  row.parse = [field](ServiceConfig& c, const std::string& text) {
    try {
      c.*field = std::chrono::milliseconds(messages::read_world_span(text, ""));
    } catch (const messages::InputError& e) {
      throw ConfigError(e.what());
    }
  };
  row.check = [field, lo, hi](const ServiceConfig& c, std::vector<std::string>& faults) {
    const long long v = (c.*field).count();
    if (v < lo || v > hi)
      faults.push_back("must be " + messages::describe_world_span(lo) + ".." + messages::describe_world_span(hi) +
                       ", got " + messages::describe_world_span(v));
  };
  return row;
}

}  // namespace hourglass::service
