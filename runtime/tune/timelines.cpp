#include "runtime/tune/timelines.hpp"

#include "runtime/tune/json_scan.hpp"

namespace hourglass::runtime::tune {
namespace {

using Type = JsonToken::Type;
constexpr std::string_view kResourcePrefix = "resources.";

// A step series changes only when the value does; a second value at the same
// instant replaces the first (the series shows where each instant ends).
void step_to(Steps& s, sim::WorldTime t, double v) {
  if (!s.empty() && s.back().time_ms == t) {
    s.back().value = v;
    if (s.size() >= 2 && s[s.size() - 2].value == v) s.pop_back();
    return;
  }
  if (!s.empty() && s.back().value == v) return;
  s.push_back({t, v});
}

// The last point is kept even when unchanged, so the line reaches the end.
void end_at(Steps& s, sim::WorldTime t, double v) {
  step_to(s, t, v);
  if (s.back().time_ms < t) s.push_back({t, v});
}

double status_index(std::string_view name) {
  const auto& names = status_categories();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<double>(i);
  return -1;
}

double status_index(sim::StructureStatus status) { return status_index(sim::status_name(status)); }

// Applies "resources.<name>": n members of a changes object to `s`.
void apply_resources(SettlementTimeline& s, std::string_view changes, sim::WorldTime t) {
  scan_object(changes, [&](const JsonToken& key, const JsonToken& value) {
    if (value.type != Type::Number) return;
    std::string decoded;
    std::string_view name = key.raw;
    if (key.escaped) name = decoded = key.text();
    if (!same_text(name.substr(0, kResourcePrefix.size()), kResourcePrefix)) return;
    name.remove_prefix(kResourcePrefix.size());
    auto it = s.resources.find(name);
    if (it == s.resources.end()) {
      it = s.resources.emplace(std::string(name), Steps{}).first;
      if (s.first_time < t) it->second.push_back({s.first_time, 0});  // missing counts as 0
    }
    step_to(it->second, t, static_cast<double>(value.number));
  });
}

}  // namespace

const std::vector<std::string>& status_categories() {
  static const std::vector<std::string> names = {"UNDER_CONSTRUCTION", "ACTIVE", "DAMAGED"};
  return names;
}

TimelineBuilder::TimelineBuilder(const std::vector<actors::CampaignSeed>& seeds) {
  for (const actors::CampaignSeed& seed : seeds) {
    for (const sim::SettlementPatch& patch : seed.settlements) {
      const sim::Settlement s = sim::make_settlement(patch, seed.clock);
      SettlementTimeline& line = settlement(seed.id, s.id, seed.clock);
      line.name = s.name;
      step_to(line.population, seed.clock, static_cast<double>(s.population));
      step_to(line.level, seed.clock, s.level);
      for (const auto& [name, amount] : s.resources)
        step_to(line.resources[name], seed.clock, static_cast<double>(amount));
    }
    for (const sim::StructurePatch& patch : seed.structures) {
      const sim::Structure s = sim::make_structure(patch, seed.clock);
      StructureTimeline& line = structure(seed.id, s.id);
      line.settlement_id = s.settlement_id;
      line.type = s.type;
      step_to(line.condition, seed.clock, static_cast<double>(s.condition));
      step_to(line.status, seed.clock, status_index(s.status));
    }
  }
}

namespace {

bool same(const EntityKey* key, std::string_view campaign, std::string_view id) {
  return key && same_text(key->id, id) && same_text(key->campaign, campaign);
}

}  // namespace

const std::string& TimelineBuilder::index_key(std::string_view campaign, std::string_view id) {
  key_buffer_.assign(campaign.data(), campaign.size());
  key_buffer_ += '\x1f';
  key_buffer_.append(id.data(), id.size());
  return key_buffer_;
}

SettlementTimeline& TimelineBuilder::settlement(std::string_view campaign, std::string_view id,
                                                sim::WorldTime t) {
  if (same(last_settlement_.first, campaign, id)) return *last_settlement_.second;
  auto indexed = settlement_index_.find(index_key(campaign, id));
  if (indexed == settlement_index_.end()) {
    auto it = timelines_.settlements.emplace(EntityKey{std::string(campaign), std::string(id)}, SettlementTimeline{}).first;
    it->second.first_time = t;
    indexed = settlement_index_.emplace(key_buffer_, std::pair{&it->first, &it->second}).first;
  }
  last_settlement_ = indexed->second;
  return *last_settlement_.second;
}

StructureTimeline& TimelineBuilder::structure(std::string_view campaign, std::string_view id) {
  auto indexed = structure_index_.find(index_key(campaign, id));
  if (indexed != structure_index_.end()) return *indexed->second;
  auto it = timelines_.structures.emplace(EntityKey{std::string(campaign), std::string(id)}, StructureTimeline{}).first;
  return *structure_index_.emplace(key_buffer_, &it->second).first->second;
}

void TimelineBuilder::on_record(const RecordLine& r) {
  using K = sim::RecordKind;
  switch (r.kind) {
    case K::ResourceGeneration:
      apply_resources(settlement(r.campaign_id, r.entity_id, r.time), r.changes, r.time);
      return;
    case K::PopulationGrowth:
    case K::LevelUp: {
      SettlementTimeline& s = settlement(r.campaign_id, r.entity_id, r.time);
      scan_object(r.changes, [&](const JsonToken& key, const JsonToken& value) {
        if (value.type != Type::Number) return;
        if (key.equals("population")) step_to(s.population, r.time, static_cast<double>(value.number));
        if (key.equals("level")) step_to(s.level, r.time, static_cast<double>(value.number));
      });
      return;
    }
    case K::ConstructionComplete:
    case K::MaintenancePaid:
    case K::MaintenanceMissed:
    case K::UpgradeAvailable: {
      StructureTimeline& st = structure(r.campaign_id, r.entity_id);
      scan_object(r.changes, [&](const JsonToken& key, const JsonToken& value) {
        if (key.equals("condition") && value.type == Type::Number)
          step_to(st.condition, r.time, static_cast<double>(value.number));
        if (key.equals("status") && value.type == Type::String)
          step_to(st.status, r.time, status_index(value.text()));
      });
      if (r.settlement_id.empty()) return;
      if (!same_text(st.settlement_id, r.settlement_id)) st.settlement_id.assign(r.settlement_id.data(), r.settlement_id.size());
      SettlementTimeline& s = settlement(r.campaign_id, r.settlement_id, r.time);
      if (r.kind == K::MaintenancePaid) {
        ++s.maintenance_paid;
        apply_resources(s, r.settlement_changes, r.time);
      }
      if (r.kind == K::MaintenanceMissed) ++s.maintenance_missed;
      if (r.kind == K::UpgradeAvailable) ++s.upgrade_notices;
      return;
    }
    case K::EventExpired:
    case K::DeferredEffect:
      return;
  }
}

Timelines TimelineBuilder::finish(const std::vector<sim::CampaignSnapshot>& final_state) {
  for (const sim::CampaignSnapshot& campaign : final_state) {
    const sim::WorldTime t = campaign.clock;
    for (const sim::Settlement& s : campaign.settlements) {
      SettlementTimeline& line = settlement(campaign.id, s.id, t);
      line.name = s.name;
      end_at(line.population, t, static_cast<double>(s.population));
      end_at(line.level, t, s.level);
      for (const auto& [name, amount] : s.resources) {
        auto [it, added] = line.resources.try_emplace(name);
        if (added && line.first_time < t) it->second.push_back({line.first_time, 0});
      }
      for (auto& [name, steps] : line.resources) end_at(steps, t, static_cast<double>(s.resources.get(name)));
    }
    for (const sim::Structure& s : campaign.structures) {
      StructureTimeline& line = structure(campaign.id, s.id);
      line.settlement_id = s.settlement_id;
      line.type = s.type;
      end_at(line.condition, t, static_cast<double>(s.condition));
      end_at(line.status, t, status_index(s.status));
    }
  }
  last_settlement_ = {nullptr, nullptr};
  settlement_index_.clear();
  structure_index_.clear();
  return std::move(timelines_);
}

}  // namespace hourglass::runtime::tune
