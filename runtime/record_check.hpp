// `replay --check`: compares records as the SPEC defines equality (same
// length, each pair equal as parsed JSON; key order is free).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hourglass::runtime {

struct RecordDifference {
  std::size_t index = 0;  // 0-based record index
  std::string expected;   // the line, or "(none)" past the end
  std::string actual;
};

// The first difference, or nullopt when the lists are equal.
std::optional<RecordDifference> first_difference(const std::string& expected_jsonl,
                                                 const std::string& actual_jsonl);

// `replay --check-state`: the first place where two JSON documents differ,
// as "PATH: expected X, got Y", or nullopt when they are equal.
std::optional<std::string> first_json_difference(const nlohmann::json& expected,
                                                 const nlohmann::json& actual,
                                                 const std::string& path = "$");

}  // namespace hourglass::runtime
