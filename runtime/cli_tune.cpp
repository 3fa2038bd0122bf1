// hourglass tune SCENARIO [--rules A.json]... [--set PATH=V1,V2,...]...
//                         [--goal GOAL]... [--log-scale] [--out DIR] [--threads N] [--serve [--port P]]
// Replays the scenario under each rule set variant and writes DIR/report.html,
// DIR/summary.csv, DIR/timeline.csv and DIR/timeline-long.csv. Exit 0 ok; 2 when the scenario or a variant is
// refused (then nothing runs and nothing is written) or a file cannot be written.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "messages/input_error.hpp"
#include "runtime/cli.hpp"
#include "runtime/tune/plan.hpp"
#include "runtime/tune/live_server.hpp"
#include "runtime/tune/run_variants.hpp"
#include "runtime/tune/tune_report.hpp"
#include "runtime/tune/warnings.hpp"

namespace hourglass::runtime {
namespace {

struct TuneArgs {
  tune::TuneSpec spec;
  std::string out = "tune-out";
  std::size_t threads = 0;
  bool serve = false;  // live tuning instead of files
  int port = 8765;
};

// tune --serve: the live page on 127.0.0.1 until the process is stopped.
int serve_live(const TuneArgs& a) {
  std::unique_ptr<tune::LiveTuner> tuner;
  try {
    tuner = std::make_unique<tune::LiveTuner>(a.spec);
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: tune refused: %s\n", e.what());
    return 2;
  }
  tune::LiveServer server(*tuner);
  try {
    const int port = server.start(a.port);
    std::fprintf(stderr, "tune: %zu variant(s) of %s; live page at http://127.0.0.1:%d/ (Ctrl-C stops)\n",
                 tuner->variant_count(), a.spec.scenario_file.c_str(), port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hourglass: %s\n", e.what());
    return 2;
  }
  server.wait();
  return 0;
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

void print_stats(const std::vector<tune::Variant>& variants, const std::vector<tune::VariantResult>& results) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ReplayStats& s = results[i].stats;
    std::fprintf(stderr, "  %-40s %10llu firings %10llu records %8.3f s\n", variants[i].label.c_str(),
                 (unsigned long long)s.firings, (unsigned long long)s.records, s.wall_seconds);
  }
}

// Each warning once, with the variants it concerns.
void print_warnings(const std::vector<tune::Variant>& variants, const std::vector<tune::VariantResult>& results) {
  std::vector<std::vector<std::string>> per_variant;
  for (const tune::VariantResult& r : results) {
    per_variant.push_back(r.warnings);
    if (r.warnings_dropped > 0)
      per_variant.back().push_back("more than " + std::to_string(tune::kMaxWarnings) + " refusals; the rest not shown");
    if (r.unreadable_records > 0) per_variant.back().push_back("some record lines could not be read");
  }
  for (const tune::GroupedWarning& w : tune::group_warnings(per_variant))
    std::fprintf(stderr, "hourglass: warning: %s\n", tune::warning_line(w, tune::labels_of(variants)).c_str());
}

int run(const TuneArgs& a) {
  tune::TunePlan plan;
  try {
    plan = tune::plan_tune(a.spec);
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: tune refused: %s\n", e.what());
    return 2;
  }
  std::fprintf(stderr, "tune: %zu variant(s) of %s\n", plan.variants.size(), a.spec.scenario_file.c_str());
  std::vector<tune::VariantResult> results;
  tune::TuneFiles files;
  try {
    results = tune::run_variants(plan.scenarios, {a.threads, true});
    print_stats(plan.variants, results);
    print_warnings(plan.variants, results);
    for (const std::string& w : tune::balance_warnings(plan, results))
      std::fprintf(stderr, "hourglass: balance: %s\n", w.c_str());
    files = tune::render_tune_files(plan, results);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hourglass: tune failed: %s\n", e.what());
    return 1;
  }
  const std::filesystem::path dir(a.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [name, text] : {std::pair{"report.html", &files.html}, std::pair{"timeline.csv", &files.csv},
                                   std::pair{"timeline-long.csv", &files.long_csv},
                                   std::pair{"summary.csv", &files.summary_csv}}) {
    if (!write_file(dir / name, *text)) {
      std::fprintf(stderr, "hourglass: cannot write %s\n", (dir / name).string().c_str());
      return 2;
    }
  }
  std::fprintf(stderr, "wrote %s, %s, %s and %s\n", (dir / "report.html").string().c_str(),
               (dir / "summary.csv").string().c_str(), (dir / "timeline.csv").string().c_str(),
               (dir / "timeline-long.csv").string().c_str());
  return 0;
}

}  // namespace

Command add_tune_command(CLI::App& app) {
  auto args = std::make_shared<TuneArgs>();
  CLI::App* cmd = app.add_subcommand("tune", "Replay a scenario under several rule sets and report the differences");
  cmd->add_option("scenario", args->spec.scenario_file, "Scenario file (SPEC section 6)")->required();
  cmd->add_option("--rules", args->spec.rules_files, "A rules file to compare (repeat; default: the scenario's rules)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--set", args->spec.sets,
                  "PATH=V1,V2,...: sweep a dotted path of the rules (repeat for a cross product)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--goal", args->spec.goals,
                  "A goal each settlement should meet, e.g. \"level>=3 by day 60\", \"food>0 throughout\" (repeat)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--out", args->out, "Output directory (default: tune-out)");
  cmd->add_flag("--log-scale", args->spec.log_scale,
                "Draw the report's charts on a log scale (a checkbox on the page switches to linear)");
  cmd->add_option("--threads", args->threads, "Concurrent replays (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--serve", args->serve,
                "Live tuning: a local page with a slider per swept rule; each change re-runs the scenario");
  cmd->add_option("--port", args->port, "With --serve: the port on 127.0.0.1 (default 8765; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  return [args, cmd]() {
    if (!cmd->parsed()) return -1;
    return args->serve ? serve_live(*args) : run(*args);
  };
}

}  // namespace hourglass::runtime
