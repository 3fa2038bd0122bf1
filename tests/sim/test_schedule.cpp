// Unit tests for sim/schedule: event expirations (scheduledAt + grace) and
// deferred effects (executeAt), fired by (time, byte-order id) (SPEC §2, §3).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/schedule.hpp"

using namespace hourglass::sim;

namespace {

constexpr WorldTime min(std::int64_t m) { return m * kMsPerMinute; }
constexpr Duration kGrace = 5 * kMsPerMinute;

struct Fired {
  WorldTime time;
  RecordKind kind;
  std::string id;
  std::string changes;  // "key=value" pairs
  bool operator==(const Fired& o) const {
    return time == o.time && kind == o.kind && id == o.id && changes == o.changes;
  }
};
std::ostream& operator<<(std::ostream& os, const Fired& f) {
  return os << "{" << f.time << " " << kind_name(f.kind) << " " << f.id << " " << f.changes << "}";
}

class Collect final : public RecordSink {
 public:
  std::vector<Fired> fired;
  void record(const RecordView& r) override {
    std::string changes;
    for (const Field& f : r.changes) {
      changes += std::string(f.prefix) + std::string(f.name) + "=";
      changes += f.text ? (f.literal ? std::string(f.text) : "\"" + std::string(f.text) + "\"")
                        : std::to_string(f.number);
      changes += ";";
    }
    CHECK(r.settlement_id.empty());
    CHECK_FALSE(r.has_settlement_changes);
    CHECK_FALSE(r.has_cost);
    fired.push_back({r.time, r.kind, std::string(r.entity_id), changes});
  }
};

Event event(std::string id, WorldTime scheduled_at, bool completed = false) {
  Event e;
  e.id = std::move(id);
  e.scheduled_at = scheduled_at;
  e.completed = completed;
  return e;
}

Effect effect(std::string id, WorldTime execute_at) {
  Effect e;
  e.id = std::move(id);
  e.execute_at = execute_at;
  return e;
}

}  // namespace

TEST_CASE("an event expires at scheduledAt + grace, once", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(100)), kGrace));
  CHECK(s.find_event("e1")->due == min(105));
  CHECK(s.next_due() == min(105));

  Collect sink;
  // Up to one ms before the expiry: nothing.
  CHECK(s.fire_events(0, min(105) - 1, sink) == 0);
  CHECK(sink.fired.empty());
  CHECK_FALSE(s.find_event("e1")->completed);

  CHECK(s.fire_events(min(105) - 1, min(105), sink) == 1);
  REQUIRE(sink.fired.size() == 1);
  CHECK(sink.fired[0] == Fired{min(105), RecordKind::EventExpired, "e1", "isCompleted=true;"});
  // It is then completed, stays in the schedule, and never fires again.
  const Event* e = s.find_event("e1");
  REQUIRE(e != nullptr);
  CHECK(e->completed);
  CHECK(e->due == kNever);
  CHECK(s.fire_events(min(105), min(100000), sink) == 0);
  CHECK(sink.fired.size() == 1);
  CHECK(s.next_due() == kNever);
}

TEST_CASE("a completed event never expires", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(10), true), kGrace));
  CHECK(s.find_event("e1")->due == kNever);
  Collect sink;
  CHECK(s.fire_events(0, min(1'000'000), sink) == 0);
  CHECK(sink.fired.empty());
}

TEST_CASE("an overdue event fires at the clock", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(0)), kGrace));  // due 00:05
  Collect sink;
  // Registered at clock 01:00: fires at once, at 01:00.
  CHECK(s.fire_events(min(60), min(60), sink) == 1);
  REQUIRE(sink.fired.size() == 1);
  CHECK(sink.fired[0].time == min(60));
}

TEST_CASE("events fire by (time, byte-order id)", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e2", min(10)), kGrace));
  REQUIRE(s.add_event(event("e10", min(10)), kGrace));
  REQUIRE(s.add_event(event("e1", min(20)), kGrace));
  REQUIRE(s.add_event(event("a9", min(0)), kGrace));  // overdue at the clock below
  Collect sink;
  CHECK(s.fire_events(min(12), min(30), sink) == 4);
  std::vector<std::pair<WorldTime, std::string>> got;
  for (const auto& f : sink.fired) got.emplace_back(f.time, f.id);
  // a9 due 00:05 < clock 00:12: at the clock; e10 < e2 in byte order.
  CHECK(got == std::vector<std::pair<WorldTime, std::string>>{
                   {min(12), "a9"}, {min(15), "e10"}, {min(15), "e2"}, {min(25), "e1"}});
}

