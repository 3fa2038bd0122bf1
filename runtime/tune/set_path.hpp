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

// Parses "PATH=V1,V2,...". Commas inside brackets, braces or JSON strings do
// not split, so a table can be given whole: `produces={"food":5,"wood":1}`.
// Throws messages::InputError naming the option.
SetOption parse_set_option(const std::string& option);

// Writes `value` at `segments` in `doc`: objects are entered by key, arrays by
// index. The last key may be new to its object (parse_rules then decides
// whether the rules know it); every other step must exist. Throws
// messages::InputError naming `path` and the first step that is missing.
void apply_set(nlohmann::json& doc, const SetOption& option, const nlohmann::json& value);

}  // namespace hourglass::runtime::tune
