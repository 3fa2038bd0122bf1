#include "io/campaign_api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hourglass::io {

using nlohmann::json;
namespace ops = api_ops;

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
std::string error_messages(const json& errors) {
  std::string out;
  std::size_t n = 0;
  for (const json& e : errors) {
    if (n++ == 3) {
      out += "; ...";
      break;
    }
    if (!out.empty()) out += "; ";
    const json* m = e.is_object() && e.contains("message") ? &e["message"] : nullptr;
    out += m && m->is_string() ? m->get<std::string>() : e.dump();
  }
  return out;
}

// The real API's OptimisticLockException (campaign_manager, NestJS): in
// production (formatError strips extensions) only its message tells it,
// "<Entity> was modified by another user. Expected version X, but found Y.
// ..."; in development extensions.code is INTERNAL_SERVER_ERROR with
// extensions.status 409 (originalError.statusCode 409 for other formats),
// never CONFLICT. Only an update takes an expectedVersion.
bool is_optimistic_lock(const json& error, const ops::Operation& op) {
  if (&op != &ops::kUpdateSettlement && &op != &ops::kUpdateStructure) return false;
  if (!error.is_object()) return false;
  const json* m = error.contains("message") ? &error["message"] : nullptr;
  if (m && m->is_string() && m->get_ref<const std::string&>().find("was modified by another user") != std::string::npos)
    return true;
  const json* ext = error.contains("extensions") ? &error["extensions"] : nullptr;
  if (!ext || !ext->is_object()) return false;
  if (ext->value("status", json()) == 409) return true;
  if (auto o = ext->find("originalError"); o != ext->end() && o->is_object() && o->value("statusCode", json()) == 409)
    return true;
  return ext->dump().find("OptimisticLockException") != std::string::npos;  // a development stack trace
}

bool is_already_completed(const json& error) {
  const json* m = error.is_object() && error.contains("message") ? &error["message"] : nullptr;
  if (!m || !m->is_string()) return false;
  const std::string text = lower(m->get<std::string>());
  return text.find("already completed") != std::string::npos ||
         text.find("already been completed") != std::string::npos ||
         text.find("already expired") != std::string::npos;
}

// ---- typed reads of reply objects; each throws BadReplyError naming the field.

struct BadReplyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw BadReplyError(path + ": " + what);
}

const json& field(const json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) bad(path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) bad(path + "." + key, "missing field");
  return *it;
}

std::string str_field(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_string()) bad(path + "." + key, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

// IDs are strings in GraphQL replies; accept integers too.
std::string id_field(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_number_integer()) return v.dump();
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    bad(path + "." + key, "expected an ID, got " + v.dump());
  return v.get<std::string>();
}

std::int64_t whole_field(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {  // Float! in the schema (version)
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
      return static_cast<std::int64_t>(d);
  }
  bad(path + "." + key, "expected a whole number, got " + v.dump());
}

bool bool_field(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_boolean()) bad(path + "." + key, "expected a boolean, got " + v.dump());
  return v.get<bool>();
}

std::optional<sim::WorldTime> opt_time_field(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_null()) return std::nullopt;
  auto t = parse_api_time(v);
  if (!t) bad(path + "." + key, "expected a DateTime (ISO 8601 or epoch ms), got " + v.dump());
  return t;
}

sim::WorldTime time_field(const json& obj, const char* key, const std::string& path) {
  auto t = opt_time_field(obj, key, path);
  if (!t) bad(path + "." + key, "expected a DateTime, got null");
  return *t;
}

json variables_field(const json& obj, const std::string& path) {
  const json& v = field(obj, "variables", path);
  if (v.is_null()) return json::object();
  if (!v.is_object()) bad(path + ".variables", "expected a JSON object, got " + v.dump());
  return v;
}

const json& list(const json& data, const std::string& path) {
  if (!data.is_array()) bad(path, "expected a list, got " + data.dump());
  return data;
}

std::string item_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

