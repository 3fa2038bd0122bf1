#include "runtime/record_check.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace hourglass::runtime {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  return out;
}

bool same_record(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto ja = nlohmann::json::parse(a, nullptr, false);
  auto jb = nlohmann::json::parse(b, nullptr, false);
  return !ja.is_discarded() && !jb.is_discarded() && ja == jb;
}

}  // namespace

std::optional<RecordDifference> first_difference(const std::string& expected_jsonl,
                                                 const std::string& actual_jsonl) {
  const auto expected = lines_of(expected_jsonl);
  const auto actual = lines_of(actual_jsonl);
  const std::size_t n = std::max(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool have_e = i < expected.size(), have_a = i < actual.size();
    if (have_e && have_a && same_record(expected[i], actual[i])) continue;
    return RecordDifference{i, have_e ? expected[i] : "(none)", have_a ? actual[i] : "(none)"};
  }
  return std::nullopt;
}

std::optional<std::string> first_json_difference(const nlohmann::json& expected,
                                                 const nlohmann::json& actual,
                                                 const std::string& path) {
  if (expected == actual) return std::nullopt;
  if (expected.is_object() && actual.is_object()) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto other = actual.find(it.key());
      if (other == actual.end()) return path + "." + it.key() + ": missing (expected " + it->dump() + ")";
      if (auto d = first_json_difference(*it, *other, path + "." + it.key())) return d;
    }
    for (auto it = actual.begin(); it != actual.end(); ++it)
      if (!expected.contains(it.key())) return path + "." + it.key() + ": unexpected " + it->dump();
  }
  if (expected.is_array() && actual.is_array()) {
    const std::size_t n = std::min(expected.size(), actual.size());
    for (std::size_t i = 0; i < n; ++i)
      if (auto d = first_json_difference(expected[i], actual[i], path + "[" + std::to_string(i) + "]")) return d;
    return path + ": expected " + std::to_string(expected.size()) + " elements, got " +
           std::to_string(actual.size());
  }
  return path + ": expected " + expected.dump() + ", got " + actual.dump();
}

}  // namespace hourglass::runtime
