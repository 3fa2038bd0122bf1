// Spawning a test's child process (redis-server, `hourglass serve`): fork and
// exec with stdin from /dev/null and stdout/stderr appended to a log file, no
// inherited descriptors beyond those (hiredis' sockets are not CLOEXEC), and
// PR_SET_PDEATHSIG so the child dies with the test.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace hourglass::service::testing {

// `args[0]` is the executable's path. `env`: the child's whole environment
// ("NAME=value"); nullopt: the test's own. Throws std::runtime_error when
// fork fails; a failed exec ends the child with status 127 (logged).
pid_t spawn_child(const std::vector<std::string>& args, const std::optional<std::vector<std::string>>& env,
                  const std::string& log_path);

}  // namespace hourglass::service::testing
