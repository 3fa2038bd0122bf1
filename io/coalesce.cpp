#include "io/coalesce.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "messages/record_reader.hpp"

namespace hourglass::io {

using nlohmann::json;


EntityWrite& WriteCoalescer::write_for(EntityWrite::Kind kind, const std::string& id) {
  auto [it, inserted] = index_.try_emplace({kind, id}, writes_.size());
  if (inserted) {
    EntityWrite w;
    w.kind = kind;
    w.entity_id = id;
    writes_.push_back(std::move(w));
  }
  return writes_[it->second];
}

void WriteCoalescer::merge(EntityWrite& w, const std::vector<sim::OwnedField>& changes, std::string key, sim::WorldTime t) {
  // The write holds JSON values: what the API is sent.
  for (const sim::OwnedField& f : changes) std::visit([&](const auto& v) { w.changes[f.key] = v; }, f.value);
  w.idempotency_key = std::move(key);
  w.world_time = t;
}

void WriteCoalescer::add(const sim::OwnedRecord& r) {
  ++added_;
  if (!campaign_) campaign_ = r.campaign_id;
  if (r.campaign_id != *campaign_)
    throw CoalesceError(added_, "$.campaignId: \"" + r.campaign_id + "\" differs from \"" + *campaign_ +
                                      "\" (one advance of one campaign)");

  const std::string kind = sim::kind_name(r.kind);
  const std::string ms = std::to_string(r.time);
  const std::string key = r.campaign_id + ":" + sim::entity_type_name(sim::entity_type_of(r.kind)) + ":" +
                          r.entity_id + ":" + kind + ":" + ms;

  switch (sim::entity_type_of(r.kind)) {
    case sim::EntityType::Settlement: merge(write_for(EntityWrite::Kind::Settlement, r.entity_id), r.changes, key, r.time); break;
    case sim::EntityType::Event: merge(write_for(EntityWrite::Kind::ExpireEvent, r.entity_id), r.changes, key, r.time); break;
    case sim::EntityType::Effect: merge(write_for(EntityWrite::Kind::ExecuteEffect, r.entity_id), r.changes, key, r.time); break;
    case sim::EntityType::Structure: {
      if (r.kind == sim::RecordKind::UpgradeAvailable) break;  // a notice: nothing changes
      if (r.kind == sim::RecordKind::MaintenancePaid) {
        if (!r.changes.empty()) merge(write_for(EntityWrite::Kind::Structure, r.entity_id), r.changes, key, r.time);
        if (!r.settlement_changes.empty())
          merge(write_for(EntityWrite::Kind::Settlement, r.settlement_id), r.settlement_changes,
                r.campaign_id + ":Settlement:" + r.settlement_id + ":" + kind + ":" + ms, r.time);
        break;
      }
      if (r.changes.empty()) break;  // MAINTENANCE_MISSED {}: a notice
      EntityWrite& w = write_for(EntityWrite::Kind::Structure, r.entity_id);
      merge(w, r.changes, key, r.time);
      if (r.kind == sim::RecordKind::ConstructionComplete) w.changes["activeSince"] = sim::format_world_time(r.time);
      break;
    }
  }
}

std::vector<EntityWrite> WriteCoalescer::take() {
  std::vector<EntityWrite> out = std::move(writes_);
  writes_.clear();
  index_.clear();
  campaign_.reset();
  added_ = 0;
  return out;
}

const char* to_string(EntityWrite::Kind kind) {
  switch (kind) {
    case EntityWrite::Kind::Settlement: return "Settlement";
    case EntityWrite::Kind::Structure: return "Structure";
    case EntityWrite::Kind::ExpireEvent: return "ExpireEvent";
    case EntityWrite::Kind::ExecuteEffect: return "ExecuteEffect";
  }
  return "unknown";
}

std::optional<EntityWrite::Kind> write_kind_named(std::string_view name) {
  for (EntityWrite::Kind k : {EntityWrite::Kind::Settlement, EntityWrite::Kind::Structure,
                              EntityWrite::Kind::ExpireEvent, EntityWrite::Kind::ExecuteEffect})
    if (name == to_string(k)) return k;
  return std::nullopt;
}

std::vector<EntityWrite> coalesce(const std::vector<sim::OwnedRecord>& records) {
  WriteCoalescer c;
  for (const sim::OwnedRecord& r : records) c.add(r);
  return c.take();
}

void attach_carries(std::vector<EntityWrite>& writes, const std::string& campaign_id,
                    const std::map<std::string, double>& carries, sim::WorldTime time) {
  for (const auto& [id, carry] : carries) {
    auto it = std::find_if(writes.begin(), writes.end(), [&, &id = id](const EntityWrite& w) {
      return w.kind == EntityWrite::Kind::Settlement && w.entity_id == id;
    });
    if (it != writes.end()) {
      it->changes["carry"] = carry;
      continue;
    }
    EntityWrite w;
    w.kind = EntityWrite::Kind::Settlement;
    w.entity_id = id;
    w.changes["carry"] = carry;
    w.world_time = time;
    w.idempotency_key = campaign_id + ":Settlement:" + id + ":CARRY:" + std::to_string(time);
    writes.push_back(std::move(w));
  }
}

std::vector<EntityWrite> coalesce_jsonl(std::string_view text) {
  std::vector<sim::OwnedRecord> records;
  std::vector<std::size_t> lines;  // of each record, for the errors of coalesce
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t end = text.find('\n');
    std::string_view one = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
    if (one.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      records.push_back(messages::read_record_line(one));
    } catch (const messages::InputError& e) {
      throw CoalesceError(line, e.what());
    }
    lines.push_back(line);
  }
  try {
    return coalesce(records);
  } catch (const CoalesceError& e) {
    throw CoalesceError(lines[e.line() - 1], e.message());
  }
}

}  // namespace hourglass::io
