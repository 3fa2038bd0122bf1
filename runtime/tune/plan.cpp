#include "runtime/tune/plan.hpp"

#include <filesystem>

#include "messages/input_error.hpp"
#include "runtime/tune/rules_json.hpp"

namespace hourglass::runtime::tune {
namespace {

using messages::InputError;
using nlohmann::json;

std::string dir_of(const std::string& file) {
  const std::string dir = std::filesystem::path(file).parent_path().string();
  return dir.empty() ? "." : dir;
}

json read_json_file(const std::string& file) {
  try {
    return json::parse(read_text_file(file));
  } catch (const json::parse_error& e) {
    throw InputError(file, std::string("not valid JSON: ") + e.what());
  }
}

// The scenario's own rules as a source: where they came from names them.
RulesSource scenario_source(const json& doc, const std::string& file, const Scenario& scenario) {
  std::string where = "built-in default rules";
  if (const json* r = messages::member(doc, "rules"))
    where = r->is_string() ? (std::filesystem::path(dir_of(file)) / r->get<std::string>()).string()
                           : file + " (its inline rules)";
  return {"scenario", where, *scenario.rules};
}

// Checks the scenario's entities against `variant`'s rules by loading it
// again with those rules inline (messages are checked when replayed).
void check_entities(json doc, const std::string& file, const Variant& variant) {
  doc["rules"] = effective_rules_json(*variant.rules);
  doc.erase("messages");
  try {
    parse_scenario(doc, dir_of(file), file + ":$");
  } catch (const InputError& e) {
    throw InputError("variant \"" + variant.label + "\"",
                     "the scenario does not fit these rules: " + std::string(e.what()));
  }
}

}  // namespace

Scenario with_rules(const Scenario& scenario, sim::RulesPtr rules) {
  Scenario out = scenario;
  out.rules = std::move(rules);
  return out;
}

TunePlan plan_tune(const TuneSpec& spec) {
  TunePlan plan;
  plan.scenario_file = spec.scenario_file;
  plan.log_scale = spec.log_scale;
  if (spec.goals.size() > kMaxGoals)
    throw InputError("--goal", std::to_string(spec.goals.size()) + " goals; at most " + std::to_string(kMaxGoals));
  for (const std::string& goal : spec.goals) plan.goals.push_back(parse_goal(goal));
  const json doc = read_json_file(spec.scenario_file);
  plan.scenario = parse_scenario(doc, dir_of(spec.scenario_file), spec.scenario_file + ":$");

  std::vector<RulesSource> sources;
  for (const std::string& file : spec.rules_files) sources.push_back(rules_file_source(file));
  if (sources.empty()) sources.push_back(scenario_source(doc, spec.scenario_file, plan.scenario));
  std::vector<SetOption> options;
  for (const std::string& set : spec.sets) {
    options.push_back(parse_set_option(set));
    if (options.back().values.size() == 1)
      plan.fixed.push_back({options.back().path, options.back().values.front().text});
  }
  plan.variants = build_variants(sources, options);
  for (const Variant& variant : plan.variants) {
    check_entities(doc, spec.scenario_file, variant);
    plan.scenarios.push_back(with_rules(plan.scenario, variant.rules));
  }
  return plan;
}

}  // namespace hourglass::runtime::tune
