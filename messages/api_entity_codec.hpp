// The mapping between the campaign API's entities and the engine's entity
// JSON (SPEC §6), both ways. The engine's own state that the API has no
// field for lives in the API entity's `variables`:
//   settlement: variables.population, variables.resources, variables.carry,
//               variables.createdAt
//   structure:  variables.status, variables.condition, variables.createdAt,
//               variables.constructionCompletesAt, variables.activeSince
// Anchors are world time (ISO 8601). The API's own `createdAt` is wall-clock
// time (its database's), never an anchor: it is not read. An entity without
// variables.createdAt has no createdAt here, so it is anchored at the clock
// that registers it (the bootstrap's, the CREATE's); Hourglass then stores
// that anchor in variables.createdAt (actors/service/anchors).
#pragma once

#include <optional>

#include "messages/api_entities.hpp"
#include "messages/json_read.hpp"

namespace hourglass::messages {

// ---- API -> engine entity JSON (then read by messages/entity_codec) ---------

// {id, name, level, population, resources, createdAt?, variables} (+ carry when
// the API holds one). population/resources default to 0/{}; the engine-owned
// keys are taken out of `variables`.
json settlement_entity_json(const ApiSettlement& s);
// {id, settlementId, type, level, status, condition, createdAt?,
//  constructionCompletesAt?, activeSince?, variables}. A structure Hourglass
// never wrote has no status: it is UNDER_CONSTRUCTION with condition 0 (its
// construction completes createdAt + constructionMinutes, at once if past).
json structure_entity_json(const ApiStructure& s);
json event_entity_json(const ApiEvent& e);    // {id, scheduledAt, isCompleted}

// ---- engine changes -> API update --------------------------------------------

// A copy of the API's variables with the engine's changes written in, for an
// update (the API replaces variables whole, so unrelated keys must be kept).
// Change keys as in records: "resources.<r>" goes to variables.resources.<r>
// (a "resources" object is merged entry by entry); "level", "name" and "type"
// are the API entity's own fields and are skipped; every other key
// (population, carry, status, condition, activeSince...) is set as is, but
// for `createdAt`, the anchor, which is set only where none is stored yet.
json merged_variables(const json& api_variables, const json& engine_changes);
// The API entity's own `level` among the engine's changes, when they set one.
std::optional<int> changed_level(const json& engine_changes);

// Exactly once against an API without idempotency: every settlement or
// structure update Hourglass makes also stores, in the entity's variables,
//   "hourglass": {"key": <idempotency key>, "asOf": <ISO world time>, "seq": N}
// where N is the write's place in its campaign's sequence (numbered at the
// durable commit, never reused). A write whose entity already carries its
// seq or a later one was applied before (a crash came between the API's
// answer and the outbox's `done`), and is not applied again.
inline constexpr const char* kWriteMarkerVariable = "hourglass";
json write_marker_json(const std::string& idempotency_key, sim::WorldTime as_of, std::uint64_t seq);
// The seq an entity's variables carry; nullopt when they carry no marker, or
// one that is not Hourglass's (edited by hand: treated as none).
std::optional<std::uint64_t> write_marker_seq(const json& api_variables);

}  // namespace hourglass::messages
