#include "io/lease_keeper.hpp"

#include <algorithm>
#include <stdexcept>

#include "io/instance_id.hpp"
#include "io/partitions.hpp"

namespace hourglass::io {

LeaseKeeper::LeaseKeeper(LeaseKeeperOptions options, LeaseKeeperCallbacks callbacks)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      ownership_(std::make_shared<PartitionOwnership>(options_.partitions)),
      renewed_(options_.partitions),
      handoff_asked_(options_.partitions),
      acquired_at_(options_.partitions) {}

void LeaseKeeper::hand_off(std::uint32_t partition) {
  if (!ownership_->token(partition) || ownership_->handing_off(partition)) return;
  {
    std::lock_guard<std::mutex> lock(handoff_mutex_);
    handoff_asked_.at(partition) = std::chrono::steady_clock::now();
  }
  ownership_->hand_off(partition);
  if (callbacks_.on_hand_off) callbacks_.on_hand_off(partition);
}

void LeaseKeeper::hand_off_all() {
  leaving_.store(true);
  for (std::uint32_t p = 0; p < options_.partitions; ++p) hand_off(p);
}

void LeaseKeeper::hand_over_surplus(std::size_t share) {
  if (leaving_.load() || first_round_ || live_members_ < 2) return;
  std::size_t held = 0;
  std::size_t in_progress = 0;
  for (std::uint32_t p = 0; p < options_.partitions; ++p) {
    if (!ownership_->token(p)) continue;
    ++held;
    in_progress += ownership_->handing_off(p) ? 1 : 0;
  }
  const std::size_t kept = held - in_progress;
  if (kept <= share || in_progress >= options_.max_moves) return;
  std::size_t n = std::min(kept - share, options_.max_moves - in_progress);
  const auto now = std::chrono::steady_clock::now();
  for (std::uint32_t p = options_.partitions; p-- > 0 && n > 0;) {
    if (!ownership_->token(p) || ownership_->handing_off(p) || now - acquired_at_[p] < options_.ttl) continue;
    hand_off(p);
    --n;
  }
}

bool LeaseKeeper::release_handed_off(std::uint32_t p, std::uint64_t token) {
  if (!ownership_->ready_to_release(p)) return false;
  leases_->release(p, token);  // false: expired meanwhile; either way not ours now
  ownership_->drop(p);
  std::chrono::steady_clock::time_point asked;
  {
    std::lock_guard<std::mutex> lock(handoff_mutex_);
    asked = handoff_asked_[p];
  }
  if (callbacks_.on_handed_over)
    callbacks_.on_handed_over(
        p, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - asked));
  return true;
}

LeaseKeeper::~LeaseKeeper() { thread_.stop(); }

