#include "messages/wire.hpp"

#include "messages/entity_codec.hpp"

namespace hourglass::messages {
namespace {

constexpr std::string_view kPrefix = "campaign.";
constexpr std::string_view kAdvanced = ".worldTimeAdvanced";
constexpr std::string_view kModified = ".entityModified";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<EntityKind> parse_kind(std::string_view s) {
  if (s == "Settlement") return EntityKind::Settlement;
  if (s == "Structure") return EntityKind::Structure;
  if (s == "Event") return EntityKind::Event;
  if (s == "Effect") return EntityKind::Effect;
  if (s == "Encounter") return EntityKind::Encounter;
  return std::nullopt;
}

std::optional<Operation> parse_operation(std::string_view s) {
  if (s == "CREATE") return Operation::Create;
  if (s == "UPDATE") return Operation::Update;
  if (s == "DELETE") return Operation::Delete;
  return std::nullopt;
}

WorldTimeAdvanced read_advance(const json& p, const std::string& campaign) {
  WorldTimeAdvanced m;
  m.campaign_id = campaign;
  m.previous_time = read_time(require_member(p, "previousTime", "payload"), "payload.previousTime");
  m.new_time = read_time(require_member(p, "newTime", "payload"), "payload.newTime");
  return m;
}

EntityModified read_modified(const json& p, const std::string& campaign, const sim::Rules& rules,
                             DecodeOptions options) {
  EntityModified m;
  m.campaign_id = campaign;
  const std::string kind = read_string(require_member(p, "entityType", "payload"), "payload.entityType");
  const std::string op = read_string(require_member(p, "operation", "payload"), "payload.operation");
  m.entity_id = read_string(require_member(p, "entityId", "payload"), "payload.entityId");
  auto k = parse_kind(kind);
  if (!k) throw InputError("payload.entityType", "unknown entity type \"" + kind + "\"");
  auto o = parse_operation(op);
  if (!o) throw InputError("payload.operation", "unknown operation \"" + op + "\" (expected CREATE, UPDATE or DELETE)");
  m.kind = *k;
  m.operation = *o;
  // Encounters are accepted and ignored (SPEC §2); deletes need no entity.
  if (m.kind == EntityKind::Encounter || m.operation == Operation::Delete) return m;
  const json* e = member(p, "entity");
  if (!e) {
    if (options.require_inline_entity)
      throw InputError("payload.entity", "required field is missing (a replayed CREATE/UPDATE carries its entity inline)");
    return m;
  }
  const std::string path = "payload.entity";
  expect_object(*e, path);
  if (const json* id = member(*e, "id")) {
    const std::string entity_id = read_string(*id, path + ".id");
    if (entity_id != m.entity_id)
      throw InputError(path + ".id", "\"" + entity_id + "\" differs from entityId \"" + m.entity_id + "\"");
  }
  // The entity's id is the message's: an entity without one is fine.
  json entity = *e;
  entity["id"] = m.entity_id;
  const bool complete = m.operation == Operation::Create;
  switch (m.kind) {
    case EntityKind::Settlement: m.entity = read_settlement(entity, path, rules, complete); break;
    case EntityKind::Structure: m.entity = read_structure(entity, path, rules, complete); break;
    case EntityKind::Event: m.entity = read_event(entity, path, complete); break;
    case EntityKind::Effect: m.entity = read_effect(entity, path, complete); break;
    case EntityKind::Encounter: break;
  }
  return m;
}

}  // namespace

const char* entity_kind_name(EntityKind k) {
  switch (k) {
    case EntityKind::Settlement: return "Settlement";
    case EntityKind::Structure: return "Structure";
    case EntityKind::Event: return "Event";
    case EntityKind::Effect: return "Effect";
    case EntityKind::Encounter: return "Encounter";
  }
  return "?";
}

const char* operation_name(Operation o) {
  switch (o) {
    case Operation::Create: return "CREATE";
    case Operation::Update: return "UPDATE";
    case Operation::Delete: return "DELETE";
  }
  return "?";
}

std::optional<std::string> channel_campaign(std::string_view channel) {
  if (channel.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view suffix;
  if (ends_with(channel, kAdvanced))
    suffix = kAdvanced;
  else if (ends_with(channel, kModified))
    suffix = kModified;
  else
    return std::nullopt;
  if (channel.size() <= kPrefix.size() + suffix.size()) return std::nullopt;
  return std::string(channel.substr(kPrefix.size(), channel.size() - kPrefix.size() - suffix.size()));
}

Decoded decode_message(std::string_view channel, const json& payload, const sim::Rules& rules,
                       DecodeOptions options) {
  Decoded out;
  try {
    auto campaign = channel_campaign(channel);
    if (!campaign)
      throw InputError("channel", "unknown channel \"" + std::string(channel) +
                                      "\" (expected campaign.<id>.worldTimeAdvanced or campaign.<id>.entityModified)");
    expect_object(payload, "payload");
    const std::string named = read_string(require_member(payload, "campaignId", "payload"), "payload.campaignId");
    if (named != *campaign)
      throw InputError("payload.campaignId", "\"" + named + "\" differs from the channel's campaign \"" + *campaign + "\"");
    if (ends_with(channel, kAdvanced))
      out.message = read_advance(payload, *campaign);
    else
      out.message = read_modified(payload, *campaign, rules, options);
  } catch (const InputError& e) {
    out.error = e.what();
  }
  return out;
}

Decoded decode_message_text(std::string_view channel, std::string_view payload,
                            const sim::Rules& rules, DecodeOptions options) {
  if (payload.size() > kMaxPayloadBytes) {
    Decoded out;
    out.error = "payload: " + std::to_string(payload.size()) + " bytes exceeds the 1 MiB limit";
    return out;
  }
  json doc = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (doc.is_discarded()) {
    Decoded out;
    out.error = "payload: not valid JSON";
    return out;
  }
  return decode_message(channel, doc, rules, options);
}

void drop_engine_owned_fields(EntityKind kind, json& entity) {
  if (!entity.is_object()) return;
  auto drop = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys) entity.erase(k);
  };
  switch (kind) {
    case EntityKind::Settlement: return drop({"population", "resources", "level", "carry"});
    case EntityKind::Structure: return drop({"status", "condition", "activeSince"});
    case EntityKind::Event: return drop({"isCompleted"});
    case EntityKind::Effect:
    case EntityKind::Encounter: return;
  }
}

}  // namespace hourglass::messages
