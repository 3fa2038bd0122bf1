// The rules a replay uses, written back as a complete rules document (every
// field explicit, defaults filled in). `--set` edits this document, so that
// setting one cost keeps the other structure types and cost entries, although
// in a rules file a table replaces the default whole (SPEC reading 7).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/rules.hpp"

namespace hourglass::runtime::tune {

// parse_rules(effective_rules_json(r)) gives back `r`.
nlohmann::json effective_rules_json(const sim::Rules& rules);

}  // namespace hourglass::runtime::tune
