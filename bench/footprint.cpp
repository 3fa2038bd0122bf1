#include "bench/bench_commands.hpp"
int hourglass::bench::run_footprint(const FootprintArgs&) { return 0; }