template <class T, class Parse>
ApiResult<T> parse_reply(const ops::Operation& op, ApiResult<json> raw, Parse parse) {
  if (!raw.ok()) return failure<T>(std::move(raw.error));
  try {
    return success<T>(parse(*raw.value, "data." + std::string(op.field)));
  } catch (const BadReplyError& e) {
    return failure<T>(make_error(ApiError::Kind::BadReply, e.what(), 200));
  }
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

WriteAck parse_ack(const json& d, const std::string& path) {
  if (d.is_null()) bad(path, "expected an object, got null");
  return WriteAck{id_field(d, "id", path), whole_field(d, "version", path)};
}

ApiSettlement parse_settlement(const json& x, const std::string& at) {
  ApiSettlement s;
  s.id = id_field(x, "id", at);
  s.name = str_field(x, "name", at);
  s.level = static_cast<int>(whole_field(x, "level", at));
  s.variables = variables_field(x, at);
  s.version = whole_field(x, "version", at);
  s.created_at = time_field(x, "createdAt", at);
  return s;
}

ApiStructure parse_structure(const json& x, const std::string& at) {
  ApiStructure s;
  s.id = id_field(x, "id", at);
  s.settlement_id = id_field(x, "settlementId", at);
  s.type = str_field(x, "type", at);
  s.level = static_cast<int>(whole_field(x, "level", at));
  s.variables = variables_field(x, at);
  s.version = whole_field(x, "version", at);
  s.created_at = time_field(x, "createdAt", at);
  return s;
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
  }
  return "unknown";
}

std::optional<sim::WorldTime> parse_api_time(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<sim::WorldTime>(d);
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  const bool negative = !s.empty() && s[0] == '-';
  const std::size_t start = negative ? 1 : 0;
  if (s.size() > start && s.size() - start <= 16 &&
      std::all_of(s.begin() + start, s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::stoll(s);  // epoch milliseconds (<= 16 digits: no overflow)
  }
  return sim::parse_world_time(s);
}

ApiResult<json> classify_reply(const ops::Operation& op, const HttpResponse& reply) {
  using K = ApiError::Kind;
  if (reply.timed_out) return failure<json>(make_error(K::Timeout, "timed out: " + reply.transport_error));
  if (!reply.transport_error.empty()) return failure<json>(make_error(K::Transport, reply.transport_error));

  const long status = reply.status;
  const json body = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  const bool has_errors = body.is_object() && body.contains("errors") && body["errors"].is_array() &&
                          !body["errors"].empty();
  const std::string where = std::string(op.name) + ": ";

  if (has_errors) {
    const json& errors = body["errors"];
    const std::string messages = error_messages(errors);
    for (const json& e : errors)
      if (is_optimistic_lock(e, op)) return failure<json>(make_error(K::OptimisticLock, where + messages, status));
    if (&op == &ops::kExpireEvent)
      for (const json& e : errors)
        if (is_already_completed(e)) return failure<json>(make_error(K::AlreadyApplied, where + messages, status));
    if (status < 200 || status >= 300)
      return failure<json>(make_error(K::Http, where + "HTTP " + std::to_string(status) + ": " + messages, status));
    return failure<json>(make_error(K::GraphQL, where + messages, status));
  }
  if (status < 200 || status >= 300) {
    std::string snippet = reply.body.substr(0, 200);
    return failure<json>(make_error(K::Http, where + "HTTP " + std::to_string(status) +
                                                 (snippet.empty() ? "" : ": " + snippet),
                                    status));
  }
  if (body.is_discarded()) return failure<json>(make_error(K::BadReply, where + "reply is not JSON", status));
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object())
    return failure<json>(make_error(K::BadReply, where + "data: missing field", status));
  const json& data = body["data"];
  auto it = data.find(std::string(op.field));
  if (it == data.end())
    return failure<json>(make_error(K::BadReply, where + "data." + std::string(op.field) + ": missing field", status));
  return success<json>(*it);
}

CampaignApi::CampaignApi(CampaignApiConfig config) : config_(std::move(config)) {}

ApiResult<json> CampaignApi::call(const ops::Operation& op, json variables, const std::string* idempotency_key) {
  const json request = {{"operationName", op.name}, {"query", op.text}, {"variables", std::move(variables)}};
  HttpClient::Headers headers;
  if (!config_.token.empty()) headers.emplace_back("Authorization", "Bearer " + config_.token);
  if (idempotency_key) headers.emplace_back("Idempotency-Key", *idempotency_key);
  const HttpResponse reply = http_.post_json(config_.endpoint, request.dump(), headers, config_.timeout);
  return classify_reply(op, reply);
}

ApiResult<std::optional<sim::WorldTime>> CampaignApi::get_current_world_time(const std::string& campaign_id) {
  const auto& op = ops::kGetCurrentWorldTime;
  return parse_reply<std::optional<sim::WorldTime>>(
      op, call(op, {{"campaignId", campaign_id}}, nullptr),
      [](const json& d, const std::string& path) -> std::optional<sim::WorldTime> {
        if (d.is_null()) return std::nullopt;
        auto t = parse_api_time(d);
        if (!t) bad(path, "expected a DateTime (ISO 8601 or epoch ms), got " + d.dump());
        return t;
      });
}

