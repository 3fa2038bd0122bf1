// `hourglass dlq list|retry` with its environment and output passed in, so
// that tests run the command in-process (main uses add_dlq_command of cli.hpp).
#pragma once

#include <functional>
#include <iosfwd>

#include "runtime/cli.hpp"

namespace hourglass::runtime {

struct DlqIo {
  std::function<const char*(const char*)> getenv;  // std::getenv in main
  std::ostream& out;                               // listings and results
  std::ostream& err;                               // configuration and usage errors
};

Command add_dlq_command(CLI::App& app, DlqIo io);

}  // namespace hourglass::runtime
