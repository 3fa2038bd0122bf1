// How each entity evolved under one rule set: the initial state, then every
// record's changes, then the final state at the campaign's clock, as step
// series over world time; and per settlement the maintenance and upgrade
// records of its structures. Changes made by entityModified messages (which
// yield no record) show at the entity's next record and in the final point.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/protocol.hpp"
#include "report/series.hpp"
#include "runtime/tune/json_scan.hpp"
#include "runtime/tune/record_reader.hpp"
#include "sim/snapshot.hpp"

namespace hourglass::runtime::tune {

using Steps = std::vector<report::Point>;

struct EntityKey {
  std::string campaign;
  std::string id;
};
struct EntityKeyView {
  std::string_view campaign;
  std::string_view id;
};
// Byte order of names; compares views too, so lookups don't copy.
struct NameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return byte_compare(a, b) < 0; }
};

// Byte order by campaign, then id; also compares views.
struct EntityLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const int c = byte_compare(a.campaign, b.campaign);
    return c != 0 ? c < 0 : byte_compare(a.id, b.id) < 0;
  }
};

struct SettlementTimeline {
  std::string name;
  sim::WorldTime first_time = 0;
  Steps population, level;
  std::map<std::string, Steps, NameLess> resources;
  std::uint64_t maintenance_paid = 0, maintenance_missed = 0, upgrade_notices = 0;
};

struct StructureTimeline {
  std::string settlement_id, type;
  Steps condition;
  Steps status;  // indices into status_categories()
};

struct Timelines {
  std::map<EntityKey, SettlementTimeline, EntityLess> settlements;
  std::map<EntityKey, StructureTimeline, EntityLess> structures;
};

// UNDER_CONSTRUCTION, ACTIVE, DAMAGED: a status chart's categories.
const std::vector<std::string>& status_categories();

class TimelineBuilder final : public RecordConsumer {
 public:
  explicit TimelineBuilder(const std::vector<actors::CampaignSeed>& seeds);
  void on_record(const RecordLine& record) override;
  // Ends each entity of the final state with its values at its campaign's clock.
  Timelines finish(const std::vector<sim::CampaignSnapshot>& final_state);

 private:
  SettlementTimeline& settlement(std::string_view campaign, std::string_view id, sim::WorldTime t);
  StructureTimeline& structure(std::string_view campaign, std::string_view id);

  // "campaign\x1f" "id" of `campaign` and `id`, in a reused buffer.
  const std::string& index_key(std::string_view campaign, std::string_view id);

  Timelines timelines_;
  // Hash indexes into the ordered maps (map nodes never move), and the last
  // settlement found: records of one settlement and its structures come together.
  std::unordered_map<std::string, std::pair<const EntityKey*, SettlementTimeline*>> settlement_index_;
  std::unordered_map<std::string, StructureTimeline*> structure_index_;
  std::string key_buffer_;
  std::pair<const EntityKey*, SettlementTimeline*> last_settlement_{nullptr, nullptr};
};

}  // namespace hourglass::runtime::tune
