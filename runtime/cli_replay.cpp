// hourglass replay SCENARIO [--out FILE] [--state-out FILE] [--check EXPECTED.jsonl]
//                           [--check-state STATE.json] [--dead-letters FILE] [--threads N]
//                           [--max-advance SPAN]
// Exit 0 ok; 1 when a check finds a difference; 2 when the scenario is refused.
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "messages/input_error.hpp"
#include "messages/state_json.hpp"
#include "messages/world_span.hpp"
#include "runtime/advance_ticker.hpp"
#include "runtime/cli.hpp"
#include "runtime/record_check.hpp"
#include "runtime/replay.hpp"

namespace hourglass::runtime {
namespace {

struct ReplayArgs {
  std::string scenario;
  std::string out;
  std::string state_out;
  std::string check;
  std::string check_state;
  std::string dead_letters;
  std::size_t threads = 0;
  std::string max_advance = "100y";
};

// Prints "message k/n" on a terminal, at most every 1% of the messages.
std::function<void(std::size_t, std::size_t)> terminal_progress() {
  if (!isatty(STDERR_FILENO)) return {};
  return [](std::size_t done, std::size_t total) {
    if (total < 200 || (done % (total / 100) != 0 && done != total)) return;
    std::fprintf(stderr, "\rreplaying: message %zu/%zu", done, total);
    if (done == total) std::fputc('\n', stderr);
  };
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run(const ReplayArgs& a) {
  Scenario scenario;
  try {
    scenario = load_scenario(a.scenario);
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: scenario refused: %s\n", e.what());
    return 2;
  }
  // --check keeps the records in memory to compare them; otherwise they
  // stream to the file (or stdout) as they are produced.
  std::FILE* out_file = stdout;
  if (!a.out.empty() && a.check.empty()) {
    out_file = std::fopen(a.out.c_str(), "wb");
    if (!out_file) {
      std::fprintf(stderr, "hourglass: cannot write %s\n", a.out.c_str());
      return 2;
    }
  }
  auto collected = std::make_shared<actors::StringOutput>();
  ReplayOptions options;
  try {
    options.max_advance = messages::read_world_span(a.max_advance, "--max-advance");
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: %s\n", e.what());
    return 2;
  }
  if (options.max_advance < messages::kMsPerHour) {
    std::fprintf(stderr, "hourglass: --max-advance: must be at least 1h, got \"%s\"\n", a.max_advance.c_str());
    return 2;
  }
  // Supervision tests make an actor throw; off unless the variable is set.
  if (const char* spec = std::getenv("HOURGLASS_FAULT_INJECT"); spec && *spec) {
    auto plan = actors::parse_fault_plan(spec);
    if (!plan) {
      std::fprintf(stderr, "hourglass: HOURGLASS_FAULT_INJECT: must be <campaign|settlement|structure>:<name>:<N>"
                           " with N >= 1, got '%s'\n", spec);
      return 2;
    }
    options.faults = std::make_shared<actors::FaultInjector>(*plan);
  }
  options.threads = a.threads;
  options.want_state = !a.state_out.empty() || !a.check_state.empty();
  options.progress = terminal_progress();
  // Within a long advance too: the world time reached and firings/s.
  std::optional<AdvanceTicker> ticker;
  if (isatty(STDERR_FILENO)) {
    options.advance_progress = std::make_shared<actors::AdvanceProgress>();
    ticker.emplace(options.advance_progress, stderr);
  }
  if (a.check.empty())
    options.output = std::make_shared<actors::FileOutput>(out_file);
  else
    options.output = collected;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> dlq(nullptr, std::fclose);
  if (!a.dead_letters.empty()) {
    dlq.reset(std::fopen(a.dead_letters.c_str(), "wb"));
    if (dlq) options.dead_letters = std::make_shared<actors::FileOutput>(dlq.get());
  }

  const ReplayResult result = run_replay(scenario, options);
  ticker.reset();  // its line cleared before the summary
  if (out_file != stdout) std::fclose(out_file);
  const ReplayStats& s = result.stats;
  std::fprintf(stderr,
               "replayed %s: %llu messages (%llu applied, %llu ignored, %llu refused), "
               "%llu firings, %llu records, %.3f s wall, %.0f firings/s\n",
               scenario.name.empty() ? a.scenario.c_str() : scenario.name.c_str(),
               (unsigned long long)s.messages, (unsigned long long)s.applied,
               (unsigned long long)s.ignored, (unsigned long long)s.refused,
               (unsigned long long)s.firings, (unsigned long long)s.records, s.wall_seconds,
               s.wall_seconds > 0 ? s.firings / s.wall_seconds : 0.0);
  if (options.faults)
    std::fprintf(stderr, "fault injection %s:%s:%llu thrown %llu time(s); %llu settlement restart(s)\n",
                 options.faults->plan().kind.c_str(), options.faults->plan().name.c_str(),
                 (unsigned long long)options.faults->plan().nth, (unsigned long long)options.faults->thrown(),
                 (unsigned long long)s.restarts);
  const nlohmann::json state = messages::state_to_json(result.state);
  if (!a.state_out.empty() && !write_file(a.state_out, state.dump(1) + "\n")) {
    std::fprintf(stderr, "hourglass: cannot write %s\n", a.state_out.c_str());
    return 2;
  }
  int verdict = 0;
  if (!a.check_state.empty()) {
    nlohmann::json expected;
    try {
      expected = nlohmann::json::parse(read_text_file(a.check_state));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hourglass: %s: %s\n", a.check_state.c_str(), e.what());
      return 2;
    }
    if (auto diff = first_json_difference(expected, state)) {
      std::fprintf(stderr, "state check FAILED: %s\n", diff->c_str());
      verdict = 1;
    } else {
      std::fprintf(stderr, "state check passed: final state equals %s\n", a.check_state.c_str());
    }
  }
  if (a.check.empty()) return verdict;
  if (a.check.empty()) return 0;

  if (a.out.empty())
    std::fwrite(collected->text().data(), 1, collected->text().size(), stdout);
  else if (!write_file(a.out, collected->text()))
    std::fprintf(stderr, "hourglass: cannot write %s\n", a.out.c_str());
  std::string expected;
  try {
    expected = read_text_file(a.check);
  } catch (const messages::InputError& e) {
    std::fprintf(stderr, "hourglass: %s\n", e.what());
    return 2;
  }
  if (auto diff = first_difference(expected, collected->text())) {
    std::fprintf(stderr, "check FAILED: first difference at record %zu\n  expected: %s\n  actual:   %s\n",
                 diff->index, diff->expected.c_str(), diff->actual.c_str());
    return 1;
  }
  std::fprintf(stderr, "check passed: %llu records equal %s\n", (unsigned long long)s.records,
               a.check.c_str());
  return verdict;
}

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand("replay", "Replay a scenario file and write its records (JSON lines)");
  cmd->add_option("scenario", args->scenario, "Scenario file (SPEC section 6)")->required();
  cmd->add_option("--out", args->out, "Write records to FILE (default: stdout)");
  cmd->add_option("--state-out", args->state_out, "Write the final state as JSON to FILE");
  cmd->add_option("--check", args->check, "Compare the records with EXPECTED.jsonl; exit 1 on a difference");
  cmd->add_option("--check-state", args->check_state,
                  "Compare the final state with STATE.json; exit 1 on a difference");
  cmd->add_option("--dead-letters", args->dead_letters, "Write refused messages with their reason to FILE");
  cmd->add_option("--threads", args->threads, "Actor scheduler threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-advance", args->max_advance,
                  "Refuse an advance longer than SPAN from the campaign's clock (100y, 36500d, 12h; default 100y)")
      ->type_name("SPAN");
  return [args, cmd]() { return cmd->parsed() ? run(*args) : -1; };
}

}  // namespace hourglass::runtime
