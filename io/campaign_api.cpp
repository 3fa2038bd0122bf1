#include "io/campaign_api.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "messages/api_reply_codec.hpp"

namespace hourglass::io {

using nlohmann::json;
namespace ops = api_ops;
using messages::GraphQLError;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

ApiError make_error(ApiError::Kind kind, std::string message, long status = 0) {
  ApiError e;
  e.kind = kind;
  e.message = std::move(message);
  e.http_status = status;
  return e;
}

template <class T>
ApiResult<T> failure(ApiError e) {
  ApiResult<T> r;
  r.error = std::move(e);
  return r;
}

template <class T>
ApiResult<T> success(T v) {
  ApiResult<T> r;
  r.value = std::move(v);
  return r;
}

// The first few error messages of errors[], joined.
std::string error_messages(const std::vector<GraphQLError>& errors) {
  std::string out;
  std::size_t n = 0;
  for (const GraphQLError& e : errors) {
    if (n++ == 3) {
      out += "; ...";
      break;
    }
    if (!out.empty()) out += "; ";
    out += e.message ? *e.message : e.text;
  }
  return out;
}

// The real API's OptimisticLockException (campaign_manager, NestJS): in
// production (formatError strips extensions) only its message tells it,
// "<Entity> was modified by another user. Expected version X, but found Y.
// ..."; in development extensions.code is INTERNAL_SERVER_ERROR with
// extensions.status 409 (originalError.statusCode 409 for other formats),
// never CONFLICT. Only an update takes an expectedVersion.
bool is_optimistic_lock(const GraphQLError& error, const ops::Operation& op) {
  if (&op != &ops::kUpdateSettlement && &op != &ops::kUpdateStructure) return false;
  if (error.message && error.message->find("was modified by another user") != std::string::npos) return true;
  if (error.status == 409) return true;
  return error.text.find("OptimisticLockException") != std::string::npos;  // a development stack trace
}

bool is_already_completed(const GraphQLError& error) {
  if (!error.message) return false;
  const std::string text = lower(*error.message);
  return text.find("already completed") != std::string::npos ||
         text.find("already been completed") != std::string::npos ||
         text.find("already expired") != std::string::npos;
}

// Reads data.<op.field> with `read` (messages/api_reply_codec); a refusal
// is a BadReply naming the field.
template <class T, class Read>
ApiResult<T> parse_reply(const ops::Operation& op, ApiResult<json> raw, Read read) {
  if (!raw.ok()) return failure<T>(std::move(raw.error));
  try {
    return success<T>(read(*raw.value, "data." + std::string(op.field)));
  } catch (const messages::InputError& e) {
    return failure<T>(make_error(ApiError::Kind::BadReply, e.what(), 200));
  }
}

// A lookup by id: null means the entity does not exist (or was deleted).
template <class T, class Read>
ApiResult<T> parse_found(const ops::Operation& op, ApiResult<json> raw, Read read, const std::string& what) {
  auto found = parse_reply<std::optional<T>>(op, std::move(raw), read);
  if (!found.ok()) return failure<T>(std::move(found.error));
  if (!*found.value)
    return failure<T>(make_error(ApiError::Kind::GraphQL, std::string(op.name) + ": " + what + " not found (null)", 200));
  return success<T>(std::move(**found.value));
}

json time_json(sim::WorldTime t) { return sim::format_world_time(t); }

json update_input(const std::optional<std::string>& name_key_value, const char* name_key,
                  const std::optional<int>& level, const std::optional<json>& variables,
                  const std::string& branch_id, std::int64_t expected_version,
                  const std::optional<sim::WorldTime>& world_time) {
  json in = json::object();
  if (name_key_value) in[name_key] = *name_key_value;
  if (level) in["level"] = *level;
  if (variables) in["variables"] = *variables;
  in["branchId"] = branch_id;
  in["expectedVersion"] = expected_version;
  if (world_time) in["worldTime"] = time_json(*world_time);
  return in;
}

// The refusals of the real API's guards and pipes (API-NOTES: JwtAuthGuard
// runs per field and answers "Unauthorized"; RolesGuard "Forbidden
// resource"; ValidationPipe "Bad Request" or class-validator's own words,
// "branchId must be a UUID"). In production only the message tells them.
std::optional<ApiError::Kind> refusal_kind(const GraphQLError& error) {
  if (!error.message) return std::nullopt;
  const std::string& m = *error.message;
  if (m == "Unauthorized" || m == "Unauthorized Exception") return ApiError::Kind::Unauthorized;
  if (m == "Forbidden resource" || m == "Forbidden" || m == "Forbidden Exception") return ApiError::Kind::Forbidden;
  if (m.rfind("Bad Request", 0) == 0 || m.find(" must be a ") != std::string::npos ||
      m.find(" must be an ") != std::string::npos || m.find(" should not be empty") != std::string::npos)
    return ApiError::Kind::BadRequest;
  return std::nullopt;
}

void require_key(const std::string& key) {
  if (key.empty()) throw std::invalid_argument("a campaign API write needs an idempotency key");
}

}  // namespace