TEST_CASE("deferred effects fire by (time, byte-order id) and are then gone", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_effect(effect("fx2", min(60))));
  REQUIRE(s.add_effect(effect("fx10", min(60))));
  REQUIRE(s.add_effect(effect("fx1", min(90))));
  REQUIRE(s.add_effect(effect("fx3", min(30))));
  REQUIRE(s.add_effect(effect("fx9", min(200))));
  CHECK(s.next_due() == min(30));

  Collect sink;
  CHECK(s.fire_effects(0, min(90), sink) == 4);
  const std::vector<Fired> expected{
      {min(30), RecordKind::DeferredEffect, "fx3", ""},
      {min(60), RecordKind::DeferredEffect, "fx10", ""},  // "fx10" < "fx2"
      {min(60), RecordKind::DeferredEffect, "fx2", ""},
      {min(90), RecordKind::DeferredEffect, "fx1", ""},
  };
  CHECK(sink.fired == expected);
  CHECK(s.find_effect("fx2") == nullptr);
  CHECK(s.find_effect("fx10") == nullptr);
  REQUIRE(s.effects().size() == 1);
  CHECK(s.effects().begin()->first == "fx9");
  CHECK(s.next_due() == min(200));
  // Fired effects do not come back.
  CHECK(s.fire_effects(min(90), min(150), sink) == 0);
  CHECK(sink.fired.size() == 4);
}

TEST_CASE("ids compare as unsigned bytes", "[schedule]") {
  // UTF-8 lead bytes (0xC3) sort after ASCII 'z' in byte order.
  Schedule s;
  REQUIRE(s.add_effect(effect("fx\xC3\xA9", min(10))));
  REQUIRE(s.add_effect(effect("fxz", min(10))));
  REQUIRE(s.add_effect(effect("fxA", min(10))));
  Collect sink;
  CHECK(s.fire_effects(0, min(10), sink) == 3);
  REQUIRE(sink.fired.size() == 3);
  CHECK(sink.fired[0].id == "fxA");
  CHECK(sink.fired[1].id == "fxz");
  CHECK(sink.fired[2].id == "fx\xC3\xA9");
}

TEST_CASE("an overdue effect fires at the clock", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_effect(effect("fx1", min(10))));
  REQUIRE(s.add_effect(effect("fx0", min(50))));
  Collect sink;
  CHECK(s.fire_effects(min(40), min(40), sink) == 1);
  REQUIRE(sink.fired.size() == 1);
  CHECK(sink.fired[0].time == min(40));
  CHECK(sink.fired[0].id == "fx1");
  CHECK(s.find_effect("fx0") != nullptr);
}

TEST_CASE("a duplicate id is refused and changes nothing", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(10)), kGrace));
  CHECK_FALSE(s.add_event(event("e1", min(500)), kGrace));
  CHECK(s.find_event("e1")->scheduled_at == min(10));
  REQUIRE(s.add_effect(effect("fx1", min(10))));
  CHECK_FALSE(s.add_effect(effect("fx1", min(500))));
  CHECK(s.find_effect("fx1")->execute_at == min(10));
}

TEST_CASE("rearm_event follows scheduledAt, completion and grace", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(10)), kGrace));
  REQUIRE(s.add_event(event("e2", min(20)), kGrace));
  Event& e = *s.find_event("e1");

  e.scheduled_at = min(40);
  Schedule::rearm_event(e, kGrace);
  CHECK(e.due == min(45));

  e.completed = true;
  Schedule::rearm_event(e, kGrace);
  CHECK(e.due == kNever);

  // Un-completed again by an UPDATE: pending once more.
  e.completed = false;
  Schedule::rearm_event(e, kGrace);
  CHECK(e.due == min(45));

  // A rules change of the grace re-arms every pending event.
  s.rearm_all(min(30));
  CHECK(s.find_event("e1")->due == min(70));
  CHECK(s.find_event("e2")->due == min(50));
  CHECK(s.next_due() == min(50));

  Collect sink;
  CHECK(s.fire_events(0, min(69), sink) == 1);
  REQUIRE(sink.fired.size() == 1);
  CHECK(sink.fired[0].id == "e2");
  CHECK(sink.fired[0].time == min(50));
}

TEST_CASE("erasing events and effects", "[schedule]") {
  Schedule s;
  REQUIRE(s.add_event(event("e1", min(10)), kGrace));
  REQUIRE(s.add_effect(effect("fx1", min(10))));
  CHECK(s.erase_event("e1"));
  CHECK_FALSE(s.erase_event("e1"));
  CHECK(s.erase_effect("fx1"));
  CHECK_FALSE(s.erase_effect("nope"));
  CHECK(s.next_due() == kNever);
  Collect sink;
  CHECK(s.fire_events(0, min(1000), sink) == 0);
  CHECK(s.fire_effects(0, min(1000), sink) == 0);
}
