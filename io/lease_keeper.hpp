// The lease keeper: on a thread of its own, acquires the partition leases
// (io/partition_lease) and renews them every third of their ttl, and keeps
// io::PartitionOwnership up to date for the registry. With one instance it
// holds every partition from its first round on.
//
// A lease held by a previous life of this process (io::previous_life: the
// same host, a pid that no longer runs) is taken over at once, not after
// its expiry: a single instance restarted after kill -9 owns every
// partition again before its inputs start.
//
// A lease is dropped here (on_lost) when Redis answers a renewal "lost"
// (expired, or taken by another instance), and also when no renewal got
// through for a whole ttl: Redis counts the expiry from when it ran the
// last PEXPIRE, which is after the keeper sent it, so by then the lease may
// be another's. Dropping a partition only stops intake for its campaigns;
// the fence in each campaign's commit is what makes a late holder harmless.
//
// Membership (io/membership): each round heartbeats and aims for a fair
// share, ceil(partitions / live members); it takes free or expired leases
// up to it, never a live holder's (sticky), at most max_moves a round after
// the first.
//
// A graceful handoff (hand_off): intake for the partition stops at once
// (io::PartitionOwnership), the registry is told (on_hand_off) and ends the
// partition's sessions once each has committed what it was given; the lease
// is renewed meanwhile, so no one else can claim those campaigns, and
// released at the first round after the last session ended. Nothing is
// fenced: the old owner's last commit happens under a lease it still holds.
//
// Rebalance: a keeper above its fair share while other members are live (a
// newcomer joined) hands its surplus partitions off that way, at most
// max_moves in progress at once, never one it acquired less than a ttl ago
// (sticky: what it just took is not handed back); the newcomer takes them as
// they come free. Below or at its share it hands nothing off, so nothing flaps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "io/membership.hpp"
#include "io/partition_lease.hpp"
#include "io/partition_ownership.hpp"
#include "io/redis_connection.hpp"
#include "io/redis_url.hpp"
#include "io/stoppable_thread.hpp"

