#include "sim/entity_changes.hpp"

#include <algorithm>
#include <tuple>

namespace hourglass::sim {
namespace {

// Past this many entries, lookups go through the index instead of a scan.
constexpr std::size_t kScanLimit = 24;

std::string index_key(EntityType target, std::string_view id) {
  std::string key;
  key.reserve(id.size() + 1);
  key.push_back(static_cast<char>('0' + static_cast<int>(target)));
  key.append(id);
  return key;
}

bool key_is(const std::string& key, std::string_view prefix, std::string_view name) {
  return key.size() == prefix.size() + name.size() && key.compare(0, prefix.size(), prefix) == 0 &&
         key.compare(prefix.size(), name.size(), name) == 0;
}

OwnedField& field_of(EntityChanges& e, std::string_view prefix, std::string_view name) {
  for (OwnedField& f : e.changes)
    if (key_is(f.key, prefix, name)) return f;
  OwnedField f;
  f.key.reserve(prefix.size() + name.size());
  f.key.append(prefix).append(name);
  e.changes.push_back(std::move(f));
  return e.changes.back();
}

OwnedField& field_of(EntityChanges& e, const std::string& key) { return field_of(e, key, {}); }

// The view's fields, with the values their JSON reads back as.
void fold(EntityChanges& e, const FieldList& fields) {
  for (const Field& f : fields) field_of(e, f.prefix, f.name).value = owned_value(f);
}

void fold(EntityChanges& e, const std::vector<OwnedField>& fields) {
  for (const OwnedField& f : fields) field_of(e, f.key).value = f.value;
}

}  // namespace

void ChangeCollector::touch(EntityChanges& e, RecordKind kind, WorldTime t) {
  e.last_kind = kind;
  e.last_time = t;
}

EntityChanges& ChangeCollector::entry(EntityType target, std::string_view id, WorldTime t) {
  if (entries_.size() <= kScanLimit) {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
      if (it->target == target && it->entity_id == id) return *it;
  } else {
    if (index_.empty())
      for (std::uint32_t i = 0; i < entries_.size(); ++i)
        index_.emplace(index_key(entries_[i].target, entries_[i].entity_id), i);
    auto found = index_.find(index_key(target, id));
    if (found != index_.end()) return entries_[found->second];
  }
  EntityChanges e;
  e.target = target;
  e.entity_id = std::string(id);
  e.first_time = t;
  e.first_seq = seq_;
  entries_.push_back(std::move(e));
  if (!index_.empty()) index_.emplace(index_key(target, id), static_cast<std::uint32_t>(entries_.size() - 1));
  return entries_.back();
}

// One body for views and owned records: both have the same members.
template <class Record>
void ChangeCollector::fold_in(const Record& r, bool has_changes, bool has_settlement_changes) {
  const auto folded = [&](EntityType target, std::string_view id, const auto& fields) -> EntityChanges& {
    EntityChanges& e = entry(target, id, r.time);
    fold(e, fields);
    touch(e, r.kind, r.time);
    return e;
  };
  switch (entity_type_of(r.kind)) {
    case EntityType::Settlement:
    case EntityType::Event:
    case EntityType::Effect: folded(entity_type_of(r.kind), r.entity_id, r.changes); break;
    case EntityType::Structure:
      if (r.kind == RecordKind::UpgradeAvailable) break;  // a notice: nothing changes
      if (r.kind == RecordKind::MaintenancePaid) {
        if (has_changes) folded(EntityType::Structure, r.entity_id, r.changes);
        if (has_settlement_changes) folded(EntityType::Settlement, r.settlement_id, r.settlement_changes);
        break;
      }
      if (!has_changes) break;  // MAINTENANCE_MISSED {}: a notice
      EntityChanges& e = folded(EntityType::Structure, r.entity_id, r.changes);
      if (r.kind == RecordKind::ConstructionComplete) field_of(e, "activeSince").value = format_world_time(r.time);
      break;
  }
  ++seq_;
}

void ChangeCollector::add(const RecordView& r) { fold_in(r, r.changes.size > 0, r.settlement_changes.size > 0); }

void ChangeCollector::add(const OwnedRecord& r) { fold_in(r, !r.changes.empty(), !r.settlement_changes.empty()); }

void ChangeCollector::absorb(ChangeList&& later) {
  for (EntityChanges& l : later) {
    EntityChanges& e = entry(l.target, l.entity_id, l.first_time);
    fold(e, l.changes);
    touch(e, l.last_kind, l.last_time);
    ++seq_;
  }
  later.clear();
}

ChangeList ChangeCollector::take() {
  ChangeList out = std::move(entries_);
  clear();
  return out;
}

void ChangeCollector::clear() {
  entries_.clear();
  index_.clear();
  seq_ = 0;
}

ChangeList order_changes(std::vector<ChangeList> by_rank) {
  ChangeList out;
  std::size_t total = 0;
  for (const ChangeList& l : by_rank) total += l.size();
  out.reserve(total);
  for (std::uint32_t rank = 0; rank < by_rank.size(); ++rank)
    for (EntityChanges& e : by_rank[rank]) {
      e.first_rank = rank;
      out.push_back(std::move(e));
    }
  std::stable_sort(out.begin(), out.end(), [](const EntityChanges& a, const EntityChanges& b) {
    return std::tie(a.first_time, a.first_rank, a.first_seq) < std::tie(b.first_time, b.first_rank, b.first_seq);
  });
  return out;
}

}  // namespace hourglass::sim
