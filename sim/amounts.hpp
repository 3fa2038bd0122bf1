// Amounts: a small map from resource name to integer, kept sorted by name in
// byte order (the order in which the SPEC iterates resources). Settlements
// hold a handful of resources, so a sorted vector beats a tree or hash map.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hourglass::sim {

// Byte order of two names, inline: resource names are short and usually
// differ in their first byte, where a call to memcmp would cost more.
inline bool name_less(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  return a.size() < b.size();
}

inline bool name_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

class Amounts {
 public:
  using Entry = std::pair<std::string, std::int64_t>;
  // Names which one list of names, in order, everywhere: a copy shares its
  // original's, and adding a name gives the list a number never used before.
  // 0 is the empty list's. (SlotIndex remembers positions by it.)
  using Layout = std::uint64_t;

  Amounts() = default;
  Amounts(const Amounts&) = default;
  Amounts& operator=(const Amounts&) = default;
  // A moved-from list is empty, so its layout is the empty one's.
  Amounts(Amounts&& o) noexcept : entries_(std::move(o.entries_)), layout_(o.layout_) { o.forget(); }
  Amounts& operator=(Amounts&& o) noexcept {
    if (this != &o) {
      entries_ = std::move(o.entries_);
      layout_ = o.layout_;
      o.forget();
    }
    return *this;
  }
  // Entries may come in any order; later duplicates win.
  Amounts(std::initializer_list<Entry> entries) {
    for (const auto& e : entries) set(e.first, e.second);
  }

  // The value of `name`, 0 when absent (SPEC reading 4: missing counts as 0).
  std::int64_t get(std::string_view name) const {
    auto it = find(name);
    return it != entries_.end() && name_equal(it->first, name) ? it->second : 0;
  }
  bool contains(std::string_view name) const {
    auto it = find(name);
    return it != entries_.end() && name_equal(it->first, name);
  }
  // The value slot of `name`, created (as 0) when absent.
  std::int64_t& slot(std::string_view name) {
    auto it = find(name);
    if (it == entries_.end() || !name_equal(it->first, name)) {
      it = entries_.emplace(it, std::string(name), 0);
      layout_ = new_layout();
    }
    return it->second;
  }
  void set(std::string_view name, std::int64_t value) {
    auto it = find(name);
    if (it != entries_.end() && name_equal(it->first, name))
      it->second = value;
    else {
      entries_.emplace(it, std::string(name), value);
      layout_ = new_layout();
    }
  }

  // Whether every value here is at least `times` times the value of the same
  // name in `needed` (a missing name counts as 0), in one walk of both lists.
  bool covers(const Amounts& needed, std::int64_t times) const {
    auto it = entries_.begin();
    for (const Entry& need : needed.entries_) {
      while (it != entries_.end() && name_less(it->first, need.first)) ++it;
      const bool found = it != entries_.end() && name_equal(it->first, need.first);
      if ((found ? it->second : 0) < need.second * times) return false;
    }
    return true;
  }

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  Layout layout() const { return layout_; }
  // The i-th entry in name order.
  const Entry& at(std::size_t i) const { return entries_[i]; }
  std::int64_t& value_at(std::size_t i) { return entries_[i].second; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  friend bool operator==(const Amounts& a, const Amounts& b) { return a.entries_ == b.entries_; }
  friend bool operator!=(const Amounts& a, const Amounts& b) { return !(a == b); }

 private:
  std::vector<Entry>::iterator find(std::string_view name) {
    return std::lower_bound(entries_.begin(), entries_.end(), name,
                            [](const Entry& e, std::string_view n) { return name_less(e.first, n); });
  }
  std::vector<Entry>::const_iterator find(std::string_view name) const {
    return std::lower_bound(entries_.begin(), entries_.end(), name,
                            [](const Entry& e, std::string_view n) { return name_less(e.first, n); });
  }
  void forget() {
    entries_.clear();
    layout_ = 0;
  }
  static Layout new_layout() {
    static std::atomic<Layout> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  std::vector<Entry> entries_;
  Layout layout_ = 0;
};

// Where the names of a small list of keys (a cost) sit in a list of values
// (a settlement's resources), found by name once and remembered while the
// names of neither change: the hot loop then reads values by position, with
// no name compared. Keys with more than kMaxKeys names are not indexed.
class SlotIndex {
 public:
  static constexpr std::size_t kMaxKeys = 8;
  static constexpr std::int8_t kAbsent = -1;

  // The position in `values` of each of `keys`' names (kAbsent when it has
  // none), or nullptr when `keys` is too long to index.
  const std::int8_t* positions(const Amounts& values, const Amounts& keys) {
    if (values.layout() == values_layout_ && keys.layout() == keys_layout_ && valid_) return positions_;
    valid_ = keys.size() <= kMaxKeys && values.size() < 128;
    values_layout_ = values.layout();
    keys_layout_ = keys.layout();
    if (!valid_) return nullptr;
    std::size_t v = 0, k = 0;
    complete_ = true;
    for (const auto& key : keys) {
      while (v < values.size() && name_less(values.at(v).first, key.first)) ++v;
      const bool found = v < values.size() && name_equal(values.at(v).first, key.first);
      positions_[k++] = found ? static_cast<std::int8_t>(v) : kAbsent;
      complete_ &= found;
    }
    return positions_;
  }
  // Whether the last positions() found every name.
  bool complete() const { return complete_; }

 private:
  Amounts::Layout values_layout_ = 0, keys_layout_ = 0;
  bool valid_ = false;
  bool complete_ = false;
  std::int8_t positions_[kMaxKeys] = {};
};

}  // namespace hourglass::sim
