// The rule sets a tune compares: each rules source (a --rules file, or the
// scenario's own rules) times each combination of --set values. Every
// variant is validated by parse_rules before anything runs.
#pragma once

#include <string>
#include <vector>

#include "runtime/tune/set_path.hpp"
#include "sim/rules.hpp"

namespace hourglass::runtime::tune {

struct RulesSource {
  std::string label;  // the file's stem, or "scenario"
  std::string where;  // names it in errors: the file, or the scenario's rules
  sim::Rules rules;   // validated
};

// A --rules file, validated (throws messages::InputError naming the file).
RulesSource rules_file_source(const std::string& file);

struct Setting {
  std::string path;
  std::string value;  // as written
};

struct Variant {
  std::string label;  // unique within a tune
  std::string where;  // the source and the settings, for errors
  std::vector<Setting> settings;
  sim::RulesPtr rules;
};

// Sources in order, each with every combination of the options' values (the
// first --set varies slowest). A label is the source's label plus
// " path=value" for each option with more than one value. Throws
// messages::InputError naming the variant, its file and the JSON path of the
// first fault, or two variants with the same label.
std::vector<Variant> build_variants(const std::vector<RulesSource>& sources,
                                    const std::vector<SetOption>& options);

}  // namespace hourglass::runtime::tune
