// The step gather's slots: every answer counts once, the one that completes
// the gather says so, and a slot is retried only while its actor has not
// answered.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "actors/step_gather.hpp"

using hourglass::actors::StepGather;
using hourglass::actors::StepKind;
using hourglass::actors::StepOrder;
using hourglass::actors::StepResult;

namespace {
StepResult with_firings(std::uint64_t n) {
  StepResult r;
  r.firings = n;
  return r;
}
}  // namespace

TEST_CASE("step gather: the answer that completes it is the only one that says so", "[step_gather]") {
  StepGather g(StepOrder{StepKind::Advance, 100}, 3, {});
  CHECK_FALSE(g.answer(2, with_firings(3)));
  CHECK_FALSE(g.answer(0, with_firings(1)));
  CHECK_FALSE(g.answered(1));
  CHECK(g.answer(1, with_firings(2)));
  for (std::size_t pos = 0; pos < 3; ++pos) {
    CHECK(g.answered(pos));
    CHECK(g.result(pos).firings == pos + 1);
  }
}

TEST_CASE("step gather: a slot is retried once, and never after its answer", "[step_gather]") {
  StepGather g(StepOrder{StepKind::Advance, 100}, 2, {});
  CHECK(g.answer(0, with_firings(1)) == false);
  CHECK_FALSE(g.retry(0));  // answered before its actor died: nothing to ask again
  CHECK(g.retry(1));
  CHECK_FALSE(g.retry(1));  // a second death while the retry runs asks nothing more
  CHECK_FALSE(g.answered(1));
  CHECK(g.fill(1, with_firings(7)));  // the retried answer completes it
  CHECK(g.answered(1));
  CHECK(g.result(1).firings == 7);
}

TEST_CASE("step gather: answers from many threads complete it exactly once", "[step_gather]") {
  constexpr std::size_t kSlots = 4000;
  StepGather g(StepOrder{StepKind::Advance, 100}, kSlots, {});
  std::vector<int> completed(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t pos = t; pos < kSlots; pos += 4) completed[t] += g.answer(pos, with_firings(pos)) ? 1 : 0;
    });
  for (auto& th : threads) th.join();
  CHECK(completed[0] + completed[1] + completed[2] + completed[3] == 1);
  for (std::size_t pos = 0; pos < kSlots; ++pos) REQUIRE(g.result(pos).firings == pos);
}
