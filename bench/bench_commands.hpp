// The benchmark subcommands of hourglass-bench.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace hourglass::bench {

struct CatchupArgs {
  int settlements = 1000;
  int structures = 10;
  int days = 180;
  std::size_t threads = 0;
  std::string out = "/tmp/hourglass-catchup.jsonl";
  int step_hours = 0;  // 0: the replay's default step
};
int run_catchup(const CatchupArgs& a);

struct FootprintArgs {
  int entities = 1'000'000;
  int structures_per_settlement = 9;
};
int run_footprint(const FootprintArgs& a);

struct SweepArgs {
  int settlements = 20;
  int structures = 5;
  int days = 365;
  int variants = 16;
  std::size_t threads = 0;  // concurrent replays; 0: one per core
  std::string report;       // when set, also write report.html and timeline.csv there
};
int run_sweep(const SweepArgs& a);

struct ServiceArgs {
  int campaigns = 1000;
  int settlements = 20;  // per campaign
  int structures = 5;    // per settlement
  double rate = 500;     // advances/s; 0: as fast as the service completes them (one in flight per campaign)
  double seconds = 20;   // of publishing
  int gateway_concurrency = 8;  // the service's default
  int rounds = 0;        // rounds to prepare (warm-up included); 0: enough for the rate and seconds
};
int run_service(const ServiceArgs& a);

// One long advance of one campaign in hourglass serve (to its last API write)
// against the same advance replayed with its records to /dev/null.
struct LongAdvanceArgs {
  int settlements = 100;
  int structures = 10;   // per settlement
  int days = 365;        // the advance (and the warm-up before it)
  int gateway_concurrency = 8;  // the service's default
  int timeout = 600;     // seconds an advance may take
  bool publish_records = true;  // HOURGLASS_PUBLISH_RECORDS
};
int run_long_advance(const LongAdvanceArgs& a);

// Without campaigns or settlements: the two worlds, 20 x 5 and 1,000 x 10.
struct CheckpointArgs {
  int campaigns = 0;     // 0: see above
  int settlements = 0;   // per campaign; 0: see above
  int structures = 10;   // per settlement (bench_world's default)
  int samples = 2000;    // advances and encodings timed, campaigns round-robin
  int commits = 1000;    // commits timed per Redis configuration
};
int run_checkpoint(const CheckpointArgs& a);

// The crash drill, N times (tests/service/support/crash_drill).
struct CrashArgs {
  int trials = 10;
  int kills = 12;        // SIGKILLs of hourglass serve per trial
  int redis_kills = 0;   // SIGKILLs of redis-server per trial
  std::vector<std::string> scenarios;  // empty: examples 07 and 08, in turn
  unsigned long long seed = 1;         // trial i: seed + i
  std::string hourglass;               // empty: the one of this build tree
  int step_timeout = 60;               // seconds a message may take to be committed and written
};
int run_crash(const CrashArgs& a);

// Recovery after a SIGKILL of hourglass serve (child process, pub/sub
// input) with many campaigns: /health, outboxes drained, every campaign
// resumed and resynced to the API's world time.
struct RecoveryArgs {
  int campaigns = 1000;
  int settlements = 10;  // per campaign
  int structures = 10;   // per settlement (bench_world's default)
  int outbox = 5;        // committed writes (at least) per campaign waiting at the kill
  int downtime_days = 7; // world time the API moves while the service is down
  std::string hourglass; // empty: the one of this build tree
  int timeout = 600;     // seconds any one phase may take
};
int run_recovery(const RecoveryArgs& a);

// Memory per campaign of hourglass serve (child process, pub/sub input) with
// its campaigns active and passivated, and a passivated campaign's
// reactivation latency.
struct PassivationArgs {
  int campaigns = 10'000;
  int settlements = 10;  // per campaign
  int structures = 0;    // per settlement: 10 entities per campaign by default
  std::string passivate_after = "1s";  // the passivating run's HOURGLASS_PASSIVATE_AFTER
  int reactivations = 5; // passivated campaigns reactivated, one at a time
  std::string hourglass; // empty: the one of this build tree
  int timeout = 900;     // seconds any one phase may take
};
int run_passivation(const PassivationArgs& a);

// The several-instance drill (tests/service/support/instance_drill); with
// fault_every 0, the throughput of `instances` instances.
struct DrillArgs {
  int instances = 3;
  double seconds = 300;     // of steps and faults
  double fault_every = 4;   // mean seconds between faults; 0: none
  int lease_ttl_ms = 2000;  // the instances' HOURGLASS_LEASE_TTL_MS
  int campaigns = 12;
  int step_gap_ms = 20;     // from a campaign's step committed to its next
  unsigned long long seed = 1;
  std::string hourglass;    // empty: the one of this build tree
};
int run_drill(const DrillArgs& a);

}  // namespace hourglass::bench
