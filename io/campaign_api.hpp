// The campaign API client: the operations of api_operations.hpp, their
// replies checked and typed, and every failure classified (ApiError).
// docs/api-contract.md describes the contract; this file implements it.
//
// THREADING: a CampaignApi owns one HttpClient (one kept-alive connection)
// and is not thread-safe: use one per thread. The AuthSession it may share
// (CampaignApiConfig::auth) is.
//
// What replies mean is read by messages/api_reply_codec (every refusal a
// BadReply naming the field); the API <-> engine entity mapping is
// messages/api_entity_codec.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/api_operations.hpp"
#include "io/auth_session.hpp"
#include "io/http_client.hpp"
#include "messages/api_entities.hpp"
#include "sim/time.hpp"

namespace hourglass::io {

struct ApiError {
  enum class Kind {
    None,
    Transport,       // no reply: connection refused, reset, DNS... (retryable)
    Timeout,         // no reply within the timeout (retryable)
    Http,            // a non-2xx status; retryable when 5xx
    GraphQL,         // a non-empty errors[] (validation, not found, refused...)
    OptimisticLock,  // expectedVersion was stale: re-read the entity, then write again
    AlreadyApplied,  // expireEvent on a completed event: counts as done
    BadReply,        // 2xx without the expected shape; message names the field
    // 2xx whose body is not JSON at all: a reply cut short (a proxy, a
    // restart mid-reply). Not a verdict on the request: retryable.
    Truncated,
    // The API's guards and pipes refused the call (errors[] on HTTP 2xx). Never
    // retried: sending it again gets the same answer. Operators see them
    // (/health, hourglass_api_refusals_total).
    Unauthorized,    // JwtAuthGuard: "Unauthorized", after the session's refresh/login retry
    Forbidden,       // RolesGuard: "Forbidden resource"
    BadRequest,      // ValidationPipe: "Bad Request", "branchId must be a UUID", ...
  };
  Kind kind = Kind::None;
  std::string message;
  long http_status = 0;  // when a reply arrived

  // Whether sending the same request again may succeed.
  bool retryable() const {
    switch (kind) {
      case Kind::Transport:
      case Kind::Timeout:
      case Kind::Truncated: return true;
      case Kind::Http: return http_status >= 500;
      default: return false;
    }
  }
  // One of the API's refusals (Unauthorized, Forbidden, BadRequest).
  bool refusal() const {
    return kind == Kind::Unauthorized || kind == Kind::Forbidden || kind == Kind::BadRequest;
  }
};

const char* to_string(ApiError::Kind kind);

template <class T>
struct ApiResult {
  std::optional<T> value;  // may be set alongside an error (executeEffect's success:false)
  ApiError error;

  bool ok() const { return error.kind == ApiError::Kind::None && value.has_value(); }
  // The write took effect, now or before (AlreadyApplied).
  bool done() const { return ok() || error.kind == ApiError::Kind::AlreadyApplied; }
};

// ---- API entities: plain data, read by messages/api_reply_codec -------------

using messages::ApiBranch;
using messages::ApiEffect;
using messages::ApiEvent;
using messages::ApiSettlement;
using messages::ApiStructure;
using messages::EffectExecution;
using messages::ExpiredEvent;
using messages::WriteAck;

// ---- write inputs -----------------------------------------------------------

// `variables` replaces the API's whole object: build it with
// messages::merged_variables.
// A field left empty is not sent (the API keeps its value).
struct SettlementUpdate {
  std::string branch_id;  // input.branchId: a branch of the settlement's campaign (io/campaign_branches)
  std::optional<std::string> name;
  std::optional<int> level;
  std::optional<nlohmann::json> variables;
  std::int64_t expected_version = 0;
  std::optional<sim::WorldTime> world_time;
};

struct StructureUpdate {
  std::string branch_id;  // input.branchId: a branch of the structure's campaign
  std::optional<std::string> type;
  std::optional<int> level;
  std::optional<nlohmann::json> variables;
  std::int64_t expected_version = 0;
  std::optional<sim::WorldTime> world_time;
};

// ---- the client -------------------------------------------------------------

struct CampaignApiConfig {
  std::string endpoint = "http://localhost:9264/graphql";
  std::string token;  // a JWT; empty sends no Authorization header
  std::chrono::milliseconds timeout{10'000};
  // API_AUTH=login: the process's one session; its token replaces `token`,
  // and an Unauthorized reply is retried once with a renewed one.
  std::shared_ptr<AuthSession> auth = nullptr;
  // Called (on the calling thread) with every refusal (ApiError::refusal())
  // the API answers; must be thread-safe. None: not reported.
  std::function<void(const ApiError&)> on_refusal = nullptr;
};

class CampaignApi {
 public:
  explicit CampaignApi(CampaignApiConfig config);

