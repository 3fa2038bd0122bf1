// The allocator's free memory goes back to the OS (runtime/free_memory).
// Built into its own test executable linked like the executables, with
// tcmalloc, which keeps freed memory unless told.
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <vector>

#include "runtime/free_memory.hpp"

using hourglass::runtime::free_memory_held;
using hourglass::runtime::release_free_memory;

namespace {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

constexpr std::size_t kMiB = std::size_t{1} << 20;

// 256 MiB in 1 MiB blocks, touched, then freed: what a burst leaves behind.
void burst() {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 256; ++i) {
    blocks.emplace_back(new char[kMiB]);
    for (std::size_t b = 0; b < kMiB; b += 4096) blocks.back()[b] = 1;
  }
}

}  // namespace

TEST_CASE("free memory: what a burst freed is held by the allocator, then given back past the margin",
          "[free_memory]") {
  release_free_memory();
  burst();
  const std::size_t held = free_memory_held();
  const std::size_t resident = resident_bytes();
  INFO("held " << held / kMiB << " MiB, resident " << resident / kMiB << " MiB");
  REQUIRE(held >= 200 * kMiB);  // tcmalloc keeps it (this executable is linked with it)

  CHECK(release_free_memory(held) == 0);  // within the margin: kept
  CHECK(free_memory_held() >= 200 * kMiB);

  const std::size_t released = release_free_memory(16 * kMiB);
  CHECK(released >= held - 16 * kMiB - kMiB);
  CHECK(free_memory_held() <= 17 * kMiB);
  CHECK(resident_bytes() + 180 * kMiB <= resident);
}
