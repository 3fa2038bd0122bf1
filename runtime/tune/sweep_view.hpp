// The sweep summary at the top of a tune's report: for each swept rule with
// numeric values, small charts of the run's outcomes against its value (one
// line per combination of the other swept values); with exactly two swept
// rules, a heat map per outcome (one rule's values as rows, the other's as
// columns). Outcomes are over all settlements of a variant: final population
// and level (means), the day each level is reached (mean of the settlements
// that reach it), the lowest value of each resource, the share of missed
// maintenance payments, the share of time structures were DAMAGED. With
// goals, each point is green when the variant meets every goal in every
// settlement, else red.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "runtime/tune/outcomes.hpp"
#include "runtime/tune/plan.hpp"

namespace hourglass::runtime::tune {

// One variant's outcomes, in the order of outcome_names(spec).
struct VariantOutcomes {
  std::vector<std::optional<double>> values;
  std::vector<std::string> notes;  // per value, for the hover text ("3 of 12 reach it"), may be empty
  report::Verdict verdict = report::Verdict::None;
};

std::vector<std::string> outcome_names(const OutcomeSpec& spec);
VariantOutcomes variant_outcomes(const VariantResult& result, const OutcomeSpec& spec);

// Heat maps are drawn up to this many values per swept rule.
constexpr std::size_t kMaxHeatMapSide = 40;

std::vector<report::SweepView> sweep_views(const TunePlan& plan, const std::vector<VariantResult>& results,
                                           const OutcomeSpec& spec);

}  // namespace hourglass::runtime::tune