  // Reads. A null world time (a campaign that has none yet) is an ok result
  // holding nullopt. Events whose scheduledAt is null never expire and are
  // left out.
  ApiResult<std::optional<sim::WorldTime>> get_current_world_time(const std::string& campaign_id);
  ApiResult<std::vector<std::string>> kingdoms_by_campaign(const std::string& campaign_id);
  ApiResult<std::vector<ApiSettlement>> settlements_by_kingdom(const std::string& kingdom_id);
  ApiResult<std::vector<ApiStructure>> structures_by_settlement(const std::string& settlement_id);
  // One entity, fresh (its version and variables before an update). An
  // unknown (or deleted) id, which the API answers with null, is a GraphQL
  // error: the write cannot be applied.
  ApiResult<ApiSettlement> get_settlement(const std::string& id);
  ApiResult<ApiStructure> get_structure(const std::string& id);
  ApiResult<std::vector<ApiEvent>> events_by_campaign(const std::string& campaign_id);
  // The campaign's branches (the API requires each update's branchId to be
  // one of the entity's campaign's).
  ApiResult<std::vector<ApiBranch>> branches(const std::string& campaign_id);
  // How many times the effect was executed (getEffect { executions }); an
  // unknown id is a GraphQL error, as for get_settlement.
  ApiResult<std::size_t> effect_executions(const std::string& effect_id);
  // The same read, whole: what the effect hangs on and its executions;
  // nullopt when getEffect answers null (no such effect, or one on an
  // entity the API links to no campaign).
  ApiResult<std::optional<ApiEffect>> get_effect(const std::string& effect_id);
  // The links to an entity's campaign (io/entity_ownership): the linked id,
  // nullopt when the API answers null (no such entity).
  ApiResult<std::optional<std::string>> kingdom_campaign(const std::string& kingdom_id);
  ApiResult<std::optional<std::string>> settlement_kingdom(const std::string& settlement_id);
  ApiResult<std::optional<std::string>> structure_settlement(const std::string& structure_id);
  ApiResult<std::optional<std::string>> event_campaign(const std::string& event_id);
  ApiResult<std::optional<std::string>> encounter_campaign(const std::string& encounter_id);

  // Writes; each sends `idempotency_key` (must not be empty) as the
  // Idempotency-Key header.
  ApiResult<WriteAck> update_settlement(const std::string& id, const SettlementUpdate& input,
                                        const std::string& idempotency_key);
  ApiResult<WriteAck> update_structure(const std::string& id, const StructureUpdate& input,
                                       const std::string& idempotency_key);
  // An event already completed yields AlreadyApplied (done(), not retryable).
  ApiResult<ExpiredEvent> expire_event(const std::string& event_id, const std::string& idempotency_key);
  // success:false from the API yields a GraphQL error with the value kept.
  ApiResult<EffectExecution> execute_effect(const std::string& effect_id,
                                            const std::string& idempotency_key);

  const CampaignApiConfig& config() const { return config_; }

 private:
  // Sends one operation; on success returns data.<op.field> (may be null).
  ApiResult<nlohmann::json> call(const api_ops::Operation& op, nlohmann::json variables,
                                 const std::string* idempotency_key);
  // `op` reads {id, <link>} of entity `id`.
  ApiResult<std::optional<std::string>> owner_link(const api_ops::Operation& op, const std::string& id,
                                                   std::string_view link);
  ApiResult<nlohmann::json> send(const api_ops::Operation& op, const std::string& request,
                                 const std::string& token, const std::string* idempotency_key);

  CampaignApiConfig config_;
  HttpClient http_;
};

// Classifies one HTTP reply of `op` (exposed for tests of the rules):
// on success, data.<op.field>.
ApiResult<nlohmann::json> classify_reply(const api_ops::Operation& op, const HttpResponse& reply);

}  // namespace hourglass::io
