#include "sim/canonical_merge.hpp"

#include <algorithm>
#include <cstdint>

namespace hourglass::sim {
namespace {

struct Keyed {
  std::uint64_t key;   // time - earliest
  std::uint32_t rank;
  std::uint32_t group;
};

// A stable LSD radix sort on the keys, in as few passes of at most 11 bits
// as the highest key needs (a day's step in milliseconds: 27 bits, three
// passes of 9). Items go in rank by rank, so at equal times stability keeps
// them in rank order and the rank needs no digits of its own. A pass whose
// digit every key shares is skipped; a handful of items is insertion-sorted
// (a small campaign's step would spend its time clearing counters).
void radix_sort(std::vector<Keyed>& items) {
  const std::size_t n = items.size();
  if (n < 64) {
    for (std::size_t i = 1; i < n; ++i) {
      const Keyed k = items[i];
      std::size_t j = i;
      for (; j > 0 && items[j - 1].key > k.key; --j) items[j] = items[j - 1];
      items[j] = k;
    }
    return;
  }
  std::uint64_t highest = 0;
  for (const Keyed& k : items) highest |= k.key;
  int width = 0;
  while (width < 64 && (highest >> width) != 0) ++width;
  if (width == 0) return;
  constexpr int kMaxDigit = 11;
  const int passes = (width + kMaxDigit - 1) / kMaxDigit;
  const int digit = (width + passes - 1) / passes;
  const std::uint64_t mask = (std::uint64_t{1} << digit) - 1;
  std::vector<Keyed> tmp(n);
  std::vector<std::size_t> count((std::size_t{1} << digit) + 1);
  for (int shift = 0; shift < width; shift += digit) {
    std::fill(count.begin(), count.end(), 0);
    for (const Keyed& k : items) ++count[((k.key >> shift) & mask) + 1];
    if (count[((items.front().key >> shift) & mask) + 1] == n) continue;  // one bucket
    for (std::size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
    for (const Keyed& k : items) tmp[count[(k.key >> shift) & mask]++] = k;
    items.swap(tmp);
  }
}

// The groups of `by_rank` in canonical order.
std::vector<Keyed> groups_in_order(const std::vector<const RecordBatch*>& by_rank) {
  std::size_t groups = 0;
  WorldTime earliest = kNever;
  for (const RecordBatch* b : by_rank) {
    if (!b || b->groups.empty()) continue;
    groups += b->groups.size();
    earliest = std::min(earliest, b->groups.front().time);
  }
  std::vector<Keyed> items;
  if (groups == 0) return items;
  items.reserve(groups);
  for (std::uint32_t rank = 0; rank < by_rank.size(); ++rank) {
    const RecordBatch* b = by_rank[rank];
    if (!b) continue;
    for (std::uint32_t g = 0; g < b->groups.size(); ++g)
      items.push_back({static_cast<std::uint64_t>(b->groups[g].time - earliest), rank, g});
  }
  radix_sort(items);
  return items;
}

std::vector<std::string_view> slices_of(const std::vector<const RecordBatch*>& by_rank,
                                        const std::vector<Keyed>& order) {
  std::vector<std::string_view> slices;
  slices.reserve(order.size());
  for (const Keyed& k : order) {
    const RecordBatch& b = *by_rank[k.rank];
    const std::size_t begin = k.group == 0 ? 0 : b.groups[k.group - 1].end;
    slices.push_back(b.text.view().substr(begin, b.groups[k.group].end - begin));
  }
  return slices;
}

}  // namespace

OrderedRecords order_canonically(std::vector<RecordBatch> batches) {
  OrderedRecords out;
  out.batches = std::move(batches);
  std::vector<const RecordBatch*> by_rank;
  for (const RecordBatch& b : out.batches) {
    by_rank.push_back(&b);
    out.records += b.records;
  }
  const std::vector<Keyed> order = groups_in_order(by_rank);
  out.slices = slices_of(by_rank, order);
  std::vector<ChangeList> changes;
  changes.reserve(out.batches.size());
  bool any = false;
  for (RecordBatch& b : out.batches) {
    changes.push_back(b.changes.take());
    any |= !changes.back().empty();
  }
  if (any) out.changes = order_changes(std::move(changes));
  return out;
}

void merge_canonical(const std::vector<const RecordBatch*>& by_rank, TextBuffer& out) {
  for (std::string_view s : slices_of(by_rank, groups_in_order(by_rank))) out.append(s);
}

}  // namespace hourglass::sim