RedisConnection& LeaseKeeper::connection() {
  if (!redis_ || redis_->broken()) {
    members_.reset();
    leases_.reset();
    redis_.reset();
    // A connect or a reply slower than a third of the ttl would make the
    // renewals late: bounded by it (and by 1 s).
    const auto timeout = std::clamp(options_.ttl / 3, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
    redis_.emplace(RedisConnection::connect(options_.endpoint, timeout));
    leases_.emplace(*redis_, options_.instance_id, options_.ttl);
    members_.emplace(*redis_, options_.instance_id, options_.ttl);
  }
  return *redis_;
}

bool LeaseKeeper::round() {
  bool answered = true;
  std::string error;
  try {
    RedisConnection& redis = connection();
    if (!count_checked_) {
      check_partition_count(redis, options_.partitions);  // PartitionCountMismatch goes to the caller
      count_checked_ = true;
    }
    const std::size_t share = fair_share();
    // The first round takes every free partition up to the share at once
    // (the inputs wait for it); later ones move at most max_moves.
    std::size_t moves = 0;
    const std::size_t cap = first_round_ ? options_.partitions : options_.max_moves;
    for (std::uint32_t p = 0; p < options_.partitions; ++p) {
      const auto sent = std::chrono::steady_clock::now();
      const auto token = ownership_->token(p);
      // Its sessions have all ended: given back, and not taken again this round.
      if (token && release_handed_off(p, *token)) continue;
      if (token && leases_->renew(p, *token)) {
        renewed_[p] = sent;
        continue;
      }
      // Sticky: only free or expired leases are taken, up to the share.
      if (!token && (ownership_->owned() >= share || moves >= cap)) continue;
      if (token && leaving_.load()) {  // stopping: not taken again
        ownership_->drop(p);
        if (callbacks_.on_lost) callbacks_.on_lost(p, "the renewal answered lost while handing it over");
        continue;
      }
      // Not held, or lost: acquired again at once when free (a Redis that
      // lost its data), so the partition is never without its owner here
      // in between; dropped when another instance holds it.
      LeaseAnswer got = leases_->acquire(p);
      if (!got.held && previous_life(got.holder, options_.instance_id)) got = leases_->take_over(p, got.holder);
      if (token && callbacks_.on_lost)
        callbacks_.on_lost(p, got.held ? "the renewal answered lost (expired); acquired again, token " +
                                             std::to_string(got.token)
                                       : "the renewal answered lost; " + got.holder + " holds it now");
      if (!got.held) {
        if (token) ownership_->drop(p);
        continue;
      }
      if (!token) {
        ++moves;
        acquired_at_[p] = sent;
      }
      ownership_->set(p, got.token, options_.intake_waits_after_first_round && !first_round_);
      renewed_[p] = sent;
      if (callbacks_.on_acquired) callbacks_.on_acquired(p, got.token);
    }
    hand_over_surplus(share);
    keep_single();
  } catch (const RedisError& e) {
    answered = false;
    error = e.what();
    if (!e.server_error().empty() && !e.transient()) {  // a script refused: start afresh
      members_.reset();
      leases_.reset();
      redis_.reset();
    }
    if (callbacks_.on_error && failed_rounds_++ % 50 == 0) callbacks_.on_error(e.what());
    const auto now = std::chrono::steady_clock::now();
    for (std::uint32_t p = 0; p < options_.partitions; ++p) {
      if (!ownership_->token(p) || now - renewed_[p] < options_.ttl) continue;
      ownership_->drop(p);
      if (callbacks_.on_lost)
        callbacks_.on_lost(p, "not renewed for a whole ttl (Redis did not answer): " + std::string(e.what()));
    }
    if (single_token_.load() != 0 && now - single_renewed_ >= options_.ttl) single_token_.store(0);
  }
  if (answered) {
    failed_rounds_ = 0;
    first_round_ = false;
  }
  report_round(answered, error);
  return answered;
}

void LeaseKeeper::report_round(bool answered, const std::string& error) {
  if (callbacks_.on_owned) callbacks_.on_owned(ownership_->owned());
  if (!callbacks_.on_round) return;
  LeaseRound r;
  r.answered = answered;
  r.error = error;
  for (std::uint32_t p = 0; p < options_.partitions; ++p) {
    if (!ownership_->token(p)) continue;
    r.held.push_back(p);
    r.handing_off += ownership_->handing_off(p) ? 1 : 0;
  }
  r.live_members = live_members_;
  callbacks_.on_round(r);
}

void LeaseKeeper::keep_single() {
  if (!options_.single) return;
  const auto sent = std::chrono::steady_clock::now();
  const std::uint64_t token = single_token_.load();
  if (leaving_.load()) {  // another instance's router takes over at once
    if (token != 0) leases_->release(*options_.single, token);
    single_token_.store(0);
    return;
  }
  if (token != 0 && leases_->renew(*options_.single, token)) {
    single_renewed_ = sent;
    return;
  }
  LeaseAnswer got = leases_->acquire(*options_.single);
  if (!got.held && previous_life(got.holder, options_.instance_id))
    got = leases_->take_over(*options_.single, got.holder);
  single_token_.store(got.held ? got.token : 0);
  if (got.held) single_renewed_ = sent;
}

std::size_t LeaseKeeper::fair_share() {
  if (leaving_.load()) {  // no heartbeat: the others stop counting it at once
    if (!left_members_) members_->remove(options_.instance_id);
    left_members_ = true;
    return 0;
  }
  std::size_t live = 1;  // this instance
  for (const std::string& m : members_->heartbeat()) {
    if (m == options_.instance_id) continue;
    if (previous_life(m, options_.instance_id)) {
      members_->remove(m);  // dead: neither we nor the others count it
      continue;
    }
    ++live;
  }
  live_members_ = live;
  return (options_.partitions + live - 1) / live;
}

void LeaseKeeper::start() {
  bool answered = round();
  thread_.start(
      [this, answered]() mutable {
        // While Redis does not answer, sooner: a Redis that comes back finds
        // the partitions owned before the inputs' reconnection (1 s and up).
        const auto pause = [this](bool ok) {
          const std::chrono::milliseconds third = options_.ttl / 3;
          return ok ? third : std::min(third, std::chrono::milliseconds(200));
        };
        while (!thread_.wait_until(std::chrono::steady_clock::now() + pause(answered))) {
          try {
            answered = round();
          } catch (const std::exception& e) {  // the count changed under a running instance
            answered = false;
            if (callbacks_.on_error) callbacks_.on_error(e.what());
          }
        }
      },
      "lease keeper");
}

void LeaseKeeper::stop(bool release, std::chrono::steady_clock::time_point release_until) {
  thread_.stop();
  if (!release) return;
  const auto in_time = [release_until] { return std::chrono::steady_clock::now() < release_until; };
  for (std::uint32_t p = 0; p < options_.partitions; ++p) {
    const auto token = ownership_->token(p);
    if (!token) continue;
    if (!in_time()) {
      ownership_->drop(p);  // expires by itself
      continue;
    }
    try {
      connection();
      // A handed-off one is reported as handed over (on_handed_over).
      if (!release_handed_off(p, *token)) leases_->release(p, *token);
      ownership_->drop(p);
    } catch (const std::exception&) {  // the lease expires by itself
      ownership_->drop(p);
      break;
    }
  }
  try {
    if (!in_time()) throw std::runtime_error("past the stop's bound");
    connection();
    if (options_.single && single_token_.load() != 0) leases_->release(*options_.single, single_token_.load());
    single_token_.store(0);
    members_->remove(options_.instance_id);
  } catch (const std::exception&) {  // its heartbeat ages out by itself
  }
  if (callbacks_.on_owned) callbacks_.on_owned(ownership_->owned());
}

}  // namespace hourglass::io