namespace hourglass::io {

struct LeaseKeeperOptions {
  RedisEndpoint endpoint;
  std::string instance_id;  // the owner named in each lease
  std::uint32_t partitions = 64;
  std::chrono::milliseconds ttl{10'000};
  // Partitions taken per round after the first, at most: a dead instance's
  // partitions move over a few rounds rather than all at once.
  std::size_t max_moves = 16;
  // A lease of one holder across instances that the keeper also tries to
  // take every round, renews, and gives back when the instance stops (the
  // stream input's router lease, io/stream_router). None: no such lease.
  std::optional<LeaseKeys> single;
  // A partition acquired after the first round is held with its intake
  // waiting (PartitionOwnership::intake_waiting) until the registry opens
  // it: set for a pub/sub input, whose subscriber may still hold what was
  // published before the acquisition. The first round's partitions do not
  // wait: the inputs start after it.
  bool intake_waits_after_first_round = false;
};

// What one round left (LeaseKeeperCallbacks::on_round): for /health and the
// metrics (docs/operations.md, Health and metrics).
struct LeaseRound {
  bool answered = true;             // Redis answered the round (renewals went through)
  std::string error;                // why not, when not
  std::vector<std::uint32_t> held;  // the partitions held after it, ascending
  std::size_t live_members = 1;     // this instance included, at the last heartbeat
  std::size_t handing_off = 0;      // held partitions being handed off
};

struct LeaseKeeperCallbacks {
  std::function<void(std::uint32_t partition, std::uint64_t token)> on_acquired;
  std::function<void(std::uint32_t partition, const std::string& why)> on_lost;
  std::function<void(std::size_t owned)> on_owned;  // after every round
  std::function<void(const LeaseRound&)> on_round;  // after every round, on the keeper's thread
  // hand_off(partition) was asked: the registry is to end its sessions.
  std::function<void(std::uint32_t partition)> on_hand_off;
  // A handed-off partition's lease was released, `took` after hand_off.
  std::function<void(std::uint32_t partition, std::chrono::milliseconds took)> on_handed_over;
  // A round Redis did not answer: the first of a run of them, then one in 50
  // (they come every 200 ms while Redis is away).
  std::function<void(const std::string& why)> on_error;
};

class LeaseKeeper {
 public:
  LeaseKeeper(LeaseKeeperOptions options, LeaseKeeperCallbacks callbacks);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Shared with the registry (which also reports there that a handed-off
  // partition's sessions have ended).
  std::shared_ptr<PartitionOwnership> ownership() const { return ownership_; }

  // Starts the graceful handoff of `partition` (no-op unless it is held and
  // not already being handed off). Thread-safe.
  void hand_off(std::uint32_t partition);
  // The instance is stopping (SIGTERM): every partition held is handed off,
  // and from now on none is acquired and the instance leaves the members
  // (at the next round), so that the others' fair share counts it out at once.
  void hand_off_all();

  // On the caller's thread: checks the partition count against Redis
  // (throws PartitionCountMismatch) and runs the first round, so that a
  // single instance owns every partition before its inputs start; then the
  // thread renews. Redis not answering is reported (on_error), not thrown:
  // the thread goes on trying.
  void start();
  // Stops the thread; with `release`, gives back the leases held and leaves
  // the members (best effort), so that another instance need not wait for
  // their expiry. `release_until` bounds the giving back: no Redis call is
  // started past it (each waits out a timeout when Redis does not answer;
  // what is not given back expires by itself).
  void stop(bool release,
            std::chrono::steady_clock::time_point release_until = std::chrono::steady_clock::time_point::max());

  std::size_t live_members() const { return live_members_; }
  // Whether this instance holds options.single now. Thread-safe.
  bool holds_single() const { return single_token_.load() != 0; }

  // One round: renew what is held, acquire what is free; false when Redis
  // did not answer (the next round comes sooner). Public for tests.
  bool round();

 private:
  RedisConnection& connection();
  // Heartbeats; ceil(partitions / live members), previous lives of this
  // process not counted (and removed).
  std::size_t fair_share();
  // Hands off the partitions held above `share` (see Rebalance above).
  void hand_over_surplus(std::size_t share);
  // Releases partition `p` (held under `token`) if it was handed off and its
  // sessions have ended; true when it did.
  bool release_handed_off(std::uint32_t p, std::uint64_t token);
  // Tells on_owned and on_round what a round (or the stop) left.
  void report_round(bool answered, const std::string& error);
  // options.single: renewed, else taken when free (or a previous life's);
  // given back once the instance is leaving.
  void keep_single();

  LeaseKeeperOptions options_;
  LeaseKeeperCallbacks callbacks_;
  std::shared_ptr<PartitionOwnership> ownership_;
  std::optional<RedisConnection> redis_;
  std::optional<PartitionLeases> leases_;  // on redis_
  std::optional<Membership> members_;      // on redis_
  bool first_round_ = true;                // until a round Redis answered
  bool count_checked_ = false;
  std::uint64_t failed_rounds_ = 0;  // in a row
  std::size_t live_members_ = 1;     // at the last heartbeat
  // Per partition: when the last renewal (or acquisition) that Redis
  // confirmed was sent.
  std::vector<std::chrono::steady_clock::time_point> renewed_;
  // Per partition: when its handoff was asked (for on_handed_over's time).
  std::vector<std::chrono::steady_clock::time_point> handoff_asked_;
  // Per partition: when it was last acquired (not handed off for a ttl).
  std::vector<std::chrono::steady_clock::time_point> acquired_at_;
  std::mutex handoff_mutex_;  // handoff_asked_: hand_off runs on any thread
  std::atomic<bool> leaving_{false};  // hand_off_all was called
  std::atomic<std::uint64_t> single_token_{0};  // options.single's, 0: not held
  std::chrono::steady_clock::time_point single_renewed_;
  bool left_members_ = false;         // the keeper thread's: removed from the members
  StoppableThread thread_;
};

}  // namespace hourglass::io
