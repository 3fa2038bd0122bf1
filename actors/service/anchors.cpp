#include "actors/service/anchors.hpp"

namespace hourglass::actors {
namespace {

using Kind = io::EntityWrite::Kind;

// Anchors `patch` at `clock` when it has no anchor; its write then.
template <class Patch>
void anchor(const std::string& campaign_id, Kind kind, Patch& patch, sim::WorldTime clock,
            std::vector<io::EntityWrite>& out) {
  if (patch.created_at) return;
  patch.created_at = clock;
  out.push_back(anchor_write(campaign_id, kind, patch.id, clock));
}

}  // namespace

io::EntityWrite anchor_write(const std::string& campaign_id, Kind kind, const std::string& entity_id,
                             sim::WorldTime anchor) {
  io::EntityWrite w;
  w.kind = kind;
  w.entity_id = entity_id;
  w.changes = {{"createdAt", sim::format_world_time(anchor)}};
  w.world_time = anchor;
  w.idempotency_key = campaign_id + ":" + (kind == Kind::Settlement ? "Settlement" : "Structure") + ":" + entity_id +
                      ":ANCHOR:" + std::to_string(anchor);
  return w;
}

std::vector<io::EntityWrite> anchor_seed(sim::CampaignSeed& seed) {
  std::vector<io::EntityWrite> out;
  for (auto& s : seed.settlements) anchor(seed.id, Kind::Settlement, s, seed.clock, out);
  for (auto& st : seed.structures) anchor(seed.id, Kind::Structure, st, seed.clock, out);
  return out;
}

std::vector<io::EntityWrite> anchor_created(messages::Message& message, sim::WorldTime clock) {
  std::vector<io::EntityWrite> out;
  auto* m = std::get_if<messages::EntityModified>(&message);
  if (!m || m->operation != messages::Operation::Create) return out;
  if (auto* s = std::get_if<sim::SettlementPatch>(&m->entity)) anchor(m->campaign_id, Kind::Settlement, *s, clock, out);
  if (auto* st = std::get_if<sim::StructurePatch>(&m->entity)) anchor(m->campaign_id, Kind::Structure, *st, clock, out);
  return out;
}

}  // namespace hourglass::actors
