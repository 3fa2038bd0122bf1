#include "sim/canonical_merge.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>

namespace hourglass::sim {
namespace {

// A group of records to order: its time (from the step's earliest) and its
// text. A step shorter than 2^32 ms (49 days; a day by default) keys by 32
// bits, which keeps an item at 16 bytes.
template <class Key>
struct Item {
  Key key;
  std::uint32_t length;
  const char* text;
};

// The sort's working storage, kept by each thread from one step to the next:
// megabytes that malloc would otherwise map and unmap (or consolidate its
// free lists for) at every step.
template <class Key>
struct SortScratch {
  std::vector<Item<Key>> items, spare;
  std::vector<std::size_t> count;
};

template <class Key>
SortScratch<Key>& sort_scratch() {
  thread_local SortScratch<Key> scratch;
  return scratch;
}

// Divides every key by the largest of a minute and a second that divides
// them all. Timers fire on whole minutes or seconds in practice (intervals
// and anchors come from rules and entity dates): a day's step is then 11
// bits of minutes, one radix pass, where its milliseconds need three.
// Dividing keeps the order, and equal times stay equal.
template <class Key>
void coarsen_keys(std::vector<Item<Key>>& items) {
  constexpr Key kMinute = 60'000, kSecond = 1'000;
  bool minutes = true, seconds = true;
  for (const auto& item : items) {
    minutes &= item.key % kMinute == 0;
    seconds &= item.key % kSecond == 0;
  }
  if (minutes)
    for (auto& item : items) item.key /= kMinute;
  else if (seconds)
    for (auto& item : items) item.key /= kSecond;
}

// A stable LSD radix sort on the keys, in as few passes of at most 11 bits
// as the highest key needs (a day's step in milliseconds: 27 bits, three
// passes of 9; in minutes: 11 bits, one pass). Items go in rank by rank, so
// at equal times stability keeps them in rank order and the rank needs no
// digits of its own. A pass whose digit every key shares is skipped; a
// handful of items is insertion-sorted (a small campaign's step would spend
// its time clearing counters).
template <class Key>
void radix_sort(std::vector<Item<Key>>& items, std::vector<Item<Key>>& tmp, std::vector<std::size_t>& count) {
  const std::size_t n = items.size();
  if (n < 64) {
    for (std::size_t i = 1; i < n; ++i) {
      const Item<Key> k = items[i];
      std::size_t j = i;
      for (; j > 0 && items[j - 1].key > k.key; --j) items[j] = items[j - 1];
      items[j] = k;
    }
    return;
  }
  coarsen_keys(items);
  Key highest = 0;
  for (const auto& k : items) highest |= k.key;
  int width = 0;
  while (width < 64 && (std::uint64_t{highest} >> width) != 0) ++width;
  if (width == 0) return;
  constexpr int kMaxDigit = 11;
  const int passes = (width + kMaxDigit - 1) / kMaxDigit;
  const int digit = (width + passes - 1) / passes;
  const Key mask = static_cast<Key>((std::uint64_t{1} << digit) - 1);
  tmp.resize(n);
  count.resize((std::size_t{1} << digit) + 1);
  for (int shift = 0; shift < width; shift += digit) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto& k : items) ++count[((k.key >> shift) & mask) + 1];
    if (count[((items.front().key >> shift) & mask) + 1] == n) continue;  // one bucket
    for (std::size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
    for (const auto& k : items) tmp[count[(k.key >> shift) & mask]++] = k;
    items.swap(tmp);
  }
}

// The text of every group of `by_rank`, in canonical order.
template <class Key>
std::vector<std::string_view> sorted_slices(const std::vector<const RecordBatch*>& by_rank, std::size_t groups,
                                            WorldTime earliest) {
  SortScratch<Key>& scratch = sort_scratch<Key>();
  std::vector<Item<Key>>& items = scratch.items;
  items.clear();
  items.reserve(groups);
  for (const RecordBatch* b : by_rank) {
    if (!b) continue;
    const char* text = b->text.data();
    std::size_t begin = 0;
    for (const RecordBatch::Group& g : b->groups) {
      items.push_back({static_cast<Key>(g.time - earliest), static_cast<std::uint32_t>(g.end - begin), text + begin});
      begin = g.end;
    }
  }
  radix_sort(items, scratch.spare, scratch.count);
  std::vector<std::string_view> slices;
  slices.reserve(items.size());
  for (const auto& item : items) slices.emplace_back(item.text, item.length);
  return slices;
}

// A step whose group times are all whole minutes (RecordBatch::whole_minutes:
// every timer of the default rules, and of any rules in whole minutes, with
// entities created on whole minutes) is ordered by a counting sort on the
// minute, straight from the batches into the slices: two reads of each
// batch's list of instants, where the general path builds, coarsens and
// radix-sorts a copy of them. Taking the batches rank by rank keeps equal
// minutes in rank order.
std::vector<std::string_view> slices_by_minute(const std::vector<const RecordBatch*>& by_rank, std::size_t groups,
                                               WorldTime earliest, std::size_t minutes) {
  auto minute_of = [earliest](WorldTime t) { return static_cast<std::size_t>((t - earliest) / kMsPerMinute); };
  std::vector<std::size_t>& start = sort_scratch<std::uint32_t>().count;
  start.assign(minutes + 1, 0);
  for (const RecordBatch* b : by_rank)
    if (b)
      for (const RecordBatch::Group& g : b->groups) ++start[minute_of(g.time) + 1];
  for (std::size_t m = 1; m <= minutes; ++m) start[m] += start[m - 1];
  std::vector<std::string_view> slices(groups);
  for (const RecordBatch* b : by_rank) {
    if (!b) continue;
    const char* text = b->text.data();
    std::size_t begin = 0;
    for (const RecordBatch::Group& g : b->groups) {
      slices[start[minute_of(g.time)]++] = std::string_view(text + begin, g.end - begin);
      begin = g.end;
    }
  }
  return slices;
}

std::vector<std::string_view> slices_in_order(const std::vector<const RecordBatch*>& by_rank) {
  std::size_t groups = 0;
  WorldTime earliest = kNever, latest = 0;
  bool whole_minutes = true;
  for (const RecordBatch* b : by_rank) {
    if (!b || b->groups.empty()) continue;
    groups += b->groups.size();
    whole_minutes &= b->whole_minutes;
    earliest = std::min(earliest, b->groups.front().time);
    latest = std::max(latest, b->groups.back().time);
    // A group's length is kept in 32 bits: one longer (4 GiB of records at
    // one instant of one timeline) would not fit in memory here anyway.
    if (b->text.size() > UINT32_MAX) throw std::length_error("a group of records over 4 GiB");
  }
  if (groups == 0) return {};
  // Up to 45 days of minutes: the counters stay within half a megabyte.
  constexpr WorldTime kCountedSpan = WorldTime{1} << 16;
  if (whole_minutes && (latest - earliest) / kMsPerMinute < kCountedSpan)
    return slices_by_minute(by_rank, groups, earliest, static_cast<std::size_t>((latest - earliest) / kMsPerMinute) + 1);
  if (static_cast<std::uint64_t>(latest - earliest) <= UINT32_MAX)
    return sorted_slices<std::uint32_t>(by_rank, groups, earliest);
  return sorted_slices<std::uint64_t>(by_rank, groups, earliest);
}

}  // namespace

OrderedRecords order_canonically(std::vector<RecordBatch> batches) {
  OrderedRecords out;
  out.batches = std::move(batches);
  std::vector<const RecordBatch*> by_rank;
  for (const RecordBatch& b : out.batches) {
    by_rank.push_back(&b);
    out.records += b.records;
    out.untexted += b.untexted;
  }
  out.slices = slices_in_order(by_rank);
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
  for (std::string_view s : slices_in_order(by_rank)) out.append(s);
}

}  // namespace hourglass::sim
