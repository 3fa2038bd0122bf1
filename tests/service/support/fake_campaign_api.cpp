#include "tests/service/support/fake_campaign_api.hpp"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "io/api_operations.hpp"
#include "tests/service/support/mini_http_server.hpp"

namespace hourglass::service::testing {

using nlohmann::json;

namespace {

// ---- GraphQL helpers ---------------------------------------------------------

// A request the GraphQL layer refuses before running it (HTTP 400).
struct ValidationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A resolver's error: 200 with errors[].
struct ResolverError : std::runtime_error {
  ResolverError(const std::string& message, std::string code)
      : std::runtime_error(message), code(std::move(code)) {}
  std::string code;
};

json errors_body(const std::string& message, const std::string& code) {
  return {{"errors", json::array({{{"message", message}, {"extensions", {{"code", code}}}}})}, {"data", nullptr}};
}

const json& need(const json& obj, const char* key, const char* type) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    throw ValidationError(std::string("Variable \"$") + key + "\" of required type \"" + type + "\" was not provided.");
  return *it;
}

std::string need_id(const json& obj, const char* key) {
  const json& v = need(obj, key, "ID!");
  if (!v.is_string()) throw ValidationError(std::string("Variable \"$") + key + "\" got invalid value " + v.dump());
  return v.get<std::string>();
}

sim::WorldTime seed_time(const json& obj, const char* key, sim::WorldTime fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  auto t = it->is_string() ? sim::parse_world_time(it->get<std::string>()) : std::nullopt;
  if (!t) throw std::invalid_argument(std::string("fake API seed: bad time in ") + key);
  return *t;
}

}  // namespace

// ---- the store and the operations -------------------------------------------

struct FakeCampaignApi::Impl {
  struct Campaign {
    std::optional<sim::WorldTime> world_time;
  };
  struct Settlement {
    std::string id, kingdom_id, name;
    int level = 1;
    json variables = json::object();
    std::int64_t version = 1;
    sim::WorldTime created_at = 0;
    json last_world_time = nullptr;
  };
  struct Structure {
    std::string id, settlement_id, type;
    int level = 1;
    json variables = json::object();
    std::int64_t version = 1;
    sim::WorldTime created_at = 0;
    json last_world_time = nullptr;
  };
  struct Event {
    std::string id, campaign_id;
    std::optional<sim::WorldTime> scheduled_at;
    bool completed = false;
    std::optional<sim::WorldTime> occurred_at;
  };
  struct Effect {
    std::string id, campaign_id;
    sim::WorldTime execute_at = 0;
    int executions = 0;
    std::optional<std::string> failure;
  };
  using Ids = std::vector<std::string>;

  explicit Impl(std::string t) : token(std::move(t)), server([this](const HttpRequest& r) { return handle(r); }) {}

  const std::string token;
  MiniHttpServer server;
  int port = 0;
  bool started = false;
  std::function<void(const WriteStamp&)> observer;  // set before start()

  mutable std::mutex mutex;
  std::condition_variable wake;  // delayed replies wait on it
  std::condition_variable written;  // wait_for_writes waits on it
  bool stopping = false;

  // The entities by id, and per parent the ids of its children in insertion
  // order (the order lists come back in). The per-parent indexes keep a
  // listing proportional to its answer: a bootstrap of 1,000 campaigns of
  // 100 entities each would otherwise scan every structure per settlement.
  std::map<std::string, Campaign> campaigns;
  std::map<std::string, Ids> kingdoms_of_campaign;
  std::unordered_map<std::string, std::string> campaign_of_kingdom;
  std::unordered_map<std::string, Settlement> settlements;
  std::map<std::string, Ids> settlements_of_kingdom;
  std::unordered_map<std::string, Structure> structures;
  std::map<std::string, Ids> structures_of_settlement;
  std::unordered_map<std::string, Event> events;
  std::map<std::string, Ids> events_of_campaign;
  std::unordered_map<std::string, Effect> effects;
  std::map<std::string, Ids> effects_of_campaign;
  DateForm date_form = DateForm::Iso;

  bool keep_history = true;           // applied (with variables) and operations
  std::vector<AppliedWrite> applied;  // when keep_history
  std::size_t applied_count = 0;
  std::vector<WriteStamp> stamps;     // always: small, and what benchmarks need
  std::unordered_map<std::string, std::string> replies_by_key;  // applied writes only: the reply body
  std::vector<std::string> duplicates;
  std::vector<std::string> operations;  // when keep_history
  std::size_t request_count = 0;
  int execution_counter = 0;

