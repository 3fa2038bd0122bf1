#include "messages/api_reply_codec.hpp"

#include <algorithm>
#include <cctype>
#include <climits>

namespace hourglass::messages {
namespace {

// IDs are strings in GraphQL replies; integers are accepted too.
std::string read_id(const json& obj, std::string_view key, const std::string& path) {
  const json& v = require_present(obj, key, path);
  if (v.is_number_integer()) return v.dump();
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    throw InputError(child_path(path, key), "expected an ID, got " + v.dump());
  return v.get<std::string>();
}

std::string read_text(const json& obj, std::string_view key, const std::string& path) {
  return read_string(require_present(obj, key, path), child_path(path, key), /*allow_empty=*/true);
}

std::int64_t read_whole(const json& obj, std::string_view key, const std::string& path,
                        std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) {
  return read_int(require_present(obj, key, path), child_path(path, key), min, max);
}

bool read_flag(const json& obj, std::string_view key, const std::string& path) {
  return read_bool(require_present(obj, key, path), child_path(path, key));
}

std::optional<sim::WorldTime> read_opt_time(const json& obj, std::string_view key, const std::string& path) {
  const json& v = require_present(obj, key, path);
  if (v.is_null()) return std::nullopt;
  auto t = parse_api_time(v);
  if (!t) throw InputError(child_path(path, key), "expected a DateTime (ISO 8601 or epoch ms), got " + v.dump());
  return t;
}

json read_variables(const json& obj, const std::string& path) {
  const json& v = require_present(obj, "variables", path);
  if (v.is_null()) return json::object();
  return expect_object(v, child_path(path, "variables"));
}

// A non-null object (the reply of a write).
const json& expect_reply_object(const json& v, const std::string& path) {
  if (v.is_null()) throw InputError(path, "expected an object, got null");
  return expect_object(v, path);
}

template <class T, class Read>
std::vector<T> read_list(const json& v, const std::string& path, Read read) {
  std::vector<T> out;
  expect_array(v, path);
  for (std::size_t i = 0; i < v.size(); ++i) read(v[i], index_path(path, i), out);
  return out;
}

// The fields of ApiEntityRow; `read_own` reads the rest, between id and level
// (the order of the operation's selection, so that the first fault is named).
template <class Row, class ReadOwn>
Row entity_row(const json& x, const std::string& at, ReadOwn read_own) {
  expect_object(x, at);
  Row r;
  r.id = read_id(x, "id", at);
  read_own(r);
  r.level = static_cast<int>(read_whole(x, "level", at, INT_MIN, INT_MAX));
  r.variables = read_variables(x, at);
  r.version = read_whole(x, "version", at);
  return r;
}

ApiSettlement settlement_row(const json& x, const std::string& at) {
  // No name: the real API types Settlement.name DateTime! and fails any
  // query that selects it (docs/api-contract.md); the engine needs none.
  return entity_row<ApiSettlement>(x, at, [](ApiSettlement&) {});
}

// GetSettlement's row: its kingdomId too (which campaign it belongs to).
ApiSettlement settlement_row_with_kingdom(const json& x, const std::string& at) {
  return entity_row<ApiSettlement>(x, at, [&](ApiSettlement& s) { s.kingdom_id = read_id(x, "kingdomId", at); });
}

ApiStructure structure_row(const json& x, const std::string& at) {
  return entity_row<ApiStructure>(x, at, [&](ApiStructure& s) {
    s.settlement_id = read_id(x, "settlementId", at);
    s.type = read_text(x, "type", at);
  });
}

template <class Row>
std::vector<Row> rows_of(const json& v, const std::string& path, Row (*row)(const json&, const std::string&)) {
  return read_list<Row>(v, path, [&](const json& x, const std::string& at, auto& out) { out.push_back(row(x, at)); });
}

// A lookup by id: null when nothing has that id.
template <class Row>
std::optional<Row> row_or_none(const json& v, const std::string& path, Row (*row)(const json&, const std::string&)) {
  if (v.is_null()) return std::nullopt;
  return row(v, path);
}

}  // namespace

GraphQLReply read_graphql_reply(std::string_view text) {
  GraphQLReply reply;
  reply.body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!reply.body.is_object()) return reply;
  const json* errors = member(reply.body, "errors");
  if (!errors || !errors->is_array()) return reply;
  for (const json& e : *errors) {
    GraphQLError error;
    error.text = e.dump();
    if (e.is_object()) {
      if (const json* m = member(e, "message"); m && m->is_string()) error.message = m->get<std::string>();
      if (const json* ext = member(e, "extensions"); ext && ext->is_object())
      {
        if (const json* c = member(*ext, "code"); c && c->is_string()) error.code = c->get<std::string>();
        const json* original = member(*ext, "originalError");
        const json* status = member(*ext, "status");
        if (!status && original && original->is_object()) status = member(*original, "statusCode");
        if (status && status->is_number_integer()) error.status = status->get<std::int64_t>();
      }
    }
    reply.errors.push_back(std::move(error));
  }
  return reply;
}

