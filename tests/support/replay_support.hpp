// Small helpers shared by the replay tests: run a scenario document through
// run_replay and collect its records and final state; describe where two
// record texts first differ (a readable failure instead of two huge strings).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>
#include <string>
#include <vector>

#include "actors/record_sink.hpp"
#include "messages/state_json.hpp"
#include "runtime/replay.hpp"
#include "runtime/scenario.hpp"

namespace hourglass::testing {

struct ReplayRun {
  std::string records;        // the JSON lines, exactly as written
  nlohmann::json state;       // state_to_json of the final state
  std::string dead_letters;   // JSON lines of refused messages
  runtime::ReplayStats stats;
};

// Refused messages and gaps are logged by the engine: the tests check them
// through stats and dead letters, so the log is silenced.
inline void quiet_engine_logs() { spdlog::set_level(spdlog::level::off); }

inline ReplayRun replay_scenario(const runtime::Scenario& scenario, std::size_t threads,
                                 sim::Duration max_step = 24 * 60 * sim::kMsPerMinute,
                                 actors::FaultInjectorPtr faults = nullptr) {
  quiet_engine_logs();
  auto records = std::make_shared<actors::StringOutput>();
  auto dead = std::make_shared<actors::StringOutput>();
  runtime::ReplayOptions options;
  options.threads = threads;
  options.output = records;
  options.dead_letters = dead;
  options.want_state = true;
  options.max_step = max_step;
  options.faults = std::move(faults);
  runtime::ReplayResult result = runtime::run_replay(scenario, options);
  return {records->text(), messages::state_to_json(result.state), dead->text(), result.stats};
}

inline ReplayRun replay_json(const nlohmann::json& doc, std::size_t threads,
                             sim::Duration max_step = 24 * 60 * sim::kMsPerMinute) {
  return replay_scenario(runtime::parse_scenario(doc, "", "$"), threads, max_step);
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

// "" when equal; else the first differing line of each (1-based).
inline std::string first_difference(const std::string& a, const std::string& b,
                                    const char* name_a = "expected", const char* name_b = "actual") {
  if (a == b) return "";
  const auto la = split_lines(a), lb = split_lines(b);
  std::size_t i = 0;
  while (i < la.size() && i < lb.size() && la[i] == lb[i]) ++i;
  std::ostringstream out;
  out << "records differ at line " << i + 1 << " (" << name_a << " has " << la.size() << " lines, "
      << name_b << " has " << lb.size() << ")\n  " << name_a << ": "
      << (i < la.size() ? la[i] : "<end>") << "\n  " << name_b << ": "
      << (i < lb.size() ? lb[i] : "<end>");
  if (i == la.size() && i == lb.size()) out << "\n  (lines equal; whitespace or line ends differ)";
  return out.str();
}

// "" when equal; else a JSON patch from `a` to `b`, shortened.
inline std::string state_difference(const nlohmann::json& a, const nlohmann::json& b) {
  if (a == b) return "";
  std::string d = nlohmann::json::diff(a, b).dump();
  if (d.size() > 2000) d = d.substr(0, 2000) + "...";
  return "state differs: " + d;
}

}  // namespace hourglass::testing
