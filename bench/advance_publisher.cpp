#include "bench/advance_publisher.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <thread>

namespace hourglass::bench {

using Clock = AdvanceTracker::Clock;

AdvancePublisher::AdvancePublisher(io::RedisConnection& redis, AdvanceTracker& tracker,
                                   std::vector<std::string> campaign_ids, AdvanceSchedule schedule)
    : redis_(redis), tracker_(tracker), ids_(std::move(campaign_ids)), schedule_(schedule) {
  for (const auto& id : ids_) channels_.push_back("campaign." + id + ".worldTimeAdvanced");
}

void AdvancePublisher::publish(std::size_t c, int round) {
  const std::string payload = nlohmann::json{{"campaignId", ids_[c]},
                                             {"previousTime", sim::format_world_time(schedule_.previous_time(round))},
                                             {"newTime", sim::format_world_time(schedule_.new_time(round))}}
                                  .dump();
  tracker_.published(c, round, Clock::now());
  if (redis_.publish(channels_[c], payload) == 0)
    throw std::runtime_error("no one is subscribed to " + channels_[c] + ": the service did not receive it");
}

void AdvancePublisher::publish_round(int round) {
  for (std::size_t c = 0; c < ids_.size(); ++c) publish(c, round);
}

PublishResult AdvancePublisher::run(const PublishPlan& plan) {
  return plan.rate > 0 ? run_paced(plan) : run_closed_loop(plan);
}

PublishResult AdvancePublisher::run_paced(const PublishPlan& plan) {
  PublishResult r;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(plan.duration);
  const std::chrono::duration<double> interval(1.0 / plan.rate);
  r.first = start;
  for (std::uint64_t i = 0;; ++i) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
    if (due >= end) break;
    const int round = plan.first_round + static_cast<int>(i / ids_.size());
    if (round > plan.last_round) {
      r.out_of_rounds = true;
      break;
    }
    std::this_thread::sleep_until(due);
    publish(i % ids_.size(), round);
    ++r.published;
  }
  r.last = Clock::now();
  return r;
}

PublishResult AdvancePublisher::run_closed_loop(const PublishPlan& plan) {
  PublishResult r;
  std::vector<int> next(ids_.size(), plan.first_round);
  r.first = Clock::now();
  const auto end = r.first + std::chrono::duration_cast<Clock::duration>(plan.duration);
  while (auto c = tracker_.next_free_campaign(end)) {
    if (next[*c] > plan.last_round) {
      r.out_of_rounds = true;
      break;
    }
    publish(*c, next[*c]++);
    ++r.published;
  }
  r.last = Clock::now();
  return r;
}

}  // namespace hourglass::bench