  int fail_n = 0, fail_status = 500;
  int delay_n = 0;
  std::chrono::milliseconds delay{0};
  int graphql_error_n = 0;
  std::string graphql_error_message;
  int raw_n = 0;
  std::string raw_body;
  bool down = false;

  json date(sim::WorldTime t) const {
    switch (date_form) {
      case DateForm::Iso: return sim::format_world_time(t);
      case DateForm::EpochMillisString: return std::to_string(t);
      case DateForm::EpochMillisNumber: return t;
    }
    return nullptr;
  }
  json date(const std::optional<sim::WorldTime>& t) const { return t ? date(*t) : json(nullptr); }

  static json data(std::string_view field, json value) { return {{"data", {{std::string(field), std::move(value)}}}}; }

  static HttpReply reply(const json& body, int status = 200) { return HttpReply{status, body.dump()}; }

  // Waits `d` or until stop(), without holding the store.
  void sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return stopping; });
  }

  HttpReply handle(const HttpRequest& req) {
    const auto arrived = std::chrono::steady_clock::now();
    std::chrono::milliseconds wait{0};
    std::optional<WriteStamp> stamp;
    HttpReply out = respond(req, arrived, wait, stamp);
    if (stamp && observer) observer(*stamp);  // outside the store: the observer may take its own locks
    if (wait.count() > 0) sleep_for(wait);
    return out;
  }

  void note_operation(const std::string& name) {
    std::lock_guard lock(mutex);
    if (keep_history) operations.push_back(name);
  }

  // The store is locked only around what touches it: the request's JSON is
  // parsed (and a read's reply written) outside, so the connections' threads
  // work in parallel as a real API's would.
  HttpReply respond(const HttpRequest& req, std::chrono::steady_clock::time_point arrived,
                    std::chrono::milliseconds& wait, std::optional<WriteStamp>& stamp) {
    {  // what applies to every request, in arrival order
      std::lock_guard lock(mutex);
      ++request_count;
      if (delay_n > 0) {
        --delay_n;
        wait = delay;
      }
      if (req.method != "POST" || req.target != "/graphql")
        return HttpReply{404, "not found", "text/plain"};
      if (down) return HttpReply{503, "service unavailable (fake API is down)", "text/plain"};
      if (fail_n > 0) {
        --fail_n;
        return HttpReply{fail_status, "injected failure", "text/plain"};
      }
    }
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || auth->second != "Bearer " + token)
      return reply(errors_body("Unauthorized", "UNAUTHENTICATED"), 401);

    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("query") || !body["query"].is_string())
      return reply(errors_body("Must provide query string.", "BAD_REQUEST"), 400);
    const json* name = body.contains("operationName") ? &body["operationName"] : nullptr;
    if (!name || !name->is_string()) return reply(errors_body("operationName is required", "BAD_REQUEST"), 400);
    const std::string& op_name = name->get_ref<const std::string&>();
    const io::api_ops::Operation* op = nullptr;
    for (const io::api_ops::Operation* o : io::api_ops::kAll)
      if (o->name == op_name) op = o;
    if (!op) {
      note_operation(op_name);
      return reply(errors_body("Unknown operation \"" + op_name + "\"", "GRAPHQL_VALIDATION_FAILED"), 400);
    }
    const std::string& query = body["query"].get_ref<const std::string&>();
    if (query.find(std::string(op->field) + "(") == std::string::npos) {
      note_operation(op_name);
      return reply(errors_body("query does not select " + std::string(op->field), "GRAPHQL_VALIDATION_FAILED"), 400);
    }
    const json variables = body.contains("variables") && body["variables"].is_object() ? std::move(body["variables"]) : json::object();
    std::string key;
    if (auto k = req.headers.find("idempotency-key"); k != req.headers.end()) key = k->second;

    json out;
    int status = 200;
    {
      std::lock_guard lock(mutex);
      if (keep_history) operations.push_back(op_name);
      if (raw_n > 0) {
        --raw_n;
        return HttpReply{200, raw_body};
      }
      if (graphql_error_n > 0) {
        --graphql_error_n;
        return reply(errors_body(graphql_error_message, "INTERNAL_SERVER_ERROR"));
      }
      if (op->write && !key.empty()) {
        if (auto seen = replies_by_key.find(key); seen != replies_by_key.end()) {
          duplicates.push_back(key);
          return HttpReply{200, seen->second};
        }
      }
      try {
        std::string entity_id;
        json result = run(*op, variables, entity_id);
        out = data(op->field, std::move(result));
        if (op->write) {
          stamp = record_applied(*op, key, entity_id, variables, arrived);
          if (!key.empty()) return HttpReply{200, replies_by_key[key] = out.dump()};
        }
      } catch (const ValidationError& e) {
        out = errors_body(e.what(), "BAD_USER_INPUT");
        status = 400;
      } catch (const ResolverError& e) {
        out = errors_body(e.what(), e.code);
      } catch (const NotApplied& n) {
        out = data(op->field, n.result);
      }
    }
    return reply(out, status);
  }

  // Called with the store locked, for a write that applied.
  WriteStamp record_applied(const io::api_ops::Operation& op, const std::string& key, const std::string& entity_id,
                            const json& variables, std::chrono::steady_clock::time_point arrived) {
    ++applied_count;
    if (keep_history) applied.push_back(AppliedWrite{std::string(op.name), key, entity_id, variables});
    stamps.push_back(WriteStamp{arrived, campaign_of_write(op, entity_id), world_time_of_write(variables, key)});
    written.notify_all();
    return stamps.back();
  }

  std::string campaign_of_settlement(const std::string& settlement_id) const {
    auto s = settlements.find(settlement_id);
    if (s == settlements.end()) return {};
    auto k = campaign_of_kingdom.find(s->second.kingdom_id);
    return k == campaign_of_kingdom.end() ? std::string() : k->second;
  }

  std::string campaign_of_write(const io::api_ops::Operation& op, const std::string& id) const {
    using namespace io::api_ops;
    if (&op == &kUpdateSettlement) return campaign_of_settlement(id);
    if (&op == &kUpdateStructure) {
      auto s = structures.find(id);
      return s == structures.end() ? std::string() : campaign_of_settlement(s->second.settlement_id);
    }
    if (&op == &kExpireEvent) return events.at(id).campaign_id;
    if (&op == &kExecuteEffect) return effects.at(id).campaign_id;
    return {};
  }

  // input.worldTime of an update; else the last field of the idempotency
  // key (SPEC §4: ...:<worldTime ms>), which every write of Hourglass has.
  static std::optional<sim::WorldTime> world_time_of_write(const json& variables, const std::string& key) {
    if (auto in = variables.find("input"); in != variables.end() && in->is_object()) {
      if (auto t = in->find("worldTime"); t != in->end() && t->is_string())
        if (auto parsed = sim::parse_world_time(t->get<std::string>())) return parsed;
    }
    const std::size_t colon = key.rfind(':');
    if (colon == std::string::npos || colon + 1 == key.size()) return std::nullopt;
    sim::WorldTime ms = 0;
    for (std::size_t i = colon + 1; i < key.size(); ++i) {
      if (key[i] < '0' || key[i] > '9') return std::nullopt;
      ms = ms * 10 + (key[i] - '0');
    }
    return ms;
  }

  static const Ids& children(const std::map<std::string, Ids>& index, const std::string& parent) {
    static const Ids none;
    auto it = index.find(parent);
    return it == index.end() ? none : it->second;
  }

  // Runs one operation against the store; throws to refuse. `entity_id` is
  // set for writes that apply.
  json run(const io::api_ops::Operation& op, const json& v, std::string& entity_id) {
    using namespace io::api_ops;
    if (&op == &kGetCurrentWorldTime) {
      const std::string id = need_id(v, "campaignId");
      auto c = campaigns.find(id);
      if (c == campaigns.end()) throw ResolverError("Campaign with ID " + id + " not found", "NOT_FOUND");
      return date(c->second.world_time);
    }
    if (&op == &kKingdomsByCampaign) {
      const std::string id = need_id(v, "campaignId");
      json out = json::array();
      if (auto ks = kingdoms_of_campaign.find(id); ks != kingdoms_of_campaign.end())
        for (const std::string& kid : ks->second) out.push_back({{"id", kid}});
      return out;
    }
    if (&op == &kSettlementsByKingdom) {
      const std::string id = need_id(v, "kingdomId");
      json out = json::array();
      for (const std::string& sid : children(settlements_of_kingdom, id)) {
        const Settlement& s = settlements.at(sid);
        out.push_back({{"id", s.id}, {"name", s.name}, {"level", s.level}, {"variables", s.variables},
                       {"version", s.version}, {"createdAt", date(s.created_at)}});
      }
      return out;
    }
    if (&op == &kGetSettlement) {
      const std::string id = need_id(v, "id");
      auto it = settlements.find(id);
      if (it == settlements.end()) return nullptr;  // nullable, as the real API
      const Settlement& s = it->second;
      return {{"id", s.id}, {"name", s.name}, {"level", s.level}, {"variables", s.variables},
              {"version", s.version}, {"createdAt", date(s.created_at)}};
    }
    if (&op == &kGetStructure) {
      const std::string id = need_id(v, "id");
      auto it = structures.find(id);
      if (it == structures.end()) return nullptr;
      const Structure& s = it->second;
      return {{"id", s.id}, {"settlementId", s.settlement_id}, {"type", s.type}, {"level", s.level},
              {"variables", s.variables}, {"version", s.version}, {"createdAt", date(s.created_at)}};
    }
    if (&op == &kStructuresBySettlement) {
      const std::string id = need_id(v, "settlementId");
      json out = json::array();
      for (const std::string& sid : children(structures_of_settlement, id)) {
        const Structure& s = structures.at(sid);
        out.push_back({{"id", s.id}, {"settlementId", s.settlement_id}, {"type", s.type}, {"level", s.level},
                       {"variables", s.variables}, {"version", s.version}, {"createdAt", date(s.created_at)}});
      }
      return out;
    }
    if (&op == &kEventsByCampaign) {
      const std::string id = need_id(v, "campaignId");
      json out = json::array();
      for (const std::string& eid : children(events_of_campaign, id)) {
        const Event& e = events.at(eid);
        out.push_back({{"id", e.id}, {"scheduledAt", date(e.scheduled_at)}, {"isCompleted", e.completed}});
      }
      return out;
    }
    if (&op == &kUpdateSettlement || &op == &kUpdateStructure) {
      const bool is_settlement = &op == &kUpdateSettlement;
      const std::string id = need_id(v, "id");
      const json& in = need(v, "input", is_settlement ? "UpdateSettlementInput!" : "UpdateStructureInput!");
      if (!in.is_object()) throw ValidationError("input must be an object");
      if (!need(in, "branchId", "ID!").is_string()) throw ValidationError("input.branchId must be an ID");
      const json& expected = need(in, "expectedVersion", "Float!");
      if (!expected.is_number()) throw ValidationError("input.expectedVersion must be a Float");
      if (in.contains("variables") && !in["variables"].is_null() && !in["variables"].is_object())
        throw ValidationError("input.variables must be a JSON object");
      if (in.contains("level") && !in["level"].is_null() && (!in["level"].is_number_integer() || in["level"].get<int>() < 1))
        throw ValidationError("input.level must be an Int >= 1");
      const char* type_key = is_settlement ? "name" : "type";
      if (in.contains(type_key) && !in[type_key].is_null() && !in[type_key].is_string())
        throw ValidationError(std::string("input.") + type_key + " must be a String");

      auto apply = [&](auto& entity, const char* what) {
        const double want = expected.get<double>();
        if (want != static_cast<double>(entity.version))
          throw ResolverError("OptimisticLockException: " + std::string(what) + " " + id +
                                  " was modified by another user (expected version " + expected.dump() +
                                  ", actual " + std::to_string(entity.version) + ")",
                              "CONFLICT");
        if (in.contains("level") && !in["level"].is_null()) entity.level = in["level"].template get<int>();
        if (in.contains("variables") && !in["variables"].is_null()) entity.variables = in["variables"];
        if (in.contains("worldTime")) entity.last_world_time = in["worldTime"];
        ++entity.version;
        entity_id = id;
        return json{{"id", id}, {"version", entity.version}};
      };
      if (is_settlement) {
        auto s = settlements.find(id);
        if (s == settlements.end()) throw ResolverError("Settlement with ID " + id + " not found", "NOT_FOUND");
        json out = apply(s->second, "Settlement");
        if (in.contains("name") && !in["name"].is_null()) s->second.name = in["name"].get<std::string>();
        return out;
      }
      auto s = structures.find(id);
      if (s == structures.end()) throw ResolverError("Structure with ID " + id + " not found", "NOT_FOUND");
      json out = apply(s->second, "Structure");
      if (in.contains("type") && !in["type"].is_null()) s->second.type = in["type"].get<std::string>();
      return out;
    }
    if (&op == &kExpireEvent) {
      const std::string id = need_id(v, "eventId");
      auto e = events.find(id);
      if (e == events.end()) throw ResolverError("Event with ID " + id + " not found", "NOT_FOUND");
      if (e->second.completed) throw ResolverError("Event " + id + " is already completed", "BAD_REQUEST");
      e->second.completed = true;
      e->second.occurred_at = campaigns[e->second.campaign_id].world_time;
      entity_id = id;
      return {{"id", id}, {"isCompleted", true}, {"occurredAt", date(e->second.occurred_at)}};
    }
    if (&op == &kExecuteEffect) {
      const json& in = need(v, "input", "ExecuteEffectInput!");
      const std::string id = need_id(in, "effectId");
      auto f = effects.find(id);
      if (f == effects.end()) throw ResolverError("Effect with ID " + id + " not found", "NOT_FOUND");
      if (f->second.failure)
        // Not applied: no entity_id, so it is not recorded and its key is not kept.
        throw NotApplied{{{"success", false}, {"error", *f->second.failure}, {"executionId", nullptr}}};
      ++f->second.executions;
      entity_id = id;
      return {{"success", true}, {"error", nullptr}, {"executionId", "exec-" + std::to_string(++execution_counter)}};
    }
    throw ValidationError("operation not implemented by the fake");
  }

  // A reply that is data, not an error, but applied nothing.
  struct NotApplied {
    json result;
  };
};

