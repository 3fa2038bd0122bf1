// A campaign's own one-shot timers (SPEC §2): events that expire at
// scheduledAt + grace, and deferred effects that fire at executeAt. Both are
// kept by id (byte order), the order in which simultaneous ones fire.
#pragma once

#include <map>
#include <string>

#include "sim/entities.hpp"
#include "sim/record.hpp"

namespace hourglass::sim {

class Schedule {
 public:
  // Returns false (changing nothing) when the id exists.
  bool add_event(Event e, Duration grace);
  bool add_effect(Effect e);
  Event* find_event(const std::string& id);
  Effect* find_effect(const std::string& id);
  bool erase_event(const std::string& id) { return events_.erase(id) > 0; }
  bool erase_effect(const std::string& id) { return effects_.erase(id) > 0; }
  // After an UPDATE or a rules change: a pending event is due at
  // scheduledAt + grace; a completed one never.
  static void rearm_event(Event& e, Duration grace);
  void rearm_all(Duration grace);

  // Fire every effect (resp. event) due at or before `until`; one that was
  // due at or before `clock` fires at `clock` (overdue at load, CREATE or
  // UPDATE), the others at their due time. Canonical order: by time, then id.
  std::uint64_t fire_effects(WorldTime clock, WorldTime until, RecordSink& sink);
  std::uint64_t fire_events(WorldTime clock, WorldTime until, RecordSink& sink);

  WorldTime next_due() const;
  const std::map<std::string, Event>& events() const { return events_; }
  const std::map<std::string, Effect>& effects() const { return effects_; }

 private:
  std::map<std::string, Event> events_;
  std::map<std::string, Effect> effects_;
};

}  // namespace hourglass::sim
