// The rules file (SPEC §5): JSON merged field by field over the built-in
// defaults; a table (structures map, cost and produce tables, levels)
// replaces the default whole. Every constraint fault names its JSON path.
#pragma once

#include <string>

#include "messages/json_read.hpp"
#include "sim/rules.hpp"

namespace hourglass::messages {

// Throws InputError with the path of the first fault; `where` prefixes it
// (a file name, or the scenario's `$.rules`).
sim::Rules parse_rules(const json& doc, const std::string& where = "$");
// Reads, parses and validates a rules file. Throws InputError naming the file.
sim::Rules load_rules_file(const std::string& file);

}  // namespace hourglass::messages