ApiResult<std::vector<std::string>> CampaignApi::kingdoms_by_campaign(const std::string& campaign_id) {
  const auto& op = ops::kKingdomsByCampaign;
  return parse_reply<std::vector<std::string>>(
      op, call(op, {{"campaignId", campaign_id}}, nullptr), [](const json& d, const std::string& path) {
        std::vector<std::string> ids;
        const json& items = list(d, path);
        for (std::size_t i = 0; i < items.size(); ++i) ids.push_back(id_field(items[i], "id", item_path(path, i)));
        return ids;
      });
}

ApiResult<std::vector<ApiSettlement>> CampaignApi::settlements_by_kingdom(const std::string& kingdom_id) {
  const auto& op = ops::kSettlementsByKingdom;
  return parse_reply<std::vector<ApiSettlement>>(
      op, call(op, {{"kingdomId", kingdom_id}}, nullptr), [](const json& d, const std::string& path) {
        std::vector<ApiSettlement> out;
        const json& items = list(d, path);
        for (std::size_t i = 0; i < items.size(); ++i) out.push_back(parse_settlement(items[i], item_path(path, i)));
        return out;
      });
}

ApiResult<ApiSettlement> CampaignApi::get_settlement(const std::string& id) {
  const auto& op = ops::kGetSettlement;
  auto r = call(op, {{"id", id}}, nullptr);
  if (r.ok() && r.value->is_null())
    return failure<ApiSettlement>(make_error(ApiError::Kind::GraphQL, "GetSettlement: settlement " + id + " not found (null)", 200));
  return parse_reply<ApiSettlement>(op, std::move(r), parse_settlement);
}

ApiResult<std::vector<ApiStructure>> CampaignApi::structures_by_settlement(const std::string& settlement_id) {
  const auto& op = ops::kStructuresBySettlement;
  return parse_reply<std::vector<ApiStructure>>(
      op, call(op, {{"settlementId", settlement_id}}, nullptr), [](const json& d, const std::string& path) {
        std::vector<ApiStructure> out;
        const json& items = list(d, path);
        for (std::size_t i = 0; i < items.size(); ++i) out.push_back(parse_structure(items[i], item_path(path, i)));
        return out;
      });
}

ApiResult<ApiStructure> CampaignApi::get_structure(const std::string& id) {
  const auto& op = ops::kGetStructure;
  auto r = call(op, {{"id", id}}, nullptr);
  if (r.ok() && r.value->is_null())
    return failure<ApiStructure>(make_error(ApiError::Kind::GraphQL, "GetStructure: structure " + id + " not found (null)", 200));
  return parse_reply<ApiStructure>(op, std::move(r), parse_structure);
}

ApiResult<std::vector<ApiEvent>> CampaignApi::events_by_campaign(const std::string& campaign_id) {
  const auto& op = ops::kEventsByCampaign;
  return parse_reply<std::vector<ApiEvent>>(
      op, call(op, {{"campaignId", campaign_id}}, nullptr), [](const json& d, const std::string& path) {
        std::vector<ApiEvent> out;
        const json& items = list(d, path);
        for (std::size_t i = 0; i < items.size(); ++i) {
          const json& x = items[i];
          const std::string at = item_path(path, i);
          ApiEvent e;
          e.id = id_field(x, "id", at);
          const auto scheduled = opt_time_field(x, "scheduledAt", at);
          e.is_completed = bool_field(x, "isCompleted", at);
          if (!scheduled) continue;  // never scheduled: never expires
          e.scheduled_at = *scheduled;
          out.push_back(std::move(e));
        }
        return out;
      });
}

ApiResult<WriteAck> CampaignApi::update_settlement(const std::string& id, const SettlementUpdate& input,
                                                   const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kUpdateSettlement;
  json vars = {{"id", id},
               {"input", update_input(input.name, "name", input.level, input.variables, config_.branch_id,
                                      input.expected_version, input.world_time)}};
  return parse_reply<WriteAck>(op, call(op, std::move(vars), &idempotency_key), parse_ack);
}

ApiResult<WriteAck> CampaignApi::update_structure(const std::string& id, const StructureUpdate& input,
                                                  const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kUpdateStructure;
  json vars = {{"id", id},
               {"input", update_input(input.type, "type", input.level, input.variables, config_.branch_id,
                                      input.expected_version, input.world_time)}};
  return parse_reply<WriteAck>(op, call(op, std::move(vars), &idempotency_key), parse_ack);
}

