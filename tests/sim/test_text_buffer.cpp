// TextBuffer and the pool its storage comes from: the bytes survive growth
// and moves, and storage given back is handed out again.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/text_buffer.hpp"

using hourglass::sim::PooledAllocator;
using hourglass::sim::TextBuffer;

TEST_CASE("TextBuffer keeps its bytes through growth and moves", "[text_buffer]") {
  TextBuffer b;
  std::string want;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    b.append(piece);
    want += piece;
  }
  CHECK(b.view() == want);
  TextBuffer moved = std::move(b);
  CHECK(moved.view() == want);
  CHECK(b.empty());  // NOLINT: a moved-from buffer is empty and usable
  b.append("again");
  CHECK(b.view() == "again");
  TextBuffer copy = moved;
  CHECK(copy.view() == want);
}

TEST_CASE("storage given back to the pool is handed out again", "[text_buffer]") {
  const char* first = nullptr;
  {
    TextBuffer b;
    b.reserve_tail(48 * 1024);
    first = b.data();
  }  // its block goes back to the pool, not to malloc: malloc, asked for
     // the same size, must not get it...
  std::vector<char> elsewhere(48 * 1024);
  CHECK(elsewhere.data() != first);
  TextBuffer again;
  again.reserve_tail(40 * 1024);  // ...the next buffer it fits does
  CHECK(again.data() == first);
  TextBuffer small;
  small.reserve_tail(100);  // would waste the pool's large blocks: takes its own
  CHECK(small.data() != first);
}

TEST_CASE("a vector with the pooled allocator behaves as a vector", "[text_buffer]") {
  std::vector<std::pair<long, std::size_t>, PooledAllocator<std::pair<long, std::size_t>>> v;
  for (long i = 0; i < 10000; ++i) v.push_back({i, static_cast<std::size_t>(i) * 2});
  for (long i = 0; i < 10000; ++i) REQUIRE(v[static_cast<std::size_t>(i)].second == static_cast<std::size_t>(i) * 2);
  const auto* storage = v.data();
  const std::size_t capacity = v.capacity();
  decltype(v)().swap(v);  // gives its storage back to the pool
  std::vector<char> elsewhere(capacity * sizeof(v[0]));
  CHECK(static_cast<const void*>(elsewhere.data()) != static_cast<const void*>(storage));
  std::vector<std::pair<long, std::size_t>, PooledAllocator<std::pair<long, std::size_t>>> w;
  w.reserve(capacity);
  CHECK(w.data() == storage);
}
