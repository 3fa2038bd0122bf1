// Follows every advance the service benchmark publishes, from its publish to
// its last API write. It knows how many writes each advance must make
// (ExpectedWrites), so an advance is complete exactly when the fake API has
// seen that many writes of its campaign in its round; the fake API's write
// observer feeds it. Thread-safe: the publisher and the fake API's HTTP
// threads call it concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/expected_writes.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

namespace hourglass::bench {

class AdvanceTracker {
 public:
  using Clock = std::chrono::steady_clock;

  struct Advance {
    std::optional<Clock::time_point> published;
    std::optional<Clock::time_point> first_write;
    std::optional<Clock::time_point> last_write;  // set when complete
    std::uint32_t expected = 0;
    std::uint32_t seen = 0;
  };

  AdvanceTracker(const std::vector<std::string>& campaign_ids, AdvanceSchedule schedule, ExpectedWrites expected);

  int rounds() const { return rounds_; }
  std::size_t campaigns() const { return advances_.size(); }

  // Call just before publishing (a write can then never precede it).
  void published(std::size_t campaign, int round, Clock::time_point at);
  // The fake API's write observer.
  void on_write(const service::testing::FakeCampaignApi::WriteStamp& w);

  // Blocks until every published advance is complete (true), or until no
  // advance completed for `stall` (false: something was lost).
  bool wait_all_complete(std::chrono::milliseconds stall);
  // Closed loop: blocks until some campaign's advances in flight all
  // completed and returns it (in the order they became free: after a
  // complete warm-up round, every campaign once), or nothing when `deadline`
  // passes first.
  std::optional<std::size_t> next_free_campaign(Clock::time_point deadline);

  std::uint64_t published_count() const;
  std::uint64_t completed_count() const;
  // Writes that matched no expected write (an unknown campaign, a round
  // never published, or more writes than the replay made).
  std::uint64_t unexpected_writes() const;
  // A copy of every advance of rounds [from, to], for the figures.
  std::vector<Advance> advances(int from_round, int to_round) const;
  // "c12 round 3: 17 of 20 writes", for the incomplete ones (at most `limit`).
  std::vector<std::string> incomplete(std::size_t limit) const;

 private:
  void complete(std::size_t campaign, Advance& a, Clock::time_point at);

  AdvanceSchedule schedule_;
  int rounds_ = 0;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::string> ids_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<Advance>> advances_;  // [campaign][round - 1]
  std::vector<int> in_flight_;                  // per campaign
  std::deque<std::size_t> free_;                // campaigns whose advances all completed, in that order
  std::uint64_t published_ = 0, completed_ = 0, unexpected_ = 0;
};

}  // namespace hourglass::bench