const char* to_string(ApiError::Kind kind) {
  switch (kind) {
    case ApiError::Kind::None: return "none";
    case ApiError::Kind::Transport: return "transport";
    case ApiError::Kind::Timeout: return "timeout";
    case ApiError::Kind::Http: return "http";
    case ApiError::Kind::GraphQL: return "graphql";
    case ApiError::Kind::OptimisticLock: return "optimistic_lock";
    case ApiError::Kind::AlreadyApplied: return "already_applied";
    case ApiError::Kind::BadReply: return "bad_reply";
    case ApiError::Kind::Truncated: return "truncated";
    case ApiError::Kind::Unauthorized: return "unauthorized";
    case ApiError::Kind::Forbidden: return "forbidden";
    case ApiError::Kind::BadRequest: return "bad_request";
  }
  return "unknown";
}

ApiResult<json> classify_reply(const ops::Operation& op, const HttpResponse& reply) {
  using K = ApiError::Kind;
  if (reply.timed_out) return failure<json>(make_error(K::Timeout, "timed out: " + reply.transport_error));
  if (!reply.transport_error.empty()) return failure<json>(make_error(K::Transport, reply.transport_error));

  const long status = reply.status;
  const messages::GraphQLReply body = messages::read_graphql_reply(reply.body);
  const std::string where = std::string(op.name) + ": ";

  if (!body.errors.empty()) {
    const std::string messages = error_messages(body.errors);
    for (const GraphQLError& e : body.errors)
      if (is_optimistic_lock(e, op)) return failure<json>(make_error(K::OptimisticLock, where + messages, status));
    if (&op == &ops::kExpireEvent)
      for (const GraphQLError& e : body.errors)
        if (is_already_completed(e)) return failure<json>(make_error(K::AlreadyApplied, where + messages, status));
    if (status < 200 || status >= 300)
      return failure<json>(make_error(K::Http, where + "HTTP " + std::to_string(status) + ": " + messages, status));
    for (const GraphQLError& e : body.errors)
      if (const auto refused = refusal_kind(e)) return failure<json>(make_error(*refused, where + messages, status));
    return failure<json>(make_error(K::GraphQL, where + messages, status));
  }
  if (status < 200 || status >= 300) {
    std::string snippet = reply.body.substr(0, 200);
    return failure<json>(make_error(K::Http, where + "HTTP " + std::to_string(status) +
                                                 (snippet.empty() ? "" : ": " + snippet),
                                    status));
  }
  if (body.body.is_discarded())
    return failure<json>(make_error(K::Truncated, where + "reply is not JSON (cut short?): " +
                                                      std::to_string(reply.body.size()) + " bytes",
                                    status));
  try {
    return success<json>(messages::reply_data(body, op.field));
  } catch (const messages::InputError& e) {
    return failure<json>(make_error(K::BadReply, where + e.what(), status));
  }
}

CampaignApi::CampaignApi(CampaignApiConfig config) : config_(std::move(config)) {}

