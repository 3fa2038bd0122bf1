// The benchmark subcommands of hourglass-bench.
#pragma once

#include <cstddef>
#include <string>

namespace hourglass::bench {

struct CatchupArgs {
  int settlements = 1000;
  int structures = 10;
  int days = 180;
  std::size_t threads = 0;
  std::string out = "/tmp/hourglass-catchup.jsonl";
};
int run_catchup(const CatchupArgs& a);

struct FootprintArgs {
  int entities = 1'000'000;
  int structures_per_settlement = 9;
};
int run_footprint(const FootprintArgs& a);

}  // namespace hourglass::bench
