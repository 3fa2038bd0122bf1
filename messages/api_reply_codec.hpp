// Replies of the campaign API (GraphQL over HTTP), read into typed values.
// The envelope ({data, errors}) first, then the root field of each
// operation. Every refusal is an InputError naming the JSON path, such as
// `data.settlementsByKingdom[3].version`; io/campaign_api turns it into a
// BadReply. Which errors mean what (conflict, already done) is the client's
// policy, not decided here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/api_entities.hpp"
#include "messages/json_read.hpp"

namespace hourglass::messages {

// One entry of a reply's errors[].
struct GraphQLError {
  std::optional<std::string> message;  // when `message` is a string
  std::optional<std::string> code;     // extensions.code, when a string
  // The HTTP status NestJS gave the exception, when the development format
  // shows it: extensions.status, or extensions.originalError.statusCode.
  std::optional<std::int64_t> status;
  std::string text;                    // the whole entry as JSON text (exception names hide anywhere)
};

struct GraphQLReply {
  json body;  // discarded when the reply is not JSON
  std::vector<GraphQLError> errors;  // a non-empty errors[] only

  bool is_json() const { return !body.is_discarded(); }
};

GraphQLReply read_graphql_reply(std::string_view text);
// data.<field> of a reply (may be null: a lookup that found nothing). Throws
// InputError: "reply is not JSON", `data` missing, or data.<field> absent.
const json& reply_data(const GraphQLReply& reply, std::string_view field);

// A DateTime as the API sends it: ISO 8601 (SPEC §1 forms), or epoch
// milliseconds as a string of digits or as a JSON whole number. nullopt otherwise.
std::optional<sim::WorldTime> parse_api_time(const json& v);

// The root field of each operation, at `path` (data.<field>).
std::optional<sim::WorldTime> read_world_time_reply(const json& v, const std::string& path);  // null: none yet
std::vector<std::string> read_kingdom_ids(const json& v, const std::string& path);
std::vector<ApiSettlement> read_api_settlements(const json& v, const std::string& path);
// GetSettlement: also its kingdomId. null: not found.
std::optional<ApiSettlement> read_api_settlement(const json& v, const std::string& path);
std::vector<ApiStructure> read_api_structures(const json& v, const std::string& path);
std::optional<ApiStructure> read_api_structure(const json& v, const std::string& path);  // null: not found
// Events whose scheduledAt is null never expire and are left out.
std::vector<ApiEvent> read_api_events(const json& v, const std::string& path);
// A campaign's branches: {id, name, parentId} each (parentId null: a root).
std::vector<ApiBranch> read_api_branches(const json& v, const std::string& path);
WriteAck read_write_ack(const json& v, const std::string& path);
ExpiredEvent read_expired_event(const json& v, const std::string& path);
EffectExecution read_effect_execution(const json& v, const std::string& path);
// getEffect { id executions { id executedAt } }: how many times the effect
// was executed; nullopt when no effect has that id (null).
std::optional<std::size_t> read_effect_executions(const json& v, const std::string& path);
// getEffect { id entityType entityId executions { id executedAt } }; nullopt
// when null (no such effect, or one the API does not show).
std::optional<ApiEffect> read_api_effect(const json& v, const std::string& path);
// One entity's link to its owner, `{id, <link>}` (kingdom { campaignId },
// settlement { kingdomId }, ...): the linked id; nullopt when null (no such entity).
std::optional<std::string> read_owner_link(const json& v, const std::string& path, std::string_view link);

}  // namespace hourglass::messages