ApiResult<json> CampaignApi::send(const ops::Operation& op, const std::string& request, const std::string& token,
                                  const std::string* idempotency_key) {
  HttpClient::Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (idempotency_key) headers.emplace_back("Idempotency-Key", *idempotency_key);
  return classify_reply(op, http_.post_json(config_.endpoint, request, headers, config_.timeout));
}

ApiResult<json> CampaignApi::call(const ops::Operation& op, json variables, const std::string* idempotency_key) {
  const std::string request =
      json{{"operationName", op.name}, {"query", op.text}, {"variables", std::move(variables)}}.dump();
  // A session that cannot give a token: a refused login is Unauthorized,
  // anything else (no answer, rate limited) may pass: Transport.
  auto no_token = [&](const AuthToken& t) {
    return failure<json>(make_error(t.failure == AuthToken::Failure::Refused ? ApiError::Kind::Unauthorized
                                                                              : ApiError::Kind::Transport,
                                    std::string(op.name) + ": " + t.message, t.http_status));
  };
  ApiResult<json> result;
  if (!config_.auth) {
    result = send(op, request, config_.token, idempotency_key);
  } else if (AuthToken t = config_.auth->token(); !t.ok()) {
    result = no_token(t);
  } else {
    result = send(op, request, t.token, idempotency_key);
    // JwtAuthGuard refused it before any resolver ran: nothing was applied,
    // so once more with a renewed token.
    if (result.error.kind == ApiError::Kind::Unauthorized) {
      const AuthToken renewed = config_.auth->renew(t.token);
      result = renewed.ok() ? send(op, request, renewed.token, idempotency_key) : no_token(renewed);
    }
  }
  if (result.error.refusal() && config_.on_refusal) config_.on_refusal(result.error);
  return result;
}

ApiResult<std::optional<sim::WorldTime>> CampaignApi::get_current_world_time(const std::string& campaign_id) {
  const auto& op = ops::kGetCurrentWorldTime;
  return parse_reply<std::optional<sim::WorldTime>>(op, call(op, {{"campaignId", campaign_id}}, nullptr),
                                                    messages::read_world_time_reply);
}

ApiResult<std::vector<std::string>> CampaignApi::kingdoms_by_campaign(const std::string& campaign_id) {
  const auto& op = ops::kKingdomsByCampaign;
  return parse_reply<std::vector<std::string>>(op, call(op, {{"campaignId", campaign_id}}, nullptr),
                                               messages::read_kingdom_ids);
}

ApiResult<std::vector<ApiSettlement>> CampaignApi::settlements_by_kingdom(const std::string& kingdom_id) {
  const auto& op = ops::kSettlementsByKingdom;
  return parse_reply<std::vector<ApiSettlement>>(op, call(op, {{"kingdomId", kingdom_id}}, nullptr),
                                                 messages::read_api_settlements);
}

ApiResult<ApiSettlement> CampaignApi::get_settlement(const std::string& id) {
  const auto& op = ops::kGetSettlement;
  return parse_found<ApiSettlement>(op, call(op, {{"id", id}}, nullptr), messages::read_api_settlement,
                                    "settlement " + id);
}

ApiResult<std::vector<ApiStructure>> CampaignApi::structures_by_settlement(const std::string& settlement_id) {
  const auto& op = ops::kStructuresBySettlement;
  return parse_reply<std::vector<ApiStructure>>(op, call(op, {{"settlementId", settlement_id}}, nullptr),
                                                messages::read_api_structures);
}

ApiResult<ApiStructure> CampaignApi::get_structure(const std::string& id) {
  const auto& op = ops::kGetStructure;
  return parse_found<ApiStructure>(op, call(op, {{"id", id}}, nullptr), messages::read_api_structure,
                                   "structure " + id);
}

ApiResult<std::vector<ApiEvent>> CampaignApi::events_by_campaign(const std::string& campaign_id) {
  const auto& op = ops::kEventsByCampaign;
  return parse_reply<std::vector<ApiEvent>>(op, call(op, {{"campaignId", campaign_id}}, nullptr),
                                            messages::read_api_events);
}

