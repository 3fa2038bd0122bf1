// Where the `hourglass` executable is, for the benchmarks that run `hourglass
// serve` as a child process (crash, recovery).
#pragma once

#include <string>

namespace hourglass::bench {

// `given` when not empty; else the one this build tree made (CMake's
// $<TARGET_FILE:hourglass>) if it is there; else ../runtime/hourglass or
// ./hourglass beside this executable (/proc/self/exe). Throws
// std::runtime_error naming where it looked when none exists.
std::string hourglass_binary(const std::string& given);

// SCENARIO_DIR/examples: the bundled example scenarios of this source tree.
std::string examples_dir();

}  // namespace hourglass::bench
