// Helpers for the tune tests: bundled files, temporary directories, running
// the `tune` subcommand as the executable would, independent replays, and
// reading the summary table.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "actors/record_sink.hpp"
#include "report/html_report.hpp"
#include "runtime/cli.hpp"
#include "runtime/replay.hpp"

namespace hourglass::testing {

inline std::string example(const std::string& name) {
  return std::string(HOURGLASS_SOURCE_DIR) + "/scenarios/examples/" + name;
}

// A fresh, empty directory under the system's temporary directory.
inline std::filesystem::path temp_dir(const std::string& prefix) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + "-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `hourglass tune ARGS...`; returns its exit code.
inline int run_tune_cli(const std::vector<std::string>& args) {
  CLI::App app;
  runtime::Command tune = runtime::add_tune_command(app);
  std::vector<const char*> argv = {"hourglass", "tune"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return tune();
}

struct PlainReplay {
  std::vector<sim::CampaignSnapshot> state;  // final
  std::string records;                       // JSON lines
};

// One plain replay, as `hourglass replay` would run it.
inline PlainReplay plain_replay(const runtime::Scenario& scenario) {
  auto records = std::make_shared<actors::StringOutput>();
  runtime::ReplayOptions options;
  options.threads = 2;
  options.output = records;
  options.want_state = true;
  PlainReplay out;
  out.state = runtime::run_replay(scenario, options).state;
  out.records = records->text();
  return out;
}

// The summary cell of (settlement, rule set label) in the column headed
// `column` (a metric); "" if absent. The settlement is named by its id (the
// reports of these tests cover one campaign).
inline std::string summary_cell(const report::Table& table, const std::string& settlement, const std::string& label,
                                const std::string& column) {
  auto index = [&](const std::string& name) {
    std::size_t col = 0;
    while (col < table.header.size() && table.header[col] != name) ++col;
    return col;
  };
  const std::size_t col = index(column), s = index("Settlement"), l = index("Rule set");
  for (const auto& row : table.rows)
    if (row.size() > col && row.size() > l && row[s] == settlement && row[l] == label) return row[col];
  return "";
}

}  // namespace hourglass::testing
