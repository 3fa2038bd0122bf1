// Short names for the variants of a tune, for chart legends and the long CSV:
// `populationGrowthRate=0.002 gold=4` instead of `scenario
// settlement.populationGrowthRate=0.002 structures.farm.maintenanceCost.gold=4`.
// Only what tells the variants apart is kept: the rules source when there
// are several, and each swept path by the shortest tail of its steps that no
// other swept path shares.
#pragma once

#include <string>
#include <vector>

#include "runtime/tune/variants.hpp"

namespace hourglass::runtime::tune {

// One per variant, same order; unique whenever the full labels are (a
// variant with nothing to tell it apart keeps its full label).
std::vector<std::string> short_labels(const std::vector<Variant>& variants);

// The indices into Variant::settings whose value differs between variants
// (every variant has the same settings, in order), and their paths.
std::vector<std::size_t> swept_settings(const std::vector<Variant>& variants);
std::vector<std::string> swept_paths(const std::vector<Variant>& variants);

// The shortest dotted tail of each path that no other path ends with:
// {"settlement.populationGrowthRate", "structures.farm.maintenanceCost.gold",
// "structures.mine.maintenanceCost.gold"} → {"populationGrowthRate",
// "farm.maintenanceCost.gold", "mine.maintenanceCost.gold"}.
std::vector<std::string> short_paths(const std::vector<std::string>& paths);

}  // namespace hourglass::runtime::tune