ApiResult<ExpiredEvent> CampaignApi::expire_event(const std::string& event_id, const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kExpireEvent;
  return parse_reply<ExpiredEvent>(op, call(op, {{"eventId", event_id}}, &idempotency_key),
                                   [](const json& d, const std::string& path) {
                                     if (d.is_null()) bad(path, "expected an object, got null");
                                     ExpiredEvent e;
                                     e.id = id_field(d, "id", path);
                                     e.is_completed = bool_field(d, "isCompleted", path);
                                     e.occurred_at = opt_time_field(d, "occurredAt", path);
                                     return e;
                                   });
}

ApiResult<EffectExecution> CampaignApi::execute_effect(const std::string& effect_id,
                                                       const std::string& idempotency_key) {
  require_key(idempotency_key);
  const auto& op = ops::kExecuteEffect;
  auto result = parse_reply<EffectExecution>(
      op, call(op, {{"input", {{"effectId", effect_id}}}}, &idempotency_key),
      [](const json& d, const std::string& path) {
        if (d.is_null()) bad(path, "expected an object, got null");
        EffectExecution x;
        x.success = bool_field(d, "success", path);
        const json& err = field(d, "error", path);
        if (!err.is_null()) {
          if (!err.is_string()) bad(path + ".error", "expected a string or null, got " + err.dump());
          x.error = err.get<std::string>();
        }
        const json& exec = field(d, "executionId", path);
        if (!exec.is_null()) x.execution_id = id_field(d, "executionId", path);
        return x;
      });
  if (result.ok() && !result.value->success)
    result.error = make_error(ApiError::Kind::GraphQL,
                              "ExecuteEffect: effect " + effect_id + " failed: " +
                                  (result.value->error.empty() ? "no reason given" : result.value->error),
                              200);
  return result;
}

// ---- entity mapping -----------------------------------------------------------

namespace {

json take(json& vars, const char* key) {
  auto it = vars.find(key);
  if (it == vars.end()) return nullptr;
  json v = std::move(*it);
  vars.erase(it);
  return v;
}

}  // namespace

json settlement_entity_json(const ApiSettlement& s) {
  json vars = s.variables.is_object() ? s.variables : json::object();
  json population = take(vars, "population");
  json resources = take(vars, "resources");
  json carry = take(vars, "carry");
  json e = {{"id", s.id},
            {"name", s.name},
            {"level", s.level},
            {"population", population.is_null() ? json(0) : population},
            {"resources", resources.is_null() ? json::object() : resources},
            {"createdAt", sim::format_world_time(s.created_at)},
            {"variables", std::move(vars)}};
  if (!carry.is_null()) e["carry"] = carry;
  return e;
}

json structure_entity_json(const ApiStructure& s) {
  json vars = s.variables.is_object() ? s.variables : json::object();
  json status = take(vars, "status");
  json condition = take(vars, "condition");
  json completes = take(vars, "constructionCompletesAt");
  json active_since = take(vars, "activeSince");
  json e = {{"id", s.id},
            {"settlementId", s.settlement_id},
            {"type", s.type},
            {"level", s.level},
            {"status", status.is_null() ? json("UNDER_CONSTRUCTION") : status},
            {"condition", condition.is_null() ? json(0) : condition},
            {"createdAt", sim::format_world_time(s.created_at)}};
  if (!completes.is_null()) e["constructionCompletesAt"] = completes;
  if (!active_since.is_null()) e["activeSince"] = active_since;
  e["variables"] = std::move(vars);
  return e;
}

json event_entity_json(const ApiEvent& e) {
  return {{"id", e.id}, {"scheduledAt", sim::format_world_time(e.scheduled_at)}, {"isCompleted", e.is_completed}};
}

json effect_entity_json(const ApiEffect& e) {
  return {{"id", e.id}, {"executeAt", sim::format_world_time(e.execute_at)}};
}

json merged_variables(const json& api_variables, const json& engine_changes) {
  json out = api_variables.is_object() ? api_variables : json::object();
  if (!engine_changes.is_object()) return out;
  auto resources = [&]() -> json& {
    json& r = out["resources"];
    if (!r.is_object()) r = json::object();
    return r;
  };
  static const std::string kPrefix = "resources.";
  for (const auto& [key, value] : engine_changes.items()) {
    if (key == "level" || key == "name" || key == "type") continue;
    if (key.compare(0, kPrefix.size(), kPrefix) == 0) {
      resources()[key.substr(kPrefix.size())] = value;
    } else if (key == "resources" && value.is_object()) {
      for (const auto& [name, amount] : value.items()) resources()[name] = amount;
    } else {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace hourglass::io
