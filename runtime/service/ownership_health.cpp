#include "runtime/service/ownership_health.hpp"

namespace hourglass::service {
namespace {

double seconds_between(OwnershipHealth::Clock::time_point from, OwnershipHealth::Clock::time_point to) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count()) / 1000.0;
}

}  // namespace

std::string compact_ranges(const std::vector<std::uint32_t>& ascending) {
  std::string out;
  for (std::size_t i = 0; i < ascending.size();) {
    std::size_t j = i;
    while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ascending[i]);
    if (j > i) out += '-' + std::to_string(ascending[j]);
    i = j + 1;
  }
  return out;
}

OwnershipHealth::OwnershipHealth(std::string instance_id, std::uint32_t partitions)
    : instance_id_(std::move(instance_id)), partitions_(partitions) {}

void OwnershipHealth::round(const io::LeaseRound& r, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (r.answered) {
    ++rounds_ok_;
    last_ok_ = now;
    any_answered_ = true;
  } else {
    if (last_.answered || rounds_failed_ == 0) failing_since_ = now;  // a run of failures starts
    ++rounds_failed_;
  }
  last_ = r;
}

void OwnershipHealth::moved(std::string_view how) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (how == "acquired") ++takeovers_;
  if (how == "handed_over") ++handed_over_;
}

void OwnershipHealth::set_fenced(std::uint64_t refusals) {
  std::lock_guard<std::mutex> lock(mutex_);
  fenced_ = refusals;
}

void OwnershipHealth::started() {
  std::lock_guard<std::mutex> lock(mutex_);
  started_ = true;
}

void OwnershipHealth::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
}

bool OwnershipHealth::renewals_failing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !last_.answered;
}

std::string OwnershipHealth::not_ready_locked() const {
  if (stopping_) return "stopping: handing its partitions over (SIGTERM)";
  if (!any_answered_) return "starting: the first lease round has not been answered by Redis";
  if (!started_) return "starting: the inputs have not started";
  if (!last_.answered) return "the last lease round was not answered (Redis away): " + last_.error;
  return "";
}

nlohmann::json OwnershipHealth::readiness(Clock::time_point) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string why = not_ready_locked();
  nlohmann::json j{{"ready", why.empty()},
                   {"instance", instance_id_},
                   {"owned", last_.held.size()},
                   {"members", last_.live_members}};
  if (!why.empty()) j["why"] = why;
  return j;
}

nlohmann::json OwnershipHealth::to_json(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json renewals{{"ok", rounds_ok_}, {"failed", rounds_failed_}};
  if (any_answered_) renewals["last_ok_age_s"] = seconds_between(last_ok_, now);
  if (!last_.answered) {
    renewals["failing_for_s"] = seconds_between(failing_since_, now);
    renewals["error"] = last_.error;
  }
  const std::string why = not_ready_locked();
  nlohmann::json j{{"status", last_.answered ? "ok" : "degraded"},
                   {"instance", instance_id_},
                   {"partitions", partitions_},
                   {"owned", last_.held.size()},
                   {"owned_list", compact_ranges(last_.held)},
                   {"members", last_.live_members},
                   {"handoffs_in_progress", last_.handing_off},
                   {"takeovers", takeovers_},
                   {"handed_over", handed_over_},
                   {"fenced_refusals", fenced_},
                   {"renewals", std::move(renewals)},
                   {"ready", why.empty()}};
  if (!why.empty()) j["why"] = why;
  return j;
}

}  // namespace hourglass::service
