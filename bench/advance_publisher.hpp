// Publishes the benchmark's 1-hour advances on Redis, as a game master's
// client would (SPEC §6 worldTimeAdvanced payloads), and tells the tracker
// the moment of each publish.
//
// Two ways to pace them:
//   - a rate: advance i (round-robin over the campaigns) is due at
//     start + i / rate on the steady clock; the publisher sleeps until then
//     (and publishes at once when it is late, without skipping);
//   - as fast as possible (rate 0): a closed loop with one advance in flight
//     per campaign: a campaign's next advance is published as soon as its
//     previous one's last write landed. The service then always has every
//     campaign busy, and the completions measure its throughput.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/advance_tracker.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::bench {

struct PublishPlan {
  double rate = 0;  // advances/s; 0: closed loop
  std::chrono::duration<double> duration{20};
  int first_round = 2;  // round 1 is the warm-up
  int last_round = 2;   // the last one prepared
};

struct PublishResult {
  std::uint64_t published = 0;
  AdvanceTracker::Clock::time_point first, last;
  bool out_of_rounds = false;  // stopped early: no prepared round left
};

class AdvancePublisher {
 public:
  AdvancePublisher(io::RedisConnection& redis, AdvanceTracker& tracker, std::vector<std::string> campaign_ids,
                   AdvanceSchedule schedule);

  // One advance: campaign `c` from round-1 to round. Throws std::runtime_error
  // when no one is subscribed (the service would never see it).
  void publish(std::size_t c, int round);
  // Round `round` for every campaign, back to back (the warm-up).
  void publish_round(int round);
  PublishResult run(const PublishPlan& plan);

 private:
  PublishResult run_paced(const PublishPlan& plan);
  PublishResult run_closed_loop(const PublishPlan& plan);

  io::RedisConnection& redis_;
  AdvanceTracker& tracker_;
  std::vector<std::string> ids_;
  std::vector<std::string> channels_;
  AdvanceSchedule schedule_;
};

}  // namespace hourglass::bench
