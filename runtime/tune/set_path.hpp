// `--set PATH=V1,V2,...`: a dotted path into a rules JSON document and the
// values to sweep it over. Parsing the option and writing one value into a
// document are kept apart from validation, which is parse_rules' job.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hourglass::runtime::tune {

struct SetValue {
  std::string text;     // as the designer wrote it (for labels)
  nlohmann::json value; // parsed as JSON; text that is not JSON is a string
};

struct SetOption {
  std::string path;                // e.g. "settlement.levels.1.populationCap"
  std::vector<std::string> segments;
  std::vector<SetValue> values;    // at least one
};

// The most values one --set may sweep (a range is expanded into values).
constexpr std::size_t kMaxRangeValues = 1000;

// Parses "PATH=V1,V2,...". Commas inside brackets, braces or JSON strings do
// not split, so a table can be given whole: `produces={"food":5,"wood":1}`.
// A value FROM:TO:STEP (decimals, STEP > 0) stands for FROM, FROM+STEP, ...
// up to TO inclusive, each written as a decimal with no trailing zeros:
// 0.001:0.003:0.0005 gives 0.001, 0.0015, 0.002, 0.0025, 0.003.
// Throws messages::InputError naming the option.
SetOption parse_set_option(const std::string& option);

// Writes `value` at `segments` in `doc`: objects are entered by key, arrays by
// index. The last key may be new to its object (parse_rules then decides
// whether the rules know it); every other step must exist. Throws
// messages::InputError naming `path` and the first step that is missing.
void apply_set(nlohmann::json& doc, const SetOption& option, const nlohmann::json& value);

}  // namespace hourglass::runtime::tune
