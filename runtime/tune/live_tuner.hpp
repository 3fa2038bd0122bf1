// `hourglass tune --serve`: live tuning. A local page with a slider per swept
// rule (its values as --set gave them) and, with several rules files, a
// choice of file; each change re-runs the scenario under that one variant
// with the real engine and shows its report (goal verdicts, balance
// warnings, summary, charts). The rules of any setting can be saved as a
// rules file. The page and the server are local (127.0.0.1).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/tune/plan.hpp"

namespace hourglass::runtime::tune {

// One control of the page: a swept rule's values, or the rules files.
struct LiveControl {
  std::string name;                 // the path, or "rules file"
  std::vector<std::string> values;  // as written
};

class LiveTuner {
 public:
  // `spec` as for plan_tune (validated the same way); throws
  // messages::InputError like it.
  explicit LiveTuner(const TuneSpec& spec);

  const std::vector<LiveControl>& controls() const { return controls_; }
  std::size_t variant_count() const { return plan_.variants.size(); }

  // The variant index of a request's `v` parameter: a whole number below
  // variant_count(). Throws messages::InputError naming "v".
  std::size_t parse_index(const std::string& text) const;

  // Replays variant `v` now (one replay at a time) and renders its report.
  std::string run_report(std::size_t v);

  // Variant `v`'s complete rules, as a rules file (rules check accepts it).
  std::string rules_file(std::size_t v) const;

  // The control page (self-contained: its script and style inline).
  std::string page() const;

 private:
  TunePlan plan_;
  std::vector<LiveControl> controls_;  // in odometer order: the first varies slowest
  std::mutex run_mutex_;
};

}  // namespace hourglass::runtime::tune
