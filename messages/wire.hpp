// The messages that arrive on Redis (SPEC §1, §2, §6, §7) and the one place
// that decides whether one is valid. What needs the campaign's state (does
// the campaign exist, does a structure's settlement exist) is checked by the
// actor that owns that state, and reported the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "messages/json_read.hpp"
#include "sim/patch.hpp"
#include "sim/rules.hpp"

namespace hourglass::messages {

inline constexpr std::size_t kMaxPayloadBytes = 1 << 20;  // SPEC §7: 1 MiB

struct WorldTimeAdvanced {
  std::string campaign_id;
  sim::WorldTime previous_time = 0;  // informational (a gap is logged)
  sim::WorldTime new_time = 0;
};

enum class EntityKind { Settlement, Structure, Event, Effect, Encounter };
enum class Operation { Create, Update, Delete };
const char* entity_kind_name(EntityKind k);
const char* operation_name(Operation o);

// sim::drop_engine_owned on an entity's JSON (what the flight recorder keeps
// of an UPDATE announced by the campaign API): reading the result gives the
// patch drop_engine_owned leaves (tests/messages/test_wire.cpp holds the two
// together).
void drop_engine_owned_fields(EntityKind kind, json& entity);

using EntityPatch = std::variant<std::monostate, sim::SettlementPatch, sim::StructurePatch,
                                 sim::EventPatch, sim::EffectPatch>;

struct EntityModified {
  std::string campaign_id;
  EntityKind kind = EntityKind::Settlement;
  Operation operation = Operation::Create;
  std::string entity_id;
  EntityPatch entity;  // monostate: DELETE, Encounter, or to be fetched from the API
};

using Message = std::variant<WorldTimeAdvanced, EntityModified>;

struct Decoded {
  std::optional<Message> message;
  std::string error;  // why it was refused, naming the field
  explicit operator bool() const { return message.has_value(); }
};

struct DecodeOptions {
  // Replays carry every CREATE/UPDATE entity inline (SPEC §6); the service
  // may fetch it from the API instead.
  bool require_inline_entity = true;
};

// The campaign id a channel names, or nullopt for a channel that is not
// `campaign.<id>.worldTimeAdvanced|entityModified`.
std::optional<std::string> channel_campaign(std::string_view channel);

Decoded decode_message(std::string_view channel, const json& payload, const sim::Rules& rules,
                       DecodeOptions options = {});
// From raw bytes as they come off Redis: size cap, JSON parse, then as above.
Decoded decode_message_text(std::string_view channel, std::string_view payload,
                            const sim::Rules& rules, DecodeOptions options = {});

}  // namespace hourglass::messages
