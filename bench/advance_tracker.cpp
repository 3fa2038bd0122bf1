#include "bench/advance_tracker.hpp"

namespace hourglass::bench {

AdvanceTracker::AdvanceTracker(const std::vector<std::string>& campaign_ids, AdvanceSchedule schedule,
                               ExpectedWrites expected)
    : schedule_(schedule), ids_(campaign_ids) {
  rounds_ = expected.writes.empty() ? 0 : static_cast<int>(expected.writes.front().size());
  advances_.resize(campaign_ids.size());
  for (std::size_t c = 0; c < campaign_ids.size(); ++c) {
    index_.emplace(campaign_ids[c], c);
    advances_[c].resize(static_cast<std::size_t>(rounds_));
    for (int r = 0; r < rounds_; ++r) advances_[c][r].expected = expected.writes.at(c).at(r);
  }
  in_flight_.assign(campaign_ids.size(), 0);
}

void AdvanceTracker::complete(std::size_t campaign, Advance& a, Clock::time_point at) {
  a.last_write = at;
  ++completed_;
  if (--in_flight_[campaign] == 0) free_.push_back(campaign);
  changed_.notify_all();
}

void AdvanceTracker::published(std::size_t campaign, int round, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  Advance& a = advances_.at(campaign).at(static_cast<std::size_t>(round - 1));
  a.published = at;
  ++published_;
  ++in_flight_[campaign];
  if (a.expected == 0) complete(campaign, a, at);  // nothing to write: done at once (no latency)
}

void AdvanceTracker::on_write(const service::testing::FakeCampaignApi::WriteStamp& w) {
  std::lock_guard lock(mutex_);
  auto c = index_.find(w.campaign_id);
  const int round = w.world_time ? schedule_.round_of(*w.world_time) : 0;
  if (c == index_.end() || round < 1 || round > rounds_) {
    ++unexpected_;
    return;
  }
  Advance& a = advances_[c->second][static_cast<std::size_t>(round - 1)];
  if (!a.published || a.seen >= a.expected) {
    ++unexpected_;
    return;
  }
  if (!a.first_write) a.first_write = w.arrived;
  if (++a.seen == a.expected) complete(c->second, a, w.arrived);
}

bool AdvanceTracker::wait_all_complete(std::chrono::milliseconds stall) {
  std::unique_lock lock(mutex_);
  while (completed_ < published_) {
    const std::uint64_t before = completed_;
    if (!changed_.wait_for(lock, stall, [&] { return completed_ != before; })) return false;
  }
  return true;
}

std::optional<std::size_t> AdvanceTracker::next_free_campaign(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_until(lock, deadline, [&] { return !free_.empty(); })) return std::nullopt;
  const std::size_t c = free_.front();
  free_.pop_front();
  return c;
}

std::uint64_t AdvanceTracker::published_count() const {
  std::lock_guard lock(mutex_);
  return published_;
}

std::uint64_t AdvanceTracker::completed_count() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

std::uint64_t AdvanceTracker::unexpected_writes() const {
  std::lock_guard lock(mutex_);
  return unexpected_;
}

std::vector<AdvanceTracker::Advance> AdvanceTracker::advances(int from_round, int to_round) const {
  std::lock_guard lock(mutex_);
  std::vector<Advance> out;
  for (const auto& per_campaign : advances_)
    for (int r = from_round; r <= to_round && r <= rounds_; ++r) out.push_back(per_campaign[r - 1]);
  return out;
}

std::vector<std::string> AdvanceTracker::incomplete(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (std::size_t c = 0; c < advances_.size() && out.size() < limit; ++c)
    for (int r = 1; r <= rounds_ && out.size() < limit; ++r) {
      const Advance& a = advances_[c][r - 1];
      if (a.published && !a.last_write)
        out.push_back(ids_[c] + " round " + std::to_string(r) + ": " + std::to_string(a.seen) + " of " +
                      std::to_string(a.expected) + " writes");
    }
  return out;
}

}  // namespace hourglass::bench
