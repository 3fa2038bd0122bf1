// The files a tune writes: report.html (goal verdicts, summary table, then
// the charts), summary.csv, timeline.csv and timeline-long.csv. Equal input gives byte-identical text.
#pragma once

#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "runtime/tune/plan.hpp"
#include "runtime/tune/run_variants.hpp"

namespace hourglass::runtime::tune {

std::vector<std::string> labels_of(const std::vector<Variant>& variants);

// The balance warnings of a tune (balance.hpp), each once: the rules' and the
// replays' with the variants they concern (short labels), then the swept
// rules that entities' own variables override; at most kMaxBalanceWarnings
// lines and one that counts the rest.
constexpr std::size_t kMaxBalanceWarnings = 40;
std::vector<std::string> balance_warnings(const TunePlan& plan, const std::vector<VariantResult>& results);

report::ReportInput report_input(const TunePlan& plan, const std::vector<VariantResult>& results);

struct TuneFiles {
  std::string html;  // report.html
  std::string csv;   // timeline.csv
  std::string long_csv;  // timeline-long.csv
  std::string summary_csv;  // summary.csv: the summary table
};

// Consumes the kept records of `results`. Draws the report and writes the
// CSVs on three threads.
// Without `long_form`, TuneFiles::long_csv stays empty (it is the largest:
// the benchmark, which does not write it, skips it).
TuneFiles render_tune_files(const TunePlan& plan, std::vector<VariantResult>& results, bool long_form = true);

}  // namespace hourglass::runtime::tune
