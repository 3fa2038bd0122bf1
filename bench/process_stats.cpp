#include "bench/process_stats.hpp"

#include <malloc.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hourglass::bench {

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

namespace {

// utime + stime of a /proc/.../stat line, in seconds; the name in `comm`.
double stat_cpu(const std::string& path, std::string* comm) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return 0;
  const auto open = line.find('('), close = line.rfind(')');  // the name may hold spaces and parentheses
  if (open == std::string::npos || close == std::string::npos) return 0;
  if (comm) *comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15 (1-based): utime, stime
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

std::map<std::string, double> cpu_seconds_by_thread_name() {
  std::map<std::string, double> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::string comm;
    const double s = stat_cpu(task.path().string() + "/stat", &comm);
    out[comm] += s;
  }
  return out;
}

double process_cpu_seconds(int pid) { return stat_cpu("/proc/" + std::to_string(pid) + "/stat", nullptr); }

void reset_peak_rss() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";  // Linux >= 4.0: VmHWM = VmRSS
}

}  // namespace hourglass::bench
