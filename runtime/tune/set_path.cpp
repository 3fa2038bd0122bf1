#include "runtime/tune/set_path.hpp"

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
    out.values.push_back({text, parse_value(text)});
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