ApiResult<std::size_t> CampaignApi::effect_executions(const std::string& effect_id) {
  const auto& op = ops::kGetEffectExecutions;
  return parse_found<std::size_t>(op, call(op, {{"id", effect_id}}, nullptr), messages::read_effect_executions,
                                  "effect " + effect_id);
}

ApiResult<std::optional<ApiEffect>> CampaignApi::get_effect(const std::string& effect_id) {
  const auto& op = ops::kGetEffectExecutions;
  return parse_reply<std::optional<ApiEffect>>(op, call(op, {{"id", effect_id}}, nullptr), messages::read_api_effect);
}

ApiResult<std::optional<std::string>> CampaignApi::owner_link(const ops::Operation& op, const std::string& id,
                                                              std::string_view link) {
  return parse_reply<std::optional<std::string>>(
      op, call(op, {{"id", id}}, nullptr),
      [&](const json& v, const std::string& path) { return messages::read_owner_link(v, path, link); });
}

ApiResult<std::optional<std::string>> CampaignApi::kingdom_campaign(const std::string& kingdom_id) {
  return owner_link(ops::kKingdomCampaign, kingdom_id, "campaignId");
}

ApiResult<std::optional<std::string>> CampaignApi::settlement_kingdom(const std::string& settlement_id) {
  return owner_link(ops::kSettlementKingdom, settlement_id, "kingdomId");
}

ApiResult<std::optional<std::string>> CampaignApi::structure_settlement(const std::string& structure_id) {
  return owner_link(ops::kStructureSettlement, structure_id, "settlementId");
}

ApiResult<std::optional<std::string>> CampaignApi::event_campaign(const std::string& event_id) {
  return owner_link(ops::kEventCampaign, event_id, "campaignId");
}

ApiResult<std::optional<std::string>> CampaignApi::encounter_campaign(const std::string& encounter_id) {
  return owner_link(ops::kEncounterCampaign, encounter_id, "campaignId");
}

ApiResult<std::vector<ApiBranch>> CampaignApi::branches(const std::string& campaign_id) {
  const auto& op = ops::kBranches;
  return parse_reply<std::vector<ApiBranch>>(op, call(op, {{"campaignId", campaign_id}}, nullptr),
                                             messages::read_api_branches);
}

ApiResult<WriteAck> CampaignApi::update_settlement(const std::string& id, const SettlementUpdate& input,
                                                   const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kUpdateSettlement;
  json vars = {{"id", id},
               {"input", update_input(input.name, "name", input.level, input.variables, input.branch_id,
                                      input.expected_version, input.world_time)}};
  return parse_reply<WriteAck>(op, call(op, std::move(vars), &idempotency_key), messages::read_write_ack);
}

ApiResult<WriteAck> CampaignApi::update_structure(const std::string& id, const StructureUpdate& input,
                                                  const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kUpdateStructure;
  json vars = {{"id", id},
               {"input", update_input(input.type, "type", input.level, input.variables, input.branch_id,
                                      input.expected_version, input.world_time)}};
  return parse_reply<WriteAck>(op, call(op, std::move(vars), &idempotency_key), messages::read_write_ack);
}

ApiResult<ExpiredEvent> CampaignApi::expire_event(const std::string& event_id, const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kExpireEvent;
  return parse_reply<ExpiredEvent>(op, call(op, {{"eventId", event_id}}, &idempotency_key),
                                   messages::read_expired_event);
}

ApiResult<EffectExecution> CampaignApi::execute_effect(const std::string& effect_id,
                                                       const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kExecuteEffect;
  auto result = parse_reply<EffectExecution>(op, call(op, {{"input", {{"effectId", effect_id}}}}, &idempotency_key),
                                             messages::read_effect_execution);
  if (result.ok() && !result.value->success)
    result.error = make_error(ApiError::Kind::GraphQL,
                              "ExecuteEffect: effect " + effect_id + " failed: " +
                                  (result.value->error.empty() ? "no reason given" : result.value->error),
                              200);
  return result;
}

}  // namespace hourglass::io
