#include "runtime/tune/set_path.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "messages/input_error.hpp"

namespace hourglass::runtime::tune {
namespace {

using messages::InputError;
using nlohmann::json;

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits at commas that are outside brackets, braces and double quotes.
std::vector<std::string> split_values(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trimmed(current));
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(trimmed(current));
  return out;
}

json parse_value(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(text) : value;
}

// A decimal as typed, scaled to an integer: "0.0015" is {15, 4}.
struct Decimal {
  std::int64_t scaled = 0;
  int decimals = 0;
};

constexpr int kMaxDecimals = 12;
constexpr std::int64_t kMaxScaled = 1'000'000'000'000'000;  // 1e18: no overflow below

// "-12.500" and the like; nullopt for anything else (exponents, "+1", ".5").
bool parse_decimal(const std::string& text, Decimal& out) {
  std::size_t i = text.size() > 1 && text[0] == '-' ? 1 : 0;
  const std::size_t dot = text.find('.');
  const std::string whole = text.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
  const std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; };
  if (!digits(whole) || (dot != std::string::npos && !digits(fraction))) return false;
  if (fraction.size() > kMaxDecimals || whole.size() + fraction.size() > 17) return false;
  out.decimals = static_cast<int>(fraction.size());
  out.scaled = std::strtoll((whole + fraction).c_str(), nullptr, 10) * (i ? -1 : 1);
  return true;
}

std::int64_t rescaled(const Decimal& d, int decimals) {
  std::int64_t v = d.scaled;
  for (int i = d.decimals; i < decimals; ++i) v *= 10;
  return v;
}

// `scaled` / 10^decimals written with no trailing zeros: 15, 4 → "0.0015".
std::string decimal_text(std::int64_t scaled, int decimals) {
  const bool negative = scaled < 0;
  std::string digits = std::to_string(negative ? -scaled : scaled);
  if (decimals > 0) {
    if (digits.size() <= static_cast<std::size_t>(decimals)) digits.insert(0, decimals + 1 - digits.size(), '0');
    digits.insert(digits.size() - decimals, ".");
    digits.erase(digits.find_last_not_of('0') + 1);
    if (digits.back() == '.') digits.pop_back();
  }
  return (negative && digits != "0" ? "-" : "") + digits;
}

// "FROM:TO:STEP": every FROM + k·STEP up to TO inclusive, computed on scaled
// integers so that 0.001:0.003:0.0005 gives 0.0015, not 0.0015000000000000002.
std::vector<SetValue> expand_range(const std::string& text, const std::string& where) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto colon = text.find(':', start);
    parts.push_back(trimmed(text.substr(start, colon - start)));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 3)
    throw InputError(where, "\"" + text + "\" is not a range: write FROM:TO:STEP (e.g. 0.001:0.003:0.0005)");
  Decimal d[3];
  for (int i = 0; i < 3; ++i)
    if (!parse_decimal(parts[i], d[i]))
      throw InputError(where, "range \"" + text + "\": \"" + parts[i] +
                                  "\" is not a decimal number (write 0.001, not 1e-3; at most " +
                                  std::to_string(kMaxDecimals) + " decimals)");
  const int decimals = std::max({d[0].decimals, d[1].decimals, d[2].decimals});
  const std::int64_t from = rescaled(d[0], decimals), to = rescaled(d[1], decimals), step = rescaled(d[2], decimals);
  if (std::abs(from) > kMaxScaled || std::abs(to) > kMaxScaled || step > kMaxScaled)
    throw InputError(where, "range \"" + text + "\": a number is too large for its decimals");
  if (step <= 0) throw InputError(where, "range \"" + text + "\": the step must be above 0");
  if (to < from) throw InputError(where, "range \"" + text + "\" ends before it starts");
  const std::int64_t count = (to - from) / step + 1;
  if (count > static_cast<std::int64_t>(kMaxRangeValues))
    throw InputError(where, "range \"" + text + "\" has " + std::to_string(count) + " values; at most " +
                                std::to_string(kMaxRangeValues) + " are swept");
  std::vector<SetValue> values;
  for (std::int64_t k = 0; k < count; ++k) {
    std::string value = decimal_text(from + k * step, decimals);
    json parsed = json::parse(value);
    values.push_back({std::move(value), std::move(parsed)});
  }
  return values;
}

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

SetOption parse_set_option(const std::string& option) {
  const std::string where = "--set " + option;
  const auto eq = option.find('=');
  if (eq == std::string::npos) throw InputError(where, "expected PATH=VALUE[,VALUE...]");
  SetOption out;
  out.path = trimmed(option.substr(0, eq));
  if (out.path.empty()) throw InputError(where, "the path is empty");
  std::size_t start = 0;
  for (;;) {
    const auto dot = out.path.find('.', start);
    out.segments.push_back(out.path.substr(start, dot - start));
    if (out.segments.back().empty()) throw InputError(where, "the path has an empty step");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const std::string& text : split_values(option.substr(eq + 1))) {
    if (text.empty()) throw InputError(where, "a value is empty");
    json value = parse_value(text);
    // Not JSON but with a colon: a FROM:TO:STEP range (a table such as
    // {"food":5} is JSON, so it is never taken for one).
    if (value.is_string() && text.front() != '"' && text.find(':') != std::string::npos) {
      for (SetValue& v : expand_range(text, where)) out.values.push_back(std::move(v));
      if (out.values.size() > kMaxRangeValues)
        throw InputError(where, std::to_string(out.values.size()) + " values; at most " +
                                    std::to_string(kMaxRangeValues) + " are swept");
      continue;
    }
    out.values.push_back({text, std::move(value)});
  }
  return out;
}

void apply_set(json& doc, const SetOption& option, const json& value) {
  json* node = &doc;
  std::string walked = "$";
  for (std::size_t i = 0; i < option.segments.size(); ++i) {
    const std::string& step = option.segments[i];
    const bool last = i + 1 == option.segments.size();
    if (node->is_array()) {
      if (!is_index(step) || std::stoul(step) >= node->size())
        throw InputError("--set " + option.path,
                         walked + " is a list of " + std::to_string(node->size()) +
                             " entries; \"" + step + "\" is not an index into it");
      walked += "[" + step + "]";
      node = &(*node)[std::stoul(step)];
    } else if (node->is_object()) {
      if (!last && !node->contains(step))
        throw InputError("--set " + option.path, walked + " has no field \"" + step + "\"");
      walked += "." + step;
      node = &(*node)[step];
    } else {
      throw InputError("--set " + option.path,
                       walked + " is a single value; it has no field \"" + step + "\"");
    }
  }
  *node = value;
}

}  // namespace hourglass::runtime::tune
