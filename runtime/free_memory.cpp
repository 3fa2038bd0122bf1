#include "runtime/free_memory.hpp"

#include <malloc.h>

// tcmalloc's C interface, declared weak: present when the executable links
// tcmalloc, null otherwise (then glibc's malloc is the allocator).
extern "C" {
int MallocExtension_GetNumericProperty(const char* property, size_t* value) __attribute__((weak));
void MallocExtension_ReleaseToSystem(size_t num_bytes) __attribute__((weak));
}

namespace hourglass::runtime {

std::size_t free_memory_held() {
  std::size_t bytes = 0;
  if (MallocExtension_GetNumericProperty &&
      MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &bytes))
    return bytes;
  return 0;
}

std::size_t release_free_memory(std::size_t keep) {
  if (!MallocExtension_ReleaseToSystem) {
    ::malloc_trim(keep);
    return 0;
  }
  const std::size_t held = free_memory_held();
  if (held <= keep) return 0;
  MallocExtension_ReleaseToSystem(held - keep);
  const std::size_t after = free_memory_held();
  return held > after ? held - after : 0;
}

}  // namespace hourglass::runtime