FakeCampaignApi::FakeCampaignApi(std::string token) : impl_(std::make_unique<Impl>(std::move(token))) {}

FakeCampaignApi::~FakeCampaignApi() { stop(); }

void FakeCampaignApi::start() {
  if (impl_->started) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = false;
  }
  impl_->port = impl_->server.start();
  impl_->started = true;
}

void FakeCampaignApi::stop() {
  if (!impl_->started) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->server.stop();
  impl_->started = false;
}

int FakeCampaignApi::port() const { return impl_->port; }
std::string FakeCampaignApi::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/graphql"; }
const std::string& FakeCampaignApi::token() const { return impl_->token; }

void FakeCampaignApi::add_campaign(const std::string& id, std::optional<sim::WorldTime> world_time) {
  std::lock_guard lock(impl_->mutex);
  impl_->campaigns[id].world_time = world_time;
}

void FakeCampaignApi::set_world_time(const std::string& campaign_id, std::optional<sim::WorldTime> world_time) {
  std::lock_guard lock(impl_->mutex);
  impl_->campaigns.at(campaign_id).world_time = world_time;
}

void FakeCampaignApi::add_kingdom(const std::string& campaign_id, const std::string& kingdom_id) {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->campaigns.count(campaign_id)) throw std::invalid_argument("fake API seed: no campaign " + campaign_id);
  impl_->kingdoms_of_campaign[campaign_id].push_back(kingdom_id);
  impl_->campaign_of_kingdom[kingdom_id] = campaign_id;
}

