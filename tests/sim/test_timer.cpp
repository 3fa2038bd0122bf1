// Unit tests for sim/timer: periodic timers due at anchor + k*interval,
// k >= 1, never at or before the clock at which they were (re)started
// (SPEC §2, reading 8.1).
#include <catch2/catch.hpp>

#include "sim/time.hpp"
#include "sim/timer.hpp"

using hourglass::sim::first_due_after;
using hourglass::sim::kMsPerMinute;
using hourglass::sim::kNever;
using hourglass::sim::PeriodicTimer;
using hourglass::sim::WorldTime;

namespace {
constexpr WorldTime min(std::int64_t m) { return m * kMsPerMinute; }
}  // namespace

TEST_CASE("first_due_after never returns the anchor itself (k >= 1)", "[timer]") {
  // Clock at the anchor: the first due time is one interval later.
  CHECK(first_due_after(min(0), min(60), min(0)) == min(60));
  CHECK(first_due_after(min(1000), min(7), min(1000)) == min(1007));
}

TEST_CASE("first_due_after is strictly after the clock", "[timer]") {
  // Clock exactly on a due time: that one is not returned, the next is.
  CHECK(first_due_after(min(0), min(60), min(60)) == min(120));
  CHECK(first_due_after(min(0), min(60), min(180)) == min(240));
  // Clock between due times: the next grid point.
  CHECK(first_due_after(min(0), min(60), min(1)) == min(60));
  CHECK(first_due_after(min(0), min(60), min(59)) == min(60));
  CHECK(first_due_after(min(0), min(60), min(61)) == min(120));
  // Millisecond resolution: one ms before a due time still gets it.
  CHECK(first_due_after(0, 1000, 1999) == 2000);
  CHECK(first_due_after(0, 1000, 2000) == 3000);
  // Anchor off the minute grid.
  CHECK(first_due_after(17, 10, 17) == 27);
  CHECK(first_due_after(17, 10, 36) == 37);
  CHECK(first_due_after(17, 10, 37) == 47);
}

TEST_CASE("first_due_after with the anchor in the future", "[timer]") {
  // The anchor is not a due time even when it lies after the clock: the first
  // due time is anchor + interval.
  CHECK(first_due_after(min(100), min(10), min(50)) == min(110));
  CHECK(first_due_after(min(100), min(10), min(99)) == min(110));
  // Times before the epoch work the same way (negative ms).
  CHECK(first_due_after(-100, 30, -50) == -40);   // -100 + 2*30
  CHECK(first_due_after(-100, 30, -70) == -40);   // -70 is due, so not returned
  CHECK(first_due_after(-100, 30, -1000) == -70); // anchor in the future
}

TEST_CASE("PeriodicTimer::start and step", "[timer]") {
  PeriodicTimer t;
  CHECK_FALSE(t.running());
  CHECK(t.next == kNever);

  t.start(min(0), min(60), min(0));
  CHECK(t.running());
  CHECK(t.anchor == min(0));
  CHECK(t.interval == min(60));
  CHECK(t.next == min(60));

  t.step();
  CHECK(t.next == min(120));
  t.step();
  CHECK(t.next == min(180));

  // Restarted later: the anchor grid is kept, the next point after the clock.
  t.start(min(0), min(60), min(200));
  CHECK(t.next == min(240));

  t.stop();
  CHECK_FALSE(t.running());
  CHECK(t.next == kNever);
}

TEST_CASE("retime keeps the anchor (SPEC §2 example)", "[timer]") {
  // Anchor 00:00, clock 01:30, new interval 45 min: due at 02:15 (00:00 + 3*45);
  // 01:30 (00:00 + 2*45) is the clock itself, so it is skipped. Here clock + 45
  // happens to agree, so a second case tells the anchor grid from clock + 45.
  PeriodicTimer t;
  t.start(min(0), min(60), min(0));
  t.step();  // fired at 01:00, next 02:00
  REQUIRE(t.next == min(120));
  t.retime(min(45), min(90));
  CHECK(t.anchor == min(0));
  CHECK(t.interval == min(45));
  CHECK(t.next == min(135));

  // Anchor 00:00, clock 01:40, 45 min: 02:15 (anchor grid), not 02:25 (clock + 45).
  PeriodicTimer u;
  u.start(min(0), min(60), min(0));
  u.step();
  u.retime(min(45), min(100));
  CHECK(u.next == min(135));
  CHECK(u.anchor == min(0));
}

TEST_CASE("retime with an unchanged interval keeps the schedule", "[timer]") {
  PeriodicTimer t;
  t.start(min(0), min(60), min(0));
  t.step();  // next 02:00
  // A restart at clock 00:30 would give 01:00; the schedule must stay 02:00.
  t.retime(min(60), min(30));
  CHECK(t.next == min(120));
  CHECK(t.anchor == min(0));
}

TEST_CASE("retime leaves a stopped timer stopped", "[timer]") {
  PeriodicTimer t;
  t.start(min(0), min(60), min(0));
  t.stop();
  t.retime(min(45), min(90));
  CHECK_FALSE(t.running());
  CHECK(t.next == kNever);
}