const json& reply_data(const GraphQLReply& reply, std::string_view field) {
  if (!reply.is_json()) throw InputError("", "reply is not JSON");
  if (!reply.body.is_object()) throw InputError("data", "missing field");
  const json* data = member(reply.body, "data");
  if (!data || !data->is_object()) throw InputError("data", "missing field");
  auto it = data->find(field);
  if (it == data->end()) throw InputError(child_path("data", field), "missing field");
  return *it;
}

std::optional<sim::WorldTime> parse_api_time(const json& v) {
  if (v.is_number()) return whole_number(v);
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

std::optional<sim::WorldTime> read_world_time_reply(const json& v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  auto t = parse_api_time(v);
  if (!t) throw InputError(path, "expected a DateTime (ISO 8601 or epoch ms), got " + v.dump());
  return t;
}

std::vector<std::string> read_kingdom_ids(const json& v, const std::string& path) {
  return read_list<std::string>(v, path, [](const json& x, const std::string& at, auto& out) {
    out.push_back(read_id(expect_object(x, at), "id", at));
  });
}

std::vector<ApiSettlement> read_api_settlements(const json& v, const std::string& path) {
  return rows_of(v, path, settlement_row);
}

std::optional<ApiSettlement> read_api_settlement(const json& v, const std::string& path) {
  return row_or_none(v, path, settlement_row_with_kingdom);
}

std::vector<ApiStructure> read_api_structures(const json& v, const std::string& path) {
  return rows_of(v, path, structure_row);
}

std::optional<ApiStructure> read_api_structure(const json& v, const std::string& path) {
  return row_or_none(v, path, structure_row);
}

std::vector<ApiEvent> read_api_events(const json& v, const std::string& path) {
  return read_list<ApiEvent>(v, path, [](const json& x, const std::string& at, auto& out) {
    expect_object(x, at);
    ApiEvent e;
    e.id = read_id(x, "id", at);
    const auto scheduled = read_opt_time(x, "scheduledAt", at);
    e.is_completed = read_flag(x, "isCompleted", at);
    if (!scheduled) return;  // never scheduled: never expires
    e.scheduled_at = *scheduled;
    out.push_back(std::move(e));
  });
}

std::vector<ApiBranch> read_api_branches(const json& v, const std::string& path) {
  return read_list<ApiBranch>(v, path, [](const json& x, const std::string& at, auto& out) {
    expect_object(x, at);
    ApiBranch b;
    b.id = read_id(x, "id", at);
    b.name = read_text(x, "name", at);
    if (!require_present(x, "parentId", at).is_null()) b.parent_id = read_id(x, "parentId", at);
    out.push_back(std::move(b));
  });
}

WriteAck read_write_ack(const json& v, const std::string& path) {
  expect_reply_object(v, path);
  return WriteAck{read_id(v, "id", path), read_whole(v, "version", path)};
}

ExpiredEvent read_expired_event(const json& v, const std::string& path) {
  expect_reply_object(v, path);
  ExpiredEvent e;
  e.id = read_id(v, "id", path);
  e.is_completed = read_flag(v, "isCompleted", path);
  e.occurred_at = read_opt_time(v, "occurredAt", path);
  return e;
}

EffectExecution read_effect_execution(const json& v, const std::string& path) {
  expect_reply_object(v, path);
  EffectExecution x;
  x.success = read_flag(v, "success", path);
  const json& err = require_present(v, "error", path);
  if (!err.is_null()) {
    if (!err.is_string()) throw InputError(child_path(path, "error"), "expected a string or null, got " + err.dump());
    x.error = err.get<std::string>();
  }
  if (!require_present(v, "executionId", path).is_null()) x.execution_id = read_id(v, "executionId", path);
  return x;
}

namespace {

// An effect's `executions` (nullable in the schema: none yet), counted.
std::size_t count_executions(const json& effect, const std::string& path) {
  const json& list = require_present(effect, "executions", path);
  if (list.is_null()) return 0;
  const std::string at = child_path(path, "executions");
  return read_list<std::string>(list, at, [](const json& x, const std::string& item, auto& out) {
           expect_object(x, item);
           out.push_back(read_id(x, "id", item));
         }).size();
}

}  // namespace

std::optional<std::size_t> read_effect_executions(const json& v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  expect_object(v, path);
  read_id(v, "id", path);
  return count_executions(v, path);
}

std::optional<ApiEffect> read_api_effect(const json& v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  expect_object(v, path);
  ApiEffect e;
  e.id = read_id(v, "id", path);
  e.entity_type = read_string(require_present(v, "entityType", path), child_path(path, "entityType"));
  e.entity_id = read_id(v, "entityId", path);
  e.executions = count_executions(v, path);
  return e;
}

std::optional<std::string> read_owner_link(const json& v, const std::string& path, std::string_view link) {
  if (v.is_null()) return std::nullopt;
  expect_object(v, path);
  read_id(v, "id", path);
  return read_id(v, link, path);
}

}  // namespace hourglass::messages