void FakeCampaignApi::add_settlement(const std::string& kingdom_id, const json& s) {
  std::lock_guard lock(impl_->mutex);
  Impl::Settlement x;
  x.id = s.at("id").get<std::string>();
  x.kingdom_id = kingdom_id;
  x.name = s.value("name", x.id);
  x.level = s.value("level", 1);
  x.variables = s.value("variables", json::object());
  x.version = s.value("version", std::int64_t{1});
  x.created_at = seed_time(s, "createdAt", 0);
  if (!impl_->settlements.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate settlement " + x.id);
  impl_->settlements_of_kingdom[kingdom_id].push_back(x.id);
}

void FakeCampaignApi::add_structure(const json& s) {
  std::lock_guard lock(impl_->mutex);
  Impl::Structure x;
  x.id = s.at("id").get<std::string>();
  x.settlement_id = s.at("settlementId").get<std::string>();
  x.type = s.at("type").get<std::string>();
  x.level = s.value("level", 1);
  x.variables = s.value("variables", json::object());
  x.version = s.value("version", std::int64_t{1});
  x.created_at = seed_time(s, "createdAt", 0);
  if (!impl_->structures.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate structure " + x.id);
  impl_->structures_of_settlement[x.settlement_id].push_back(x.id);
}

void FakeCampaignApi::add_event(const std::string& campaign_id, const json& e) {
  std::lock_guard lock(impl_->mutex);
  Impl::Event x;
  x.id = e.at("id").get<std::string>();
  x.campaign_id = campaign_id;
  if (e.contains("scheduledAt") && !e["scheduledAt"].is_null()) x.scheduled_at = seed_time(e, "scheduledAt", 0);
  x.completed = e.value("isCompleted", false);
  if (!impl_->events.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate event " + x.id);
  impl_->events_of_campaign[campaign_id].push_back(x.id);
}

void FakeCampaignApi::add_effect(const std::string& campaign_id, const json& f) {
  std::lock_guard lock(impl_->mutex);
  Impl::Effect x;
  x.id = f.at("id").get<std::string>();
  x.campaign_id = campaign_id;
  x.execute_at = seed_time(f, "executeAt", 0);
  if (!impl_->effects.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate effect " + x.id);
  impl_->effects_of_campaign[campaign_id].push_back(x.id);
}

void FakeCampaignApi::set_date_form(DateForm form) {
  std::lock_guard lock(impl_->mutex);
  impl_->date_form = form;
}

json FakeCampaignApi::settlement(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const auto& s = impl_->settlements.at(id);
  return {{"id", s.id}, {"name", s.name}, {"level", s.level}, {"variables", s.variables},
          {"version", s.version}, {"lastWorldTime", s.last_world_time}};
}

json FakeCampaignApi::structure(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const auto& s = impl_->structures.at(id);
  return {{"id", s.id}, {"settlementId", s.settlement_id}, {"type", s.type}, {"level", s.level},
          {"variables", s.variables}, {"version", s.version}, {"lastWorldTime", s.last_world_time}};
}

json FakeCampaignApi::event(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const auto& e = impl_->events.at(id);
  return {{"id", e.id}, {"isCompleted", e.completed}, {"occurredAt", e.occurred_at ? json(*e.occurred_at) : json(nullptr)}};
}

int FakeCampaignApi::effect_executions(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->effects.at(id).executions;
}

bool FakeCampaignApi::wait_for_writes(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->written.wait_for(lock, timeout, [&] { return impl_->applied_count >= n; });
}

std::vector<FakeCampaignApi::AppliedWrite> FakeCampaignApi::applied_writes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->applied;
}

std::size_t FakeCampaignApi::writes_applied() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->applied_count;
}

std::vector<FakeCampaignApi::WriteStamp> FakeCampaignApi::write_stamps() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stamps;
}

void FakeCampaignApi::keep_history(bool keep) {
  std::lock_guard lock(impl_->mutex);
  impl_->keep_history = keep;
}

void FakeCampaignApi::on_write(std::function<void(const WriteStamp&)> observer) {
  if (impl_->started) throw std::logic_error("fake API: on_write must be set before start()");
  impl_->observer = std::move(observer);
}

std::vector<std::string> FakeCampaignApi::duplicate_keys_seen() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->duplicates;
}

