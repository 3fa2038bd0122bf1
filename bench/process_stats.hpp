// Process and machine figures the service benchmark prints beside its own.
#pragma once

#include <map>
#include <string>

namespace hourglass::bench {

// /proc/loadavg's three averages, "1.02 0.98 1.50".
std::string load_average();
// CPU seconds of this process's threads, summed by thread name (comm), for
// the threads alive now (/proc/self/task).
std::map<std::string, double> cpu_seconds_by_thread_name();
// User + system CPU seconds of another process; 0 when it cannot be read.
double process_cpu_seconds(int pid);
// Returns freed heap to the system and resets the peak resident set (VmHWM)
// to the current one, so that a peak read later covers only what follows.
void reset_peak_rss();

}  // namespace hourglass::bench
