#include "io/coalesce.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "messages/record_reader.hpp"

namespace hourglass::io {

using nlohmann::json;

sim::EntityType entity_type_of(EntityWrite::Kind kind) {
  switch (kind) {
    case EntityWrite::Kind::Settlement: return sim::EntityType::Settlement;
    case EntityWrite::Kind::Structure: return sim::EntityType::Structure;
    case EntityWrite::Kind::ExpireEvent: return sim::EntityType::Event;
    case EntityWrite::Kind::ExecuteEffect: return sim::EntityType::Effect;
  }
  return sim::EntityType::Settlement;
}

EntityWrite::Kind write_kind_of(sim::EntityType type) {
  switch (type) {
    case sim::EntityType::Settlement: return EntityWrite::Kind::Settlement;
    case sim::EntityType::Structure: return EntityWrite::Kind::Structure;
    case sim::EntityType::Event: return EntityWrite::Kind::ExpireEvent;
    case sim::EntityType::Effect: return EntityWrite::Kind::ExecuteEffect;
  }
  return EntityWrite::Kind::Settlement;
}

EntityWrite write_of(const std::string& campaign_id, const sim::EntityChanges& e) {
  EntityWrite w;
  w.kind = write_kind_of(e.target);
  w.entity_id = e.entity_id;
  // The write holds JSON values: what the API is sent.
  for (const sim::OwnedField& f : e.changes) std::visit([&](const auto& v) { w.changes[f.key] = v; }, f.value);
  // SPEC §4's key of the last record folded in, with the entry's own type
  // and id: a settlement's write whose last record is a MAINTENANCE_PAID is
  // <campaignId>:Settlement:<settlementId>:MAINTENANCE_PAID:<ms>.
  w.idempotency_key = campaign_id + ":" + sim::entity_type_name(e.target) + ":" + e.entity_id + ":" +
                      sim::kind_name(e.last_kind) + ":" + std::to_string(e.last_time);
  w.world_time = e.last_time;
  return w;
}

void WriteCoalescer::check_campaign(const std::string& campaign_id) {
  ++added_;
  if (!campaign_) campaign_ = campaign_id;
  if (campaign_id != *campaign_)
    throw CoalesceError(added_, "$.campaignId: \"" + campaign_id + "\" differs from \"" + *campaign_ +
                                    "\" (one advance of one campaign)");
}

void WriteCoalescer::add(const sim::OwnedRecord& r) {
  check_campaign(r.campaign_id);
  collector_.add(r);
}

void WriteCoalescer::absorb(const std::string& campaign_id, sim::ChangeList&& changes) {
  if (changes.empty()) return;
  check_campaign(campaign_id);
  collector_.absorb(std::move(changes));
}

std::vector<EntityWrite> WriteCoalescer::take() {
  std::vector<EntityWrite> out;
  const sim::ChangeList entries = collector_.take();
  out.reserve(entries.size());
  for (const sim::EntityChanges& e : entries) out.push_back(write_of(*campaign_, e));
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

std::vector<EntityWrite> coalesce(const std::string& campaign_id, sim::ChangeList changes) {
  WriteCoalescer c;
  c.absorb(campaign_id, std::move(changes));
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
