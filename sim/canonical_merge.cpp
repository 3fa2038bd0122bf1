#include "sim/canonical_merge.hpp"

#include <algorithm>
#include <cstdint>

namespace hourglass::sim {
namespace {

struct Keyed {
  std::uint64_t key;   // (time - earliest) << rank_bits | rank
  std::uint32_t rank;
  std::uint32_t group;
};

int bits_for(std::uint64_t n) {
  int b = 0;
  while (b < 64 && (std::uint64_t{1} << b) < n) ++b;
  return b;
}

// LSD radix sort on 8-bit digits, up to the highest digit any key uses;
// a digit every key shares is skipped. A step holds a few thousand groups,
// so 256 counters per pass cost little next to the items (16-bit digits
// cleared and scanned 65,536 counters per pass, more than the items).
void radix_sort(std::vector<Keyed>& items) {
  std::uint64_t highest = 0;
  for (const Keyed& k : items) highest |= k.key;
  std::vector<Keyed> tmp(items.size());
  std::size_t count[257];
  for (int shift = 0; shift < 64 && (highest >> shift) != 0; shift += 8) {
    std::fill(std::begin(count), std::end(count), 0);
    for (const Keyed& k : items) ++count[((k.key >> shift) & 0xFF) + 1];
    bool one_bucket = false;
    for (std::size_t d = 1; d < 257; ++d)
      if (count[d] == items.size()) one_bucket = true;
    if (one_bucket) continue;
    for (std::size_t d = 1; d < 257; ++d) count[d] += count[d - 1];
    for (const Keyed& k : items) tmp[count[(k.key >> shift) & 0xFF]++] = k;
    items.swap(tmp);
  }
}

// The groups of `by_rank` in canonical order.
std::vector<Keyed> groups_in_order(const std::vector<const RecordBatch*>& by_rank) {
  std::size_t groups = 0;
  WorldTime earliest = kNever, latest = 0;
  for (const RecordBatch* b : by_rank) {
    if (!b || b->groups.empty()) continue;
    groups += b->groups.size();
    earliest = std::min(earliest, b->groups.front().time);
    latest = std::max(latest, b->groups.back().time);
  }
  std::vector<Keyed> items;
  if (groups == 0) return items;
  const int rank_bits = bits_for(by_rank.size());
  const bool packable = bits_for(static_cast<std::uint64_t>(latest - earliest) + 1) + rank_bits <= 64;
  items.reserve(groups);
  for (std::uint32_t rank = 0; rank < by_rank.size(); ++rank) {
    const RecordBatch* b = by_rank[rank];
    if (!b) continue;
    for (std::uint32_t g = 0; g < b->groups.size(); ++g) {
      const auto offset = static_cast<std::uint64_t>(b->groups[g].time - earliest);
      items.push_back({packable ? offset << rank_bits | rank : offset, rank, g});
    }
  }
  if (packable) {
    radix_sort(items);
  } else {  // a step spanning more than the packed key can hold: compare pairs
    std::stable_sort(items.begin(), items.end(), [](const Keyed& a, const Keyed& b) {
      return a.key != b.key ? a.key < b.key : a.rank < b.rank;
    });
  }
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
