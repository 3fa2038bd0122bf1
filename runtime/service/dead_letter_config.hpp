// The dead_letter_max setting (HOURGLASS_DEAD_LETTER_MAX, --dead-letter-max):
// the length each dead-letter stream (hourglass:deadletter and
// hourglass:gateway:deadletter) is trimmed to, approximately (XTRIM MAXLEN ~:
// up to one stream node, 100 entries by default, more). Default 10000;
// at least 1. Kept in a file of its own, hooked into config.cpp at four
// points (environment, flag, validate, describe).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runtime/service/config.hpp"

namespace hourglass::service {

// Reads HOURGLASS_DEAD_LETTER_MAX (unset or empty: the default is kept);
// appends "HOURGLASS_DEAD_LETTER_MAX: ..." to `errors` when it is not a
// whole number.
void dead_letter_max_from_env(const std::function<const char*(const char*)>& getenv, ServiceConfig& cfg,
                              std::vector<std::string>& errors);
void add_dead_letter_max_flag(CLI::App& app, ServiceConfig& cfg);
// Appends "dead_letter_max: ..." when the setting is out of range.
void dead_letter_max_problems(const ServiceConfig& cfg, std::vector<std::string>& problems);

}  // namespace hourglass::service
