// The several-instance drill (issue 16): one real redis-server, the HTTP fake
// of the campaign API, and several `hourglass serve` child processes on the
// pub/sub input with a short lease ttl, while a seeded RNG injects a fault
// every few seconds:
//   kill    SIGKILL an instance; it is started again after a while
//   stop    SIGSTOP one past the lease ttl, then SIGCONT (a frozen owner)
//   term    SIGTERM one (a rolling update: it hands its partitions over),
//           started again once it has exited
//   join    a new instance joins (the live count is capped at instances + 1)
// Kill, stop and term are only done while at least two instances are up,
// so that someone can take over.
//
// The story: `campaigns` campaigns (spread over the 64 partitions by their
// ids), each with settlements, structures and events that expire, each told
// a seeded sequence of steps — advances (the fake's clock moves, then
// worldTimeAdvanced is published, as the API does), settlement edits,
// deferred effects and events created (mirrored into the fake, then
// entityModified published). A campaign's next step is published only once
// the previous one is in its checkpoint (committed); a settlement edit waits
// for the campaign's outbox to be empty (else an older write in flight
// would meet the edit in the API). A step not committed within
// `republish_after` is published again, as a pub/sub producer must for a
// message taken by no one during a move (the new owner's resync catches up
// an advance, but an edit or a deferred effect exists only in its message).
// So every step is applied once, in order, and the API must end as the
// replay of the same story (story_replay).
//
// Measured: faults done, steps and advances committed, writes applied,
// lost and doubled (against the replay, and writes applied twice),
// event expiries re-sent (refused by the API as already completed, which
// Hourglass takes as done), fenced refusals (the instances' logs: "another
// instance owns it now"), failover times (from a kill or a stop of an owner
// to another instance holding the lease of one of its campaigns, and to the
// first commit of one of them after another instance claimed it) and
// handoff times (from a SIGTERM to the release of each of its partitions,
// and of its last).
//
// Instances run with distinct hostnames (`unshare --uts`, when it works:
// root or user namespaces) so that one does not take a killed one for a
// previous life of its own and take its leases at once: as on several
// machines, they wait for the lease to expire. A slot started again keeps
// its hostname (a container restarted in place): it takes its previous
// life's leases at once.
//
// Used by tests/service/test_instance_drill.cpp (bounded, a fixed seed) and
// `hourglass-bench drill` (minutes).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hourglass::service::testing {

struct InstanceDrillOptions {
  std::string hourglass;  // the executable
  std::uint64_t seed = 1;
  int instances = 3;
  std::chrono::milliseconds duration{60'000};    // of steps and faults; then the wind-down
  std::chrono::milliseconds fault_every{4'000};  // mean gap between faults; 0: none (a throughput run)
  std::chrono::milliseconds lease_ttl{2'000};    // HOURGLASS_LEASE_TTL_MS
  int campaigns = 12;
  std::chrono::milliseconds step_gap{20};  // from a campaign's step committed to its next
  std::chrono::milliseconds republish_after{1'000};
  std::chrono::seconds step_timeout{90};  // a step not committed by then fails the drill
  std::chrono::seconds settle_timeout{120};
  std::string work_dir;  // the instances' logs
};

struct InstanceDrillResult {
  std::uint64_t seed = 0;
  bool distinct_hosts = false;
  int kills = 0, stops = 0, terms = 0, joins = 0;
  std::size_t steps = 0, advances = 0, edits = 0;  // committed, the wind-down's included
  std::size_t advances_in_run = 0;                 // committed during `duration`
  std::size_t writes_in_run = 0;                   // applied to the API during `duration`
  double run_seconds = 0, settle_seconds = 0;
  std::size_t republished = 0;
  std::size_t writes_applied = 0;
  std::size_t entities_checked = 0, effects_checked = 0, events_checked = 0;
  std::size_t expiries_resent = 0;  // expireEvent calls after the first, refused as already completed
  std::size_t fenced_refusals = 0;
  int term_exits_not_zero = 0;
  std::vector<double> takeover_ms;  // kill or stop of an owner -> another holds a lease of one of its campaigns
  std::vector<double> first_commit_ms;  // -> the first commit of one of them under another's claim
  std::vector<double> handoff_ms;            // SIGTERM -> its last partition released
  std::vector<double> partition_handoff_ms;  // SIGTERM -> each of its partitions released
  int failovers_unmeasured = 0;  // an owner faulted whose campaigns moved too late to tell (60 s)
  std::vector<std::string> lost;
  std::vector<std::string> doubled;
  // Those of `doubled` that are an effect whose last execution came within a
  // second of the SIGCONT of an instance that owned its campaign when it was
  // stopped: its gateway finishing, once woken, a call the new owner had made
  // already (a known limit: the fence stops its commits, not its calls).
  std::vector<std::string> doubled_after_wake;
  std::string failure;  // the drill could not run to its end (why, and the instances' logs)
  bool ok() const { return failure.empty() && lost.empty() && doubled.empty(); }
};

InstanceDrillResult run_instance_drill(const InstanceDrillOptions& options);

// The result as printed by `hourglass-bench drill` and the CTest case: the
// seed, counts, p50/p99 of the times, and every lost or doubled item.
std::string describe(const InstanceDrillResult& result);

}  // namespace hourglass::service::testing