std::vector<std::string> FakeCampaignApi::operations_seen() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->operations;
}

std::size_t FakeCampaignApi::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->request_count;
}

std::size_t FakeCampaignApi::connections() const { return impl_->server.connections(); }

void FakeCampaignApi::fail_next(int n, int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_n = n;
  impl_->fail_status = status;
}

void FakeCampaignApi::delay_next(int n, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->delay_n = n;
  impl_->delay = delay;
}

void FakeCampaignApi::graphql_error_next(int n, std::string message) {
  std::lock_guard lock(impl_->mutex);
  impl_->graphql_error_n = n;
  impl_->graphql_error_message = std::move(message);
}

void FakeCampaignApi::raw_reply_next(int n, std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->raw_n = n;
  impl_->raw_body = std::move(body);
}

void FakeCampaignApi::fail_effect(const std::string& effect_id, std::string error) {
  std::lock_guard lock(impl_->mutex);
  impl_->effects.at(effect_id).failure = std::move(error);
}

void FakeCampaignApi::bump_version(const std::string& entity_id) {
  std::lock_guard lock(impl_->mutex);
  if (auto s = impl_->settlements.find(entity_id); s != impl_->settlements.end()) {
    ++s->second.version;
    return;
  }
  if (auto s = impl_->structures.find(entity_id); s != impl_->structures.end()) {
    ++s->second.version;
    return;
  }
  throw std::invalid_argument("fake API: no settlement or structure " + entity_id);
}

void FakeCampaignApi::set_down(bool down) {
  std::lock_guard lock(impl_->mutex);
  impl_->down = down;
}

}  // namespace hourglass::service::testing
