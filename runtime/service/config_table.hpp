// Every setting of `hourglass serve`, one row each (runtime/service/setting):
// its name, variable, flag, parser, check and printer. Adding a setting is
// adding a field to ServiceConfig, a row here and a line in
// docs/operations.md's configuration table (a test compares the two).
#pragma once

#include <string>
#include <vector>

#include "runtime/service/setting.hpp"

namespace hourglass::service {

// In the order describe() and --help show them.
const std::vector<Setting>& settings();

// A variable no longer read, refused with why (set, it would be silently
// ignored otherwise).
struct RetiredVariable {
  std::string env;
  std::string why;
};
const std::vector<RetiredVariable>& retired_variables();

}  // namespace hourglass::service
