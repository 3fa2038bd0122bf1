// The crash drill: a scenario told to `hourglass serve` (a child process)
// through the lossless stream input, against a real redis-server (AOF,
// appendfsync always) and the fake campaign API over HTTP, while the drill
// SIGKILLs the service (and, if asked, redis-server) at seeded instants and
// starts it again. At the end the API's entities must equal the replay of
// the same story, every deferred effect must have run exactly as often as in
// the replay, and no write may have been applied twice.
//
// The story: the scenario's messages, after one CREATE per deferred effect
// the scenario starts with (the API has no deferred effects: Hourglass
// learns of each from an entityModified and keeps it; as the first messages
// they also make each campaign known at its starting clock). The replay the
// drill compares with is of that same story.
//
// It goes message by message as the real API would: each change the message
// announces is first made in the fake (mirrored, FakeCampaignApi::
// apply_entity_change), then the message is XADDed, and the next one waits
// until the service has committed it (the entry acknowledged) and written
// everything it committed (every outbox empty). The kills fall inside those
// steps, in one of four ways chosen by the seed:
//   delay      after a random delay (0-20 ms) from the XADD
//   write      as the fake has applied a write and not yet answered it
//   effect     as the fake has executed an effect and not yet answered it
//   committed  as soon as an outbox holds a committed write (before, or
//              while, it is sent)
// A kill whose moment never comes in its step (no write, no effect) falls at
// the end of the step instead: each planned kill happens.
//
// Used by tests/service/test_crash_recovery.cpp (bounded) and
// `hourglass-bench crash` (long).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hourglass::service::testing {

struct CrashDrillOptions {
  std::string scenario;   // a scenario file (SPEC §6)
  std::string hourglass;  // the executable
  std::uint64_t seed = 1;
  int service_kills = 10;  // SIGKILLs of hourglass serve
  int redis_kills = 0;     // SIGKILLs of redis-server, restarted at once
  // Run on a 3-master Redis Cluster (the service given one master's URL)
  // instead of one redis-server; each redis kill then SIGKILLs one master,
  // chosen by the seed, and restarts it from its AOF.
  bool cluster = false;
  std::string work_dir;    // the service's log goes here
  std::chrono::seconds step_timeout{60};
  // Passivation: the service passivates campaigns idle for 20 ms, and after
  // every `passivate_every`-th message the drill waits until every campaign
  // is passivated (the service's hourglass_campaigns gauge is 0), so the
  // next message reactivates them from their checkpoints. 0: off (the
  // service's default delay, which a drill never reaches).
  int passivate_every = 0;
  // Also compare the records the service publishes on campaign.*.simulation
  // with the replay's, byte for byte (without kills only: a message computed
  // again after a crash is published again).
  bool compare_records = false;
};

struct CrashDrillResult {
  std::size_t messages = 0;
  int service_kills = 0;
  int redis_kills = 0;
  std::size_t entities_checked = 0;
  std::size_t effects_checked = 0;
  std::size_t writes_applied = 0;
  std::size_t passivations = 0;     // waits that ended with every campaign passivated
  std::size_t records_compared = 0;
  std::vector<std::string> lost;     // what differs from the replay, or never reached the API
  std::vector<std::string> doubled;  // a write applied twice; an effect run more often than in the replay
  std::string failure;               // the drill could not run to its end (why, and the service's log)
  bool ok() const { return failure.empty() && lost.empty() && doubled.empty(); }
};

CrashDrillResult run_crash_drill(const CrashDrillOptions& options);

}  // namespace hourglass::service::testing
