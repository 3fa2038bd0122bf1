// hourglass scenario generate --settlements N --structures M --days D
//                             --step S --seed X [--out FILE]
// Writes a long scenario for tuning (runtime/tuning_scenario), after loading
// it with the same loader as every scenario file. Exit 0 ok; 2 when a flag is
// out of its bounds or the file cannot be written.
#include <cstdio>
#include <fstream>
#include <memory>

#include "messages/input_error.hpp"
#include "runtime/cli.hpp"
#include "runtime/scenario.hpp"
#include "runtime/tuning_scenario.hpp"

namespace hourglass::runtime {
namespace {

struct GenerateArgs {
  TuningScenarioShape shape;
  std::string step = "1d";
  std::string out;  // empty: stdout
};

int generate(GenerateArgs a) {
  std::string text;
  try {
    a.shape.step = parse_step(a.step, "--step");
    const nlohmann::json doc = generate_tuning_scenario(a.shape);
    parse_scenario(doc, ".", "generated scenario:$");  // what `tune` and `replay` will accept
    text = doc.dump(1) + "\n";
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: scenario generate refused: %s\n", e.what());
    return 2;
  }
  if (a.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream out(a.out, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "hourglass: cannot write %s\n", a.out.c_str());
    return 2;
  }
  std::fprintf(stderr, "wrote %s\n", a.out.c_str());
  return 0;
}

}  // namespace

Command add_scenario_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* scenario = app.add_subcommand("scenario", "Work with scenario files");
  CLI::App* gen = scenario->add_subcommand("generate", "Write a long scenario to tune rules on");
  gen->add_option("--settlements", args->shape.settlements, "Settlements (default 10, at most 1000)");
  gen->add_option("--structures", args->shape.structures, "Structures per settlement (default 3, at most 50)");
  gen->add_option("--days", args->shape.days, "World days the scenario advances (default 90, at most 3650)");
  gen->add_option("--step", args->step, "One advance: 30m, 6h, 1d... (default 1d)");
  gen->add_option("--seed", args->shape.seed, "Random seed: the same seed gives the same file (default 1)");
  gen->add_option("--out", args->out, "Output file (default: standard output)");
  scenario->require_subcommand(1);
  return [args, gen]() { return gen->parsed() ? generate(*args) : -1; };
}

}  // namespace hourglass::runtime
