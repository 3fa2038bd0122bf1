// What a tune will run, fully validated before the first replay: the
// scenario, its variants, and the scenario under each variant's rules (its
// entities checked against those rules too: an unknown structure type or a
// level beyond the level table refuses the tune).
#pragma once

#include <string>
#include <vector>

#include "runtime/scenario.hpp"
#include "runtime/tune/goals.hpp"
#include "runtime/tune/variants.hpp"

namespace hourglass::runtime::tune {

struct TuneSpec {
  std::string scenario_file;
  std::vector<std::string> rules_files;  // none: the scenario's own rules
  std::vector<std::string> sets;         // "PATH=V1,V2,..."
  std::vector<std::string> goals;        // "level>=3 by day 60" (goals.hpp)
  bool log_scale = false;                // --log-scale: charts on a log scale first
};

struct TunePlan {
  std::string scenario_file;
  Scenario scenario;                // under its own rules
  std::vector<Variant> variants;
  std::vector<Scenario> scenarios;  // one per variant, same index
  std::vector<Setting> fixed;       // --set options with a single value
  std::vector<Goal> goals;
  bool log_scale = false;  // the report's charts on a log scale first (and a linear one)
};

// Throws messages::InputError naming the file (and the variant) and the JSON
// path of the first fault.
TunePlan plan_tune(const TuneSpec& spec);

// `scenario` with other rules (its entities are not re-checked).
Scenario with_rules(const Scenario& scenario, sim::RulesPtr rules);

}  // namespace hourglass::runtime::tune
