// What one instance holds of the partitions and whether it is ready: /health's
// "ownership" component and GET /ready's answer (docs/operations.md, Health
// and metrics; Deployment says why readiness is decided this way).
//
// Ready: the first lease round was answered and the inputs started (serve's
// start() is done), the last lease round was answered, and no stop was
// asked. Holding no partition is no reason to be unready: a newcomer next
// to an instance holding them all takes partitions as they come free, and a
// rolling update (maxUnavailable 0) waits for the newcomer to be ready before
// it stops the old pod, which is what frees them. A stopping instance
// (SIGTERM) is not ready for good while it hands its partitions over.
//
// Thread-safe: the lease keeper's thread reports rounds, serve's thread
// the start and the stop, the status server's threads read.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "io/lease_keeper.hpp"

namespace hourglass::service {

// Ascending partitions as ranges: {0,1,2,3,7,9,10} -> "0-3,7,9-10".
std::string compact_ranges(const std::vector<std::uint32_t>& ascending);

class OwnershipHealth {
 public:
  using Clock = std::chrono::steady_clock;

  OwnershipHealth(std::string instance_id, std::uint32_t partitions);

  // A lease round ended (io::LeaseKeeperCallbacks::on_round).
  void round(const io::LeaseRound& r, Clock::time_point now = Clock::now());
  // A partition moved: "acquired" (taken after the start) or "handed_over".
  void moved(std::string_view how);
  // The campaigns' fence refusals so far (counted by the telemetry).
  void set_fenced(std::uint64_t refusals);
  // serve's start() is done: the inputs started.
  void started();
  // A stop was asked: not ready from now on.
  void stopping();

  // The last round was not answered (Redis away: the leases are not renewed).
  bool renewals_failing() const;
  // {"ready", "why" (when not), "instance", "owned", "members"}.
  nlohmann::json readiness(Clock::time_point now = Clock::now()) const;
  // The component: {"status": "ok"|"degraded", "instance", "partitions",
  // "owned", "owned_list", "members", "handoffs_in_progress", "takeovers",
  // "handed_over", "fenced_refusals", "renewals": {...}, "ready", "why"}.
  nlohmann::json to_json(Clock::time_point now = Clock::now()) const;

 private:
  // Empty when ready.
  std::string not_ready_locked() const;

  const std::string instance_id_;
  const std::uint32_t partitions_;
  mutable std::mutex mutex_;
  io::LeaseRound last_;
  bool any_answered_ = false;
  std::uint64_t rounds_ok_ = 0, rounds_failed_ = 0;
  Clock::time_point last_ok_;          // the last answered round
  Clock::time_point failing_since_;    // the first failed round of the current run
  std::uint64_t takeovers_ = 0, handed_over_ = 0, fenced_ = 0;
  bool started_ = false, stopping_ = false;
};

}  // namespace hourglass::service
