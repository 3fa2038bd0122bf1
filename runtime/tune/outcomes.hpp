// What a designer asks of one settlement under one rule set, beyond its final
// values: the day it reaches each level, the first day each resource is at 0,
// and whether it meets each goal. The summary table shows them as columns,
// and the report says which variants meet every goal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/tune/goals.hpp"
#include "runtime/tune/run_variants.hpp"

namespace hourglass::runtime::tune {

struct OutcomeSpec {
  std::map<std::string, sim::WorldTime> starts;  // campaign id → its clock at the start
  std::vector<Goal> goals;
  int top_level = 1;                             // milestones for levels 2..top_level
  std::vector<std::string> resources;            // milestones "first day at 0", in this order
};

struct SettlementOutcome {
  std::vector<std::optional<double>> level_days;  // level 2..top_level: days since the start
  std::vector<std::optional<double>> zero_days;   // per OutcomeSpec::resources
  std::vector<bool> goals;                        // per OutcomeSpec::goals
  bool meets_every_goal() const;
};

// The campaigns' starts from the scenario's initial state; the highest level
// in any series of `results`; and every resource name of any settlement.
OutcomeSpec outcome_spec(const std::vector<actors::CampaignSeed>& campaigns, const std::vector<Goal>& goals,
                         const std::vector<VariantResult>& results);

SettlementOutcome settlement_outcome(const EntityKey& key, const SettlementTimeline& timeline,
                                     const OutcomeSpec& spec);

// The variants (indices) whose every settlement meets every goal.
std::vector<std::size_t> variants_meeting_goals(const std::vector<VariantResult>& results, const OutcomeSpec& spec);

// "60.0": days to one decimal.
std::string day_text(double days);

}  // namespace hourglass::runtime::tune
