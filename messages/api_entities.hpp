// What the campaign API's replies hold, typed: only the fields Hourglass
// reads (docs/api-contract.md). Plain data; messages/api_reply_codec reads
// them, messages/api_entity_codec maps them to the engine's entities, and
// io/campaign_api fetches them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/time.hpp"

namespace hourglass::messages {

// What settlements and structures share: the API's versioned entity.
struct ApiEntityRow {
  std::string id;
  int level = 1;
  nlohmann::json variables = nlohmann::json::object();
  std::int64_t version = 0;
  // No createdAt: the API's is wall-clock time (set by its database), not
  // world time; an entity's world-time anchor lives in variables.createdAt
  // (messages/api_entity_codec).
};

// No name: Settlement.name is typed DateTime! by mistake in the real API and
// fails every query that selects it; the engine has no use for it.
struct ApiSettlement : ApiEntityRow {
  // Its kingdom (Settlement.kingdomId), read by GetSettlement only (empty
  // from SettlementsByKingdom, whose kingdom is the one asked about): which
  // campaign it belongs to is its kingdom's (io/entity_ownership).
  std::string kingdom_id;
};

struct ApiStructure : ApiEntityRow {
  std::string settlement_id;
  std::string type;
};

struct ApiEvent {
  std::string id;
  sim::WorldTime scheduled_at = 0;
  bool is_completed = false;
};

// One of a campaign's branches (`branches(campaignId)`). A root branch has
// no parent: every campaign gets one, "Main", when it is created.
struct ApiBranch {
  std::string id;
  std::string name;
  std::optional<std::string> parent_id;
};

struct WriteAck {  // updateSettlement / updateStructure
  std::string id;
  std::int64_t version = 0;
};

struct ExpiredEvent {
  std::string id;
  bool is_completed = false;
  std::optional<sim::WorldTime> occurred_at;
};

// getEffect: what the effect hangs on (an encounter or an event, by the API's
// own checks; entityType as stored, in either case) and how often it ran.
struct ApiEffect {
  std::string id;
  std::string entity_type;
  std::string entity_id;
  std::size_t executions = 0;
};

struct EffectExecution {
  bool success = false;
  std::string error;  // empty when the API sent null
  std::string execution_id;
};

}  // namespace hourglass::messages
