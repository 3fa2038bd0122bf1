// hourglass rules check FILE: validates a rules file and prints what the
// engine will use (defaults filled in) and its balance warnings (a level
// that can never be reached...), or the fault with its JSON path.
// hourglass rules defaults: prints the built-in rules as a complete rules
// file (every field explicit), a starting point to edit.
#include <cstdio>

#include "messages/rules_codec.hpp"
#include "runtime/cli.hpp"
#include "runtime/tune/balance.hpp"
#include "runtime/tune/rules_json.hpp"

namespace hourglass::runtime {
namespace {

void print_summary(const sim::Rules& r) {
  std::printf("rules %s: ok\n", r.version.empty() ? "(no version)" : r.version.c_str());
  std::printf("  settlement: growth rate %g, intervals (min) growth %lld, resources %lld, level-up %lld, %d levels\n",
              r.settlement.population_growth_rate,
              (long long)(r.settlement.population_growth_interval / sim::kMsPerMinute),
              (long long)(r.settlement.resource_generation_interval / sim::kMsPerMinute),
              (long long)(r.settlement.level_up_check_interval / sim::kMsPerMinute), r.level_count());
  for (const auto& [name, t] : r.structures)
    std::printf("  structure %s: construction %lld min, maintenance every %lld min, upgrade check every %lld min, max level %d\n",
                name.c_str(), (long long)(t->construction / sim::kMsPerMinute),
                (long long)(t->maintenance_interval / sim::kMsPerMinute),
                (long long)(t->upgrade_interval / sim::kMsPerMinute), t->max_level);
  std::printf("  maintenance: repair %lld, loss %lld, damaged below %lld; event grace %lld min\n",
              (long long)r.maintenance.repair_per_payment, (long long)r.maintenance.condition_loss_per_miss,
              (long long)r.maintenance.damaged_below, (long long)(r.event_grace / sim::kMsPerMinute));
}

}  // namespace

Command add_rules_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* rules = app.add_subcommand("rules", "Work with rules files");
  CLI::App* check = rules->add_subcommand("check", "Validate a rules file");
  check->add_option("file", *file, "Rules file (SPEC section 5)")->required();
  CLI::App* defaults = rules->add_subcommand("defaults", "Print the built-in rules as a complete rules file");
  rules->require_subcommand(1);
  return [file, check, defaults]() {
    if (defaults->parsed()) {
      std::printf("%s\n", tune::effective_rules_json(sim::Rules::defaults()).dump(2).c_str());
      return 0;
    }
    if (!check->parsed()) return -1;
    try {
      const sim::Rules rules = messages::load_rules_file(*file);
      print_summary(rules);
      // Valid but unbalanced: said, not refused (exit 0).
      for (const std::string& w : tune::rules_warnings(rules)) std::printf("warning: %s\n", w.c_str());
      return 0;
    } catch (const messages::InputError& e) {
      std::fprintf(stderr, "rules refused: %s\n", e.what());
      return 2;
    }
  };
}

}  // namespace hourglass::runtime
