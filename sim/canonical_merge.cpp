#include "sim/canonical_merge.hpp"

#include <queue>

namespace hourglass::sim {
namespace {

struct Cursor {
  WorldTime time;
  std::size_t rank;
  std::size_t group;
};

struct Later {
  bool operator()(const Cursor& a, const Cursor& b) const {
    return a.time != b.time ? a.time > b.time : a.rank > b.rank;
  }
};

}  // namespace

void merge_canonical(const std::vector<const RecordBatch*>& by_rank, std::string& out) {
  std::size_t total = 0;
  std::priority_queue<Cursor, std::vector<Cursor>, Later> heap;
  for (std::size_t rank = 0; rank < by_rank.size(); ++rank) {
    const RecordBatch* b = by_rank[rank];
    if (!b || b->groups.empty()) continue;
    total += b->text.size();
    heap.push({b->groups[0].time, rank, 0});
  }
  out.reserve(out.size() + total);
  while (!heap.empty()) {
    Cursor c = heap.top();
    heap.pop();
    const RecordBatch& b = *by_rank[c.rank];
    const std::size_t begin = c.group == 0 ? 0 : b.groups[c.group - 1].end;
    out.append(b.text, begin, b.groups[c.group].end - begin);
    if (++c.group < b.groups.size()) {
      c.time = b.groups[c.group].time;
      heap.push(c);
    }
  }
}

}  // namespace hourglass::sim
