// Balance warnings: what a designer should know before reading numbers.
// - From the rules alone (also printed by `hourglass rules check`): a level
//   that can never be reached, a level at which nothing grows, a maintenance
//   cost in a resource nothing produces.
// - From one variant's replay: a settlement at its population cap at the
//   end, a resource at 0 most of the time, a structure DAMAGED most of the
//   time.
// - From the sweep: a swept rule that an entity's own variable overrides,
//   so it changes nothing there.
// Pure functions; the tune groups each warning with the variants it concerns.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/tune/run_variants.hpp"
#include "sim/campaign_seed.hpp"
#include "sim/rules.hpp"

namespace hourglass::runtime::tune {

// "Most of the time": the share of a run above which a warning is given.
constexpr double kMostOfTheTime = 0.5;

std::vector<std::string> rules_warnings(const sim::Rules& rules);

// `starts`: each campaign's clock at the start (its end is its final clock).
std::vector<std::string> outcome_warnings(const VariantResult& result, const sim::Rules& rules,
                                          const std::map<std::string, sim::WorldTime>& starts);

// For each swept rules path that some settlement's (or all of its structures
// of that type's) own variable overrides: "PATH is swept but changes nothing
// for s005: its own variable populationGrowthRate overrides it".
std::vector<std::string> override_warnings(const std::vector<std::string>& swept_paths,
                                           const std::vector<sim::CampaignSeed>& campaigns);

// The share of [start, end] during which the step series passes `test`
// (before its first point the series is unknown and not counted).
double share_of_time(const std::vector<report::Point>& series, sim::WorldTime start, sim::WorldTime end,
                     bool (*test)(double));

}  // namespace hourglass::runtime::tune
