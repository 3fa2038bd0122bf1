// The allocator's free memory, given back to the operating system.
//
// The executables run on tcmalloc (README, Dependencies), which keeps what a
// program frees for its next allocations instead of unmapping it: after a
// burst (a large world's bootstrap, a 50 MB message) the process would go on
// holding its peak. The service gives back what is free past a margin every
// few seconds (serve_app's reporter). Without tcmalloc (the unit tests) it is
// glibc's malloc_trim.
#pragma once

#include <cstddef>

namespace hourglass::runtime {

// Bytes the allocator holds free (0 when it cannot say).
std::size_t free_memory_held();

// Gives back to the OS what the allocator holds free beyond `keep` bytes
// (all of it for 0): the bytes it gave back, as far as it can say.
std::size_t release_free_memory(std::size_t keep = 0);

}  // namespace hourglass::runtime
