#include "sim/schedule.hpp"

#include <algorithm>
#include <vector>

namespace hourglass::sim {
namespace {

// (fire time, id): std::string's ordering is byte order.
template <class T>
struct Due {
  WorldTime time;
  T* item;
};

template <class T>
void sort_canonically(std::vector<Due<T>>& due) {
  std::sort(due.begin(), due.end(), [](const Due<T>& a, const Due<T>& b) {
    return a.time != b.time ? a.time < b.time : a.item->id < b.item->id;
  });
}

}  // namespace

bool Schedule::add_event(Event e, Duration grace) {
  rearm_event(e, grace);
  std::string id = e.id;
  return events_.emplace(std::move(id), std::move(e)).second;
}

bool Schedule::add_effect(Effect e) {
  std::string id = e.id;
  return effects_.emplace(std::move(id), std::move(e)).second;
}

Event* Schedule::find_event(const std::string& id) {
  auto it = events_.find(id);
  return it == events_.end() ? nullptr : &it->second;
}

Effect* Schedule::find_effect(const std::string& id) {
  auto it = effects_.find(id);
  return it == effects_.end() ? nullptr : &it->second;
}

void Schedule::rearm_event(Event& e, Duration grace) {
  e.due = e.completed ? kNever : e.scheduled_at + grace;
}

void Schedule::rearm_all(Duration grace) {
  for (auto& [id, e] : events_) rearm_event(e, grace);
}

std::uint64_t Schedule::fire_effects(WorldTime clock, WorldTime until, RecordSink& sink) {
  std::vector<Due<Effect>> due;
  for (auto& [id, fx] : effects_)
    if (fx.execute_at <= until) due.push_back({std::max(fx.execute_at, clock), &fx});
  sort_canonically(due);
  for (const auto& d : due) {
    RecordView r;
    r.time = d.time;
    r.kind = RecordKind::DeferredEffect;
    r.entity_id = d.item->id;
    sink.record(r);
  }
  for (const auto& d : due) effects_.erase(d.item->id);  // a fired effect is gone
  return due.size();
}

std::uint64_t Schedule::fire_events(WorldTime clock, WorldTime until, RecordSink& sink) {
  static const Field kCompleted{{}, "isCompleted", 0, "true", true};
  std::vector<Due<Event>> due;
  for (auto& [id, e] : events_)
    if (e.due <= until) due.push_back({std::max(e.due, clock), &e});
  sort_canonically(due);
  for (const auto& d : due) {
    d.item->completed = true;
    d.item->due = kNever;
    RecordView r;
    r.time = d.time;
    r.kind = RecordKind::EventExpired;
    r.entity_id = d.item->id;
    r.changes = {&kCompleted, 1};
    sink.record(r);
  }
  return due.size();
}

WorldTime Schedule::next_due() const {
  WorldTime t = kNever;
  for (const auto& [id, fx] : effects_) t = std::min(t, fx.execute_at);
  for (const auto& [id, e] : events_) t = std::min(t, e.due);
  return t;
}

}  // namespace hourglass::sim
