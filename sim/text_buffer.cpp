#include "sim/text_buffer.hpp"

#include <mutex>
#include <utility>
#include <vector>

namespace hourglass::sim {
namespace {

// What the pool keeps at most. 16 MiB holds half a step of a thousand
// settlements' records, which is as fast as 64 MiB was for the catch-up
// (the blocks go round: a step's are given back while the next step takes
// them) and keeps the service's peak memory where it was before the pool
// (64 MiB added ~40 MiB to it). Blocks past these limits go back to malloc.
constexpr std::size_t kPoolBytes = std::size_t{16} << 20;
constexpr std::size_t kPoolBlocks = 4096;
// A block is taken for a request up to this many times smaller, so that a
// small buffer does not hold a large block.
constexpr std::size_t kWasteFactor = 4;
// Smaller blocks go back to malloc, which serves them well (and they would
// fill the pool's count).
constexpr std::size_t kMinPooled = 1024;

struct Block {
  std::unique_ptr<char[]> data;
  std::size_t capacity;
};

struct Pool {
  std::mutex mutex;
  std::vector<Block> blocks;  // a stack: the last given back is the warmest
  std::size_t bytes = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may outlive static destruction
  return *p;
}

}  // namespace

std::unique_ptr<char[]> take_pooled_block(std::size_t needed, std::size_t& capacity) {
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    // The few most recent blocks only: a search of the whole stack would cost
    // more than malloc when none fits.
    const std::size_t n = p.blocks.size();
    for (std::size_t i = n; i > 0 && i + 8 > n; --i) {
      Block& b = p.blocks[i - 1];
      if (b.capacity < needed || b.capacity / kWasteFactor > needed) continue;
      std::unique_ptr<char[]> data = std::move(b.data);
      capacity = b.capacity;
      p.bytes -= b.capacity;
      p.blocks.erase(p.blocks.begin() + static_cast<std::ptrdiff_t>(i - 1));
      return data;
    }
  }
  return std::unique_ptr<char[]>(new char[capacity]);  // none fits: a fresh one, outside the lock
}

void give_pooled_block(std::unique_ptr<char[]> block, std::size_t capacity) {
  if (capacity < kMinPooled) return;  // freed on return
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.blocks.size() >= kPoolBlocks || p.bytes + capacity > kPoolBytes) return;
  p.bytes += capacity;
  p.blocks.push_back({std::move(block), capacity});
}

}  // namespace hourglass::sim
