// The report's summary table: a row per settlement and rule set, with the
// settlement's final population, level and resources (from that rule set's
// final state), the maintenance payments its structures made and missed and
// the upgrade notices they got, and a last column that lists how each figure
// differs from the first rule set ("population +120, gold -4"). "–" marks a
// value a rule set lacks (a settlement deleted, or never created, under it).
// Headers are short, so that the table fits the page beside long labels.
#pragma once

#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "runtime/tune/outcomes.hpp"
#include "runtime/tune/run_variants.hpp"

namespace hourglass::runtime::tune {

// Columns: Settlement ("campaign / id" when there are several campaigns),
// Rule set, population, level, each resource name of any settlement (byte
// order), paid, missed, upgrades, "Δ vs first". Rows: settlements in
// (campaign, id) order, each with one row per label in label order.
//
// With `outcomes`, columns before "Δ vs first": "day level N" for N in
// 2..top_level (days since the start when the settlement first held level N
// or more), "day R 0" for each resource R (the first day it was at 0), and,
// with goals, "goals": "pass" or "fail: " and the goals missed, its cell
// classed "pass" or "fail". "–": never.
report::Table summary_table(const std::vector<std::string>& labels, const std::vector<VariantResult>& results,
                            const OutcomeSpec* outcomes = nullptr);

// Every settlement of any rule set (initial, recorded or final), in order.
std::vector<EntityKey> settlement_keys(const std::vector<VariantResult>& results);

// The resource names a settlement has under any rule set, in byte order.
std::vector<std::string> resource_names(const EntityKey& key, const std::vector<VariantResult>& results);

}  // namespace hourglass::runtime::tune
