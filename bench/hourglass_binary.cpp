#include "bench/hourglass_binary.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#ifndef HOURGLASS_BINARY
#define HOURGLASS_BINARY ""
#endif
#ifndef HOURGLASS_SOURCE_DIR
#define HOURGLASS_SOURCE_DIR "."
#endif

namespace hourglass::bench {

namespace fs = std::filesystem;

std::string hourglass_binary(const std::string& given) {
  auto runnable = [](const fs::path& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p); };
  if (!given.empty()) {
    if (!runnable(given)) throw std::runtime_error("--hourglass " + given + ": not an executable file");
    return given;
  }
  std::vector<fs::path> tried{HOURGLASS_BINARY};
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    tried.push_back(self.parent_path() / ".." / "runtime" / "hourglass");
    tried.push_back(self.parent_path() / "hourglass");
  }
  std::string where;
  for (const fs::path& p : tried) {
    if (runnable(p)) return fs::weakly_canonical(p, ec).string();
    where += (where.empty() ? "" : ", ") + p.string();
  }
  throw std::runtime_error("no hourglass executable found (looked at " + where + "); give one with --hourglass PATH");
}

std::string examples_dir() { return (fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples").string(); }

}  // namespace hourglass::bench
