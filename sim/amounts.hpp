// Amounts: a small map from resource name to integer, kept sorted by name in
// byte order (the order in which the SPEC iterates resources). Settlements
// hold a handful of resources, so a sorted vector beats a tree or hash map.
#pragma once

#include <algorithm>
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

  Amounts() = default;
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
    if (it == entries_.end() || !name_equal(it->first, name)) it = entries_.emplace(it, std::string(name), 0);
    return it->second;
  }
  void set(std::string_view name, std::int64_t value) {
    auto it = find(name);
    if (it != entries_.end() && name_equal(it->first, name))
      it->second = value;
    else
      entries_.emplace(it, std::string(name), value);
  }

  // The value slots of `keys`' names, in keys' order, found in one walk of
  // both sorted lists (no search per name); false when one is absent, and
  // then `out` holds only those found before it. `out` has room for
  // keys.size() pointers, valid until a name is added.
  bool slots_of(const Amounts& keys, std::int64_t** out) {
    auto it = entries_.begin();
    for (const Entry& key : keys.entries_) {
      while (it != entries_.end() && name_less(it->first, key.first)) ++it;
      if (it == entries_.end() || !name_equal(it->first, key.first)) return false;
      *out++ = &it->second;
      ++it;
    }
    return true;
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
  std::vector<Entry> entries_;
};

}  // namespace hourglass::sim
