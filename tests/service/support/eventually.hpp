// Waiting in a test for what other threads or processes do (actors, a child
// `hourglass serve`, Redis, the fake API): `done` is asked every `every`
// until it holds or `bound` has passed. A deadline on an observable
// condition, never a sleep standing in for one.
#pragma once

#include <chrono>
#include <thread>

namespace hourglass::service::testing {

// True once `done()` holds, false when `bound` passed first.
template <class Done>
bool eventually(Done&& done, std::chrono::milliseconds bound,
                std::chrono::milliseconds every = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(every);  // polling a condition with a deadline
  }
  return true;
}

}  // namespace hourglass::service::testing
