#include "messages/checkpoint_codec.hpp"

#include "messages/entity_codec.hpp"

namespace hourglass::messages {
namespace {

constexpr const char* kFormat = "hourglass-checkpoint";

// The three timers of a settlement share one anchor (they start together
// and only their intervals change).
json settlement_checkpoint_json(const sim::Settlement& s) {
  json out = settlement_json(s);
  out["timersAnchor"] = sim::format_world_time(s.resource_timer.anchor);
  return out;
}

json structure_checkpoint_json(const sim::Structure& s) {
  json out = structure_json(s);
  if (s.maintenance_timer.running()) out["timersAnchor"] = sim::format_world_time(s.maintenance_timer.anchor);
  return out;
}

template <class Read>
void read_list(const json& campaign, std::string_view key, const std::string& path, Read read) {
  const std::string at = child_path(path, key);
  const json& list = expect_array(require_member(campaign, key, path), at);
  for (std::size_t i = 0; i < list.size(); ++i) read(list[i], index_path(at, i));
}

CheckpointInput read_input(const json& v, const std::string& path) {
  expect_object(v, path);
  reject_unknown_keys(v, path, {"messages", "streamId", "writes"});
  CheckpointInput in;
  in.messages = static_cast<std::uint64_t>(read_int(require_member(v, "messages", path), child_path(path, "messages"), 0));
  if (const json* id = member(v, "streamId")) in.stream_id = read_string(*id, child_path(path, "streamId"), true);
  // Absent in checkpoints written before writes were numbered: none numbered yet.
  if (const json* w = member(v, "writes"))
    in.writes = static_cast<std::uint64_t>(read_int(*w, child_path(path, "writes"), 0));
  return in;
}

}  // namespace

json checkpoint_json(const sim::CampaignSnapshot& state, const CheckpointInput& input) {
  json settlements = json::array(), structures = json::array(), events = json::array(), effects = json::array();
  for (const auto& s : state.settlements) settlements.push_back(settlement_checkpoint_json(s));
  for (const auto& s : state.structures) structures.push_back(structure_checkpoint_json(s));
  for (const auto& e : state.events) events.push_back(event_json(e));
  for (const auto& e : state.effects) effects.push_back(effect_json(e));
  json in = {{"messages", input.messages}, {"writes", input.writes}};
  if (!input.stream_id.empty()) in["streamId"] = input.stream_id;
  return {{"format", kFormat},
          {"version", kCheckpointVersion},
          {"input", std::move(in)},
          {"campaign",
           {{"id", state.id},
            {"currentWorldTime", sim::format_world_time(state.clock)},
            {"settlements", std::move(settlements)},
            {"structures", std::move(structures)},
            {"events", std::move(events)},
            {"deferredEffects", std::move(effects)}}}};
}

Checkpoint read_checkpoint(const json& doc, const std::string& path, const sim::Rules& rules) {
  expect_object(doc, path);
  const std::string format_at = child_path(path, "format");
  if (read_string(require_member(doc, "format", path), format_at) != kFormat)
    throw InputError(format_at, std::string("expected \"") + kFormat + "\"");
  const std::string version_at = child_path(path, "version");
  const std::int64_t version = read_int(require_member(doc, "version", path), version_at, 1);
  if (version > kCheckpointVersion)
    throw InputError(version_at, "version " + std::to_string(version) + " was written by a newer Hourglass (this one reads up to " +
                                     std::to_string(kCheckpointVersion) + ")");
  // Version 1 is the only one so far: nothing to upgrade.
  Checkpoint cp;
  cp.input = read_input(require_member(doc, "input", path), child_path(path, "input"));

  const std::string at = child_path(path, "campaign");
  const json& c = expect_object(require_member(doc, "campaign", path), at);
  sim::CampaignSeed& seed = cp.seed;
  seed.id = read_string(require_member(c, "id", at), child_path(at, "id"));
  seed.clock = read_time(require_member(c, "currentWorldTime", at), child_path(at, "currentWorldTime"));
  read_list(c, "settlements", at, [&](const json& v, const std::string& p) {
    sim::SettlementPatch s = read_settlement(v, p, rules, true);
    if (!s.created_at) throw InputError(child_path(p, "createdAt"), "required field is missing");
    s.periodic_anchor = read_time(require_member(v, "timersAnchor", p), child_path(p, "timersAnchor"));
    seed.settlements.push_back(std::move(s));
  });
  read_list(c, "structures", at, [&](const json& v, const std::string& p) {
    sim::StructurePatch s = read_structure(v, p, rules, true);
    if (!s.created_at) throw InputError(child_path(p, "createdAt"), "required field is missing");
    if (const json* anchor = member(v, "timersAnchor")) s.periodic_anchor = read_time(*anchor, child_path(p, "timersAnchor"));
    seed.structures.push_back(std::move(s));
  });
  read_list(c, "events", at, [&](const json& v, const std::string& p) { seed.events.push_back(read_event(v, p, true)); });
  read_list(c, "deferredEffects", at,
            [&](const json& v, const std::string& p) { seed.effects.push_back(read_effect(v, p, true)); });
  return cp;
}

Checkpoint read_checkpoint_text(const std::string& text, const std::string& where, const sim::Rules& rules) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw InputError(where, "a checkpoint must be JSON");
  return read_checkpoint(doc, where, rules);
}

}  // namespace hourglass::messages
