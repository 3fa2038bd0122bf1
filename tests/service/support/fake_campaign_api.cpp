#include "tests/service/support/fake_campaign_api.hpp"

#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "tests/service/support/mini_http_server.hpp"

extern char** environ;

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/service/CMakeLists.txt): the fake finds the schema validator there"
#endif

namespace hourglass::service::testing {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// ---- the schema validator: graphql_validator.js --serve, one child process --

bool is_file(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

std::string find_node() {
  if (const char* explicit_node = std::getenv("HOURGLASS_NODE"); explicit_node && *explicit_node) return explicit_node;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/node";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

class Validator {
 public:
  Validator() = default;
  ~Validator() { stop(); }

  void start() {
    const std::string dir = std::string(HOURGLASS_SOURCE_DIR) + "/tests/contract";
    const std::string script = dir + "/graphql_validator.js";
    const std::string schema = dir + "/campaign-api.schema.graphql";
    const std::string hint = " (scripts/install-deps.sh --with-test-tools installs it); the fake campaign API "
                             "validates every request against the real schema and will not run without it";
    const std::string node = find_node();
    if (node.empty()) throw std::runtime_error("fake campaign API: node is not on PATH" + hint);
    if (!is_file(dir + "/node_modules/graphql/package.json"))
      throw std::runtime_error("fake campaign API: graphql-js is not installed in " + dir + "/node_modules" + hint);
    if (!is_file(script) || !is_file(schema))
      throw std::runtime_error("fake campaign API: " + script + " or " + schema + " is missing");

    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error(std::string("fake campaign API: socketpair: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::vector<std::string> args{node, script, schema, "--serve"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      pid_ = -1;
      throw std::runtime_error("fake campaign API: cannot run " + node + ": " + std::strerror(rc));
    }
    fd_ = fds[0];
    // The first answer proves the schema loaded and graphql-js runs.
    json hello;
    try {
      hello = ask({{"query", "{ __typename }"}});
    } catch (const std::exception& e) {
      stop();
      throw std::runtime_error(std::string("fake campaign API: the schema validator did not start: ") + e.what());
    }
    if (!hello.value("errors", json::array()).empty()) {
      stop();
      throw std::runtime_error("fake campaign API: the schema validator refused a trivial query: " + hello.dump());
    }
  }

  void stop() {
    if (fd_ >= 0) {
      ::shutdown(fd_, SHUT_RDWR);  // stdin EOF: the child exits
      ::close(fd_);
      fd_ = -1;
    }
    if (pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
  }

  // One request, one answer line. Throws if the child is gone.
  json ask(const json& request) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0) throw std::runtime_error("the validator is not running");
    const std::string line = request.dump() + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error(std::string("validator write: ") + std::strerror(errno));
      sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      const std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        json out = json::parse(buffer_.substr(0, nl), nullptr, false);
        buffer_.erase(0, nl + 1);
        if (out.is_discarded()) throw std::runtime_error("the validator answered something that is not JSON");
        return out;
      }
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("the validator exited (its stderr is the test's)");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  std::mutex mutex_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

// ---- errors -------------------------------------------------------------------

// A resolver's refusal: an errors[] entry (a NestJS HttpException, or an
// optimistic lock).
struct ResolverError : std::runtime_error {
  ResolverError(const std::string& message, std::string code, int status)
      : std::runtime_error(message), code(std::move(code)), status(status) {}
  std::string code;  // the development format's extensions.code
  int status;        // the exception's HTTP status
};

ResolverError not_found(const std::string& m) { return ResolverError(m, "NOT_FOUND", 404); }
ResolverError bad_request(const std::string& m) { return ResolverError(m, "BAD_REQUEST", 400); }

const char* reason_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    default: return "Error";
  }
}

sim::WorldTime seed_time(const json& obj, const char* key, sim::WorldTime fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  auto t = it->is_string() ? sim::parse_world_time(it->get<std::string>()) : std::nullopt;
  if (!t) throw std::invalid_argument(std::string("fake API seed: bad time in ") + key);
  return *t;
}

sim::WorldTime wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json iso(sim::WorldTime t) { return sim::format_world_time(t); }
json iso(const std::optional<sim::WorldTime>& t) { return t ? iso(*t) : json(nullptr); }
json ms_string(const std::optional<sim::WorldTime>& t) { return t ? json(std::to_string(*t)) : json(nullptr); }

// The selected fields of a value: what graphql-js would serialize.
json project(const json& value, const json& selections, const char* type_name = nullptr) {
  if (!selections.is_array() || selections.empty() || value.is_null()) return value;
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(project(item, selections));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const json& sel : selections) {
    const std::string& name = sel["name"].get_ref<const std::string&>();
    const std::string& alias = sel["alias"].get_ref<const std::string&>();
    if (name == "__typename") {
      out[alias] = value.contains("__typename") ? value["__typename"] : (type_name ? json(type_name) : json(nullptr));
      continue;
    }
    auto it = value.find(name);
    out[alias] = it == value.end() ? json(nullptr) : project(*it, sel["selections"]);
  }
  return out;
}

// The real API types Settlement.name and Structure.name `DateTime!` by
// mistake (API-NOTES, probed): a query that selects either fails as a whole,
// its list loses its data. So does this fake.
bool selects_mistyped_name(const std::string& root_field, const json& selections) {
  static const char* const kRoots[] = {"settlementsByKingdom", "settlement", "structuresBySettlement", "structure"};
  if (std::find(std::begin(kRoots), std::end(kRoots), root_field) == std::end(kRoots)) return false;
  if (!selections.is_array()) return false;
  for (const json& sel : selections)
    if (sel.value("name", "") == "name") return true;
  return false;
}

const json& arg(const json& args, const char* key) {
  static const json null_value;
  auto it = args.find(key);
  return it == args.end() ? null_value : *it;
}

std::string str_arg(const json& args, const char* key) {
  const json& v = arg(args, key);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
}

}  // namespace

// ---- the store and the operations -------------------------------------------

struct FakeCampaignApi::Impl {
  struct Campaign {
    std::optional<sim::WorldTime> world_time;
    std::vector<std::string> branches;  // [0] is the main branch
  };
  struct Settlement {
    std::string id, kingdom_id, name;
    int level = 1;
    json variables = json::object();
    std::int64_t version = 1;
    sim::WorldTime created_at = 0, updated_at = 0;
    json last_world_time = nullptr;
  };
  struct Structure {
    std::string id, settlement_id, type;
    int level = 1;
    json variables = json::object();
    std::int64_t version = 1;
    sim::WorldTime created_at = 0, updated_at = 0;
    json last_world_time = nullptr;
  };
  struct Event {
    std::string id, campaign_id;
    std::optional<sim::WorldTime> scheduled_at;
    bool completed = false;
    std::optional<sim::WorldTime> occurred_at;
    std::int64_t version = 1;
  };
  struct Effect {
    std::string id, campaign_id;
    json seed;  // name, effectType, entityId, entityType, payload, timing
    json executions = json::array();
    std::optional<std::string> failure;
  };
  struct Token {
    std::optional<Clock::time_point> expires;  // none: the seeded token
    bool revoked = false;
  };
  using Ids = std::vector<std::string>;

  explicit Impl(Options o)
      : options(std::move(o)), server([this](const HttpRequest& r) { return handle(r); }) {
    tokens[options.token] = Token{};
  }

  const Options options;
  static constexpr const char* kUserId = "user-hourglass-service";
  MiniHttpServer server;
  Validator validator;
  int port = 0;
  bool started = false;
  std::function<void(const WriteStamp&)> observer;  // set before start()

  mutable std::mutex mutex;
  std::condition_variable wake;     // delayed replies wait on it
  mutable std::condition_variable written;  // wait_for_writes waits on it
  bool stopping = false;

  std::map<std::string, Campaign> campaigns;
  std::unordered_map<std::string, std::string> campaign_of_branch;
  std::unordered_map<std::string, std::string> branch_names;
  std::map<std::string, Ids> kingdoms_of_campaign;
  std::unordered_map<std::string, std::string> campaign_of_kingdom;
  std::unordered_map<std::string, Settlement> settlements;
  std::map<std::string, json> edits_after_read;  // settlement id -> variables a user sets after the next read
  std::map<std::string, Ids> settlements_of_kingdom;
  std::unordered_map<std::string, Structure> structures;
  std::map<std::string, Ids> structures_of_settlement;
  std::unordered_map<std::string, Event> events;
  std::map<std::string, Ids> events_of_campaign;
  std::unordered_map<std::string, Effect> effects;
  std::unordered_map<std::string, std::string> encounters;  // id -> campaign

  std::unordered_map<std::string, Token> tokens;
  std::unordered_map<std::string, bool> refresh_tokens;  // valid refresh tokens (7 days: never expire here)
  std::size_t token_counter = 0, login_count = 0;
  std::vector<std::string> issued_access;                  // in order
  std::map<std::string, std::size_t> auth_request_count;  // route -> every request (refused ones too)
  mutable std::condition_variable auth_changed;           // an auth request arrived
  std::map<std::string, std::pair<Clock::time_point, int>> throttle;  // route -> window start, hits

  WorldTimeNotifier notifier;  // guarded by mutex; called outside it

  bool keep_history = true;
  std::vector<AppliedWrite> applied;  // when keep_history
  std::size_t applied_count = 0;
  std::vector<WriteStamp> stamps;
  std::map<std::string, std::size_t> applications_by_key;
  std::map<std::string, int> expiry_calls;  // event id -> expireEvent calls that reached it
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

  // What a request did that must be told outside the lock.
  struct After {
    std::vector<WriteStamp> stamps;
    std::vector<std::tuple<std::string, std::optional<sim::WorldTime>, sim::WorldTime>> advances;
  };

  static HttpReply reply(const json& body, int status = 200) { return HttpReply{status, body.dump()}; }

  // An errors[] entry as the API's formatError writes it.
  json error_entry(const std::string& message, const std::string& code, int status = 0) const {
    json e = {{"message", message}};
    if (options.production) return e;
    json ext = {{"code", code}};
    if (status == 409) ext["status"] = 409;  // OptimisticLockException (INTERNAL_SERVER_ERROR, status 409)
    else if (status > 0)
      ext["originalError"] = {{"message", message}, {"error", reason_of(status)}, {"statusCode", status}};
    e["extensions"] = std::move(ext);
    return e;
  }
  HttpReply request_error(const std::string& message, const std::string& code, int status = 400) const {
    return reply({{"errors", json::array({error_entry(message, code)})}}, status);
  }

  void sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return stopping; });
  }

  HttpReply handle(const HttpRequest& req) {
    const auto arrived = Clock::now();
    std::chrono::milliseconds wait{0};
    After after;
    HttpReply out = respond(req, arrived, wait, after);
    if (observer)
      for (const WriteStamp& s : after.stamps) observer(s);  // outside the store: the observer may lock
    if (!after.advances.empty()) {
      WorldTimeNotifier n;
      {
        std::lock_guard lock(mutex);
        n = notifier;
      }
      if (n)
        for (const auto& [campaign, previous, now] : after.advances) n(campaign, previous, now);
    }
    if (wait.count() > 0) sleep_for(wait);
    return out;
  }

  HttpReply respond(const HttpRequest& req, Clock::time_point arrived, std::chrono::milliseconds& wait, After& after) {
    {  // what applies to every request, in arrival order
      std::lock_guard lock(mutex);
      ++request_count;
      if (delay_n > 0) {
        --delay_n;
        wait = delay;
      }
      if (down) return HttpReply{503, "service unavailable (fake API is down)", "text/plain"};
      if (fail_n > 0) {
        --fail_n;
        return HttpReply{fail_status, "injected failure", "text/plain"};
      }
    }
    if (req.method == "POST" && req.target == "/graphql") return graphql(req, arrived, after);
    if (req.method == "POST" && (req.target == "/auth/login" || req.target == "/auth/refresh")) return auth(req);
    return reply({{"message", "Cannot " + req.method + " " + req.target}, {"error", "Not Found"}, {"statusCode", 404}},
                 404);
  }

  // ---- REST auth (AuthController) -------------------------------------------

  std::pair<std::string, std::string> issue_tokens() {
    ++token_counter;
    ++login_count;
    // A JWT's shape (header.payload.signature, base64url JSON) with the
    // claims the real API signs: sub, email, iat, exp (seconds). The
    // signature is no HS256: nothing but this fake checks it.
    const auto wall = std::chrono::system_clock::now();
    const auto seconds = [](std::chrono::system_clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    };
    const json claims = {{"sub", kUserId},
                         {"email", options.email},
                         {"iat", seconds(wall)},
                         {"exp", seconds(wall + options.access_token_lifetime)},
                         {"jti", token_counter}};
    const std::string access = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims.dump()) +
                               ".fake-signature-" + std::to_string(token_counter);
    const std::string refresh = "fake-refresh-token-" + std::to_string(token_counter);
    tokens[access] = Token{Clock::now() + options.access_token_lifetime, false};
    issued_access.push_back(access);
    refresh_tokens[refresh] = true;
    return {access, refresh};
  }

  static std::string base64url(const std::string& in) {
    static const char* const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
      acc = (acc << 8) | c;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += table[(acc >> bits) & 0x3F];
      }
    }
    if (bits > 0) out += table[(acc << (6 - bits)) & 0x3F];
    return out;
  }

  HttpReply auth(const HttpRequest& req) {
    std::lock_guard lock(mutex);
    ++auth_request_count[req.target];
    auth_changed.notify_all();
    // ThrottlerGuard (global): 10 per 60 s per route and client.
    auto& [window, hits] = throttle[req.target];
    const auto now = Clock::now();
    if (hits == 0 || now - window >= std::chrono::minutes(1)) {
      window = now;
      hits = 0;
    }
    if (++hits > options.auth_requests_per_minute)
      return reply({{"statusCode", 429}, {"message", "ThrottlerException: Too Many Requests"}}, 429);
    const json body = json::parse(req.body, nullptr, false);
    auto unauthorized = [](const std::string& m) {
      return reply({{"message", m}, {"error", "Unauthorized"}, {"statusCode", 401}}, 401);
    };
    if (req.target == "/auth/login") {
      if (!body.is_object() || body.value("email", "") != options.email || body.value("password", "") != options.password)
        return unauthorized("Invalid email or password");
    } else {
      const std::string refresh = body.is_object() ? body.value("refreshToken", "") : "";
      if (!refresh_tokens.count(refresh)) return unauthorized("Invalid refresh token");
    }
    auto [access, refresh] = issue_tokens();
    return reply({{"accessToken", access}, {"refreshToken", refresh}});
  }

  bool authorized(const HttpRequest& req) const {
    auto h = req.headers.find("authorization");
    if (h == req.headers.end() || h->second.compare(0, 7, "Bearer ") != 0) return false;
    auto t = tokens.find(h->second.substr(7));
    if (t == tokens.end() || t->second.revoked) return false;
    return !t->second.expires || Clock::now() < *t->second.expires;
  }

  // ---- GraphQL ----------------------------------------------------------------

  HttpReply graphql(const HttpRequest& req, Clock::time_point arrived, After& after) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_array()) return request_error("Operation batching disabled.", "BAD_REQUEST");
    if (!body.is_object() || !body.contains("query") || !body["query"].is_string() ||
        body["query"].get_ref<const std::string&>().empty())
      return request_error("GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.",
                           "BAD_REQUEST");
    const std::string op_name = body.contains("operationName") && body["operationName"].is_string()
                                    ? body["operationName"].get<std::string>()
                                    : std::string();
    {
      std::lock_guard lock(mutex);
      if (keep_history) operations.push_back(op_name);
      if (raw_n > 0) {
        --raw_n;
        return HttpReply{200, raw_body};
      }
      if (graphql_error_n > 0) {
        --graphql_error_n;
        return reply({{"errors", json::array({{{"message", graphql_error_message}}})}, {"data", nullptr}});
      }
    }
    json ask = {{"query", body["query"]}};
    if (body.contains("variables") && body["variables"].is_object()) ask["variables"] = body["variables"];
    if (!op_name.empty()) ask["operationName"] = op_name;
    json plan;
    try {
      plan = validator.ask(ask);
    } catch (const std::exception& e) {
      return HttpReply{500, std::string("fake campaign API: schema validator failed: ") + e.what(), "text/plain"};
    }
    const json& problems = plan["errors"];
    if (!problems.empty()) {  // Apollo: HTTP 400, nothing runs
      json errors = json::array();
      for (const json& m : problems) errors.push_back(error_entry(m.get<std::string>(), plan.value("code", "")));
      return reply({{"errors", errors}}, 400);
    }

    const bool mutation = plan["operation"] == "mutation";
    const std::string key = [&] {
      auto h = req.headers.find("idempotency-key");
      return h == req.headers.end() ? std::string() : h->second;
    }();
    const json variables = body.value("variables", json::object());

    std::lock_guard lock(mutex);
    const bool authed = authorized(req);
    json data = json::object();
    json errors = json::array();
    bool data_null = false;
    for (const json& f : plan["fields"]) {
      const std::string& name = f["name"].get_ref<const std::string&>();
      const std::string& alias = f["alias"].get_ref<const std::string&>();
      if (name == "__typename") {
        data[alias] = mutation ? "Mutation" : "Query";
        continue;
      }
      try {
        if (!authed) throw ResolverError("Unauthorized", "UNAUTHENTICATED", 401);  // JwtAuthGuard
        if (selects_mistyped_name(name, f["selections"]))
          throw ResolverError("DateTimeScalar can only serialize Date objects", "INTERNAL_SERVER_ERROR", 500);
        std::string entity_id;
        json value = resolve(name, f["args"], entity_id, after);
        data[alias] = project(value, f["selections"]);
        if (name == "settlement" && selects(f["selections"], "version")) edit_after_read(str_arg(f["args"], "id"));
        if (mutation && !entity_id.empty())
          after.stamps.push_back(record_applied(op_name, name, key, entity_id, variables, f["args"], arrived));
      } catch (const ResolverError& e) {
        errors.push_back(error_entry(e.what(), e.status == 409 ? "INTERNAL_SERVER_ERROR" : e.code, e.status));
        data[alias] = nullptr;
        if (f["nonNull"] == true) {
          data_null = true;  // a non-null field's error nulls its parent: the whole data
          if (mutation) break;  // mutations run in order: the ones after it never run
        }
      }
    }
    json out = json::object();
    if (!errors.empty()) out["errors"] = std::move(errors);
    out["data"] = data_null ? json(nullptr) : std::move(data);
    return reply(out);
  }

  static bool selects(const json& selections, const char* field) {
    if (!selections.is_array()) return false;
    for (const json& sel : selections)
      if (sel.value("name", "") == field) return true;
    return false;
  }

  // A user's edit that lands between a writer's read of the settlement (one
  // that selects its version: the read before an update, not a lookup of its
  // kingdom) and the writer's update. Called with the store locked.
  void edit_after_read(const std::string& id) {
    auto edit = edits_after_read.find(id);
    auto it = settlements.find(id);
    if (edit == edits_after_read.end() || it == settlements.end()) return;
    for (const auto& [key, value] : edit->second.items()) it->second.variables[key] = value;
    ++it->second.version;
    edits_after_read.erase(edit);
  }

  // Called with the store locked, for a write that applied.
  WriteStamp record_applied(const std::string& op_name, const std::string& field, const std::string& key,
                            const std::string& entity_id, const json& variables, const json& args,
                            Clock::time_point arrived) {
    ++applied_count;
    if (!key.empty()) ++applications_by_key[key];
    if (keep_history) applied.push_back(AppliedWrite{op_name, field, key, entity_id, variables, args});
    stamps.push_back(WriteStamp{arrived, campaign_of_write(field, entity_id), world_time_of_write(args, key), field});
    written.notify_all();
    return stamps.back();
  }

  std::string campaign_of_settlement(const std::string& settlement_id) const {
    auto s = settlements.find(settlement_id);
    if (s == settlements.end()) return {};
    auto k = campaign_of_kingdom.find(s->second.kingdom_id);
    return k == campaign_of_kingdom.end() ? std::string() : k->second;
  }
  std::string campaign_of_structure(const std::string& structure_id) const {
    auto s = structures.find(structure_id);
    return s == structures.end() ? std::string() : campaign_of_settlement(s->second.settlement_id);
  }

  std::string campaign_of_write(const std::string& field, const std::string& id) const {
    if (field == "updateSettlement") return campaign_of_settlement(id);
    if (field == "updateStructure") return campaign_of_structure(id);
    if (field == "expireEvent") return events.at(id).campaign_id;
    if (field == "executeEffect") return effects.at(id).campaign_id;
    if (field == "advanceWorldTime") return id;
    return {};
  }

  // input.worldTime of an update; else the last field of the idempotency
  // key (SPEC §4: ...:<worldTime ms>), which every write of Hourglass has.
  static std::optional<sim::WorldTime> world_time_of_write(const json& args, const std::string& key) {
    if (auto in = args.find("input"); in != args.end() && in->is_object()) {
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

  // ---- entities as the API's types (every field the fake knows) ----

  json settlement_json(const Settlement& s) const {
    return {{"__typename", "Settlement"}, {"id", s.id}, {"kingdomId", s.kingdom_id},
            {"campaignId", campaign_of_settlement(s.id)}, {"name", s.name}, {"level", s.level},
            {"variables", s.variables}, {"variableSchemas", json::array()}, {"version", s.version},
            {"createdAt", iso(s.created_at)}, {"updatedAt", iso(s.updated_at)}, {"deletedAt", nullptr},
            {"archivedAt", nullptr}};
  }
  json structure_json(const Structure& s) const {
    return {{"__typename", "Structure"}, {"id", s.id}, {"settlementId", s.settlement_id}, {"type", s.type},
            {"name", s.id}, {"level", s.level}, {"variables", s.variables}, {"variableSchemas", json::array()},
            {"version", s.version}, {"createdAt", iso(s.created_at)}, {"updatedAt", iso(s.updated_at)},
            {"deletedAt", nullptr}, {"archivedAt", nullptr}};
  }
  json event_json(const Event& e) const {
    return {{"__typename", "Event"}, {"id", e.id}, {"campaignId", e.campaign_id}, {"name", e.id},
            {"eventType", "custom"}, {"scheduledAt", ms_string(e.scheduled_at)},
            {"occurredAt", ms_string(e.occurred_at)}, {"isCompleted", e.completed}, {"version", e.version},
            {"variables", json::object()}};
  }
  json effect_json(const Effect& f) const {
    const json& s = f.seed;
    return {{"__typename", "Effect"}, {"id", f.id}, {"name", s.value("name", f.id)},
            {"effectType", s.value("effectType", "patch")}, {"entityId", s["entityId"]},
            {"entityType", s["entityType"]}, {"payload", s.value("payload", json::array())},
            {"timing", s.value("timing", "ON_RESOLVE")}, {"priority", 0}, {"isActive", true}, {"version", 1},
            {"description", nullptr}, {"createdAt", iso(0)}, {"updatedAt", iso(0)}, {"deletedAt", nullptr},
            {"executions", f.executions}};
  }
  json branch_json(const std::string& id) const {
    const std::string& root = campaigns.at(campaign_of_branch.at(id)).branches.front();
    const json parent = id == root ? json(nullptr) : json(root);
    return {{"__typename", "Branch"}, {"id", id}, {"campaignId", campaign_of_branch.at(id)},
            {"name", branch_names.at(id)}, {"parentId", parent}, {"parent", nullptr}, {"children", json::array()},
            {"isPinned", false}, {"tags", json::array()}, {"color", nullptr}, {"description", nullptr},
            {"divergedAt", nullptr}, {"createdAt", iso(0)}, {"updatedAt", iso(0)}, {"deletedAt", nullptr}};
  }

  json kingdom_json(const std::string& id) const {
    const std::string& campaign = campaign_of_kingdom.at(id);
    return {{"__typename", "Kingdom"}, {"id", id}, {"campaignId", campaign}, {"name", id}, {"level", 1},
            {"variables", json::object()}, {"variableSchemas", json::array()}, {"version", 1},
            {"createdAt", iso(0)}, {"updatedAt", iso(0)}, {"deletedAt", nullptr}, {"archivedAt", nullptr}};
  }
  json encounter_json(const std::string& id) const {
    return {{"__typename", "Encounter"}, {"id", id}, {"campaignId", encounters.at(id)}, {"name", id},
            {"description", nullptr}, {"difficulty", nullptr}, {"isResolved", false}, {"resolvedAt", nullptr},
            {"scheduledAt", nullptr}, {"locationId", nullptr}, {"variables", json::object()},
            {"createdAt", iso(0)}, {"updatedAt", iso(0)}, {"deletedAt", nullptr}, {"archivedAt", nullptr}};
  }

  // The real getEffect (EffectService.findById) answers null unless the
  // effect's entity is an encounter or an event (entityType compared in lower
  // case) that exists: verifyEntityAccess refuses every other type.
  bool effect_visible(const Effect& f) const {
    std::string type = f.seed["entityType"].get<std::string>();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string& entity = f.seed["entityId"].get_ref<const std::string&>();
    if (type == "encounter") return encounters.count(entity) > 0;
    if (type == "event") return events.count(entity) > 0;
    return false;
  }

  Campaign& campaign_or_throw(const std::string& id) {
    auto c = campaigns.find(id);
    if (c == campaigns.end()) throw not_found("Campaign with ID " + id + " not found or access denied");
    return c->second;
  }

  // Runs one root field against the store (locked); throws ResolverError to
  // refuse. `entity_id` is set for a write that applied.
  json resolve(const std::string& field, const json& a, std::string& entity_id, After& after) {
    if (field == "getCurrentWorldTime") return iso(campaign_or_throw(str_arg(a, "campaignId")).world_time);
    if (field == "campaign") {
      auto c = campaigns.find(str_arg(a, "id"));
      if (c == campaigns.end()) throw not_found("Campaign with ID " + str_arg(a, "id") + " not found");
      return {{"__typename", "Campaign"}, {"id", c->first}, {"name", c->first},
              {"currentWorldTime", ms_string(c->second.world_time)}, {"version", 1}};
    }
    if (field == "branches") {
      json out = json::array();
      if (auto c = campaigns.find(str_arg(a, "campaignId")); c != campaigns.end())
        for (const std::string& b : c->second.branches) out.push_back(branch_json(b));
      return out;
    }
    if (field == "kingdomsByCampaign") {
      const std::string id = str_arg(a, "campaignId");
      json out = json::array();
      for (const std::string& kid : children(kingdoms_of_campaign, id))
        out.push_back({{"__typename", "Kingdom"}, {"id", kid}, {"campaignId", id}, {"name", kid}});
      return out;
    }
    if (field == "settlementsByKingdom") {
      json out = json::array();
      for (const std::string& sid : children(settlements_of_kingdom, str_arg(a, "kingdomId")))
        out.push_back(settlement_json(settlements.at(sid)));
      return out;
    }
    if (field == "settlement") {
      auto it = settlements.find(str_arg(a, "id"));
      return it == settlements.end() ? json(nullptr) : settlement_json(it->second);
    }
    if (field == "structuresBySettlement") {
      json out = json::array();
      for (const std::string& sid : children(structures_of_settlement, str_arg(a, "settlementId")))
        out.push_back(structure_json(structures.at(sid)));
      return out;
    }
    if (field == "structure") {
      auto it = structures.find(str_arg(a, "id"));
      return it == structures.end() ? json(nullptr) : structure_json(it->second);
    }
    if (field == "eventsByCampaign") {  // ordered by scheduledAt (nulls last), completed ones included
      std::vector<const Event*> list;
      for (const std::string& eid : children(events_of_campaign, str_arg(a, "campaignId")))
        list.push_back(&events.at(eid));
      std::stable_sort(list.begin(), list.end(), [](const Event* x, const Event* y) {
        if (!x->scheduled_at || !y->scheduled_at) return x->scheduled_at.has_value() && !y->scheduled_at;
        return *x->scheduled_at < *y->scheduled_at;
      });
      json out = json::array();
      for (const Event* e : list) out.push_back(event_json(*e));
      return out;
    }
    if (field == "getEffect") {
      auto f = effects.find(str_arg(a, "id"));
      return f == effects.end() || !effect_visible(f->second) ? json(nullptr) : effect_json(f->second);
    }
    // Lookups by id: null when nothing has that id (the API's findById).
    if (field == "kingdom") {
      const std::string id = str_arg(a, "id");
      return campaign_of_kingdom.count(id) ? kingdom_json(id) : json(nullptr);
    }
    if (field == "event") {
      auto e = events.find(str_arg(a, "id"));
      return e == events.end() ? json(nullptr) : event_json(e->second);
    }
    if (field == "encounter") {
      const std::string id = str_arg(a, "id");
      return encounters.count(id) ? encounter_json(id) : json(nullptr);
    }
    if (field == "updateSettlement" || field == "updateStructure") return update(field, a, entity_id);
    if (field == "expireEvent") {
      const std::string id = str_arg(a, "eventId");
      auto e = events.find(id);
      if (e == events.end()) throw not_found("Event with ID " + id + " not found");
      ++expiry_calls[id];  // applied or refused as already completed: each call that reached the event
      if (e->second.completed) throw bad_request("Event with ID " + id + " is already completed");
      e->second.completed = true;
      e->second.occurred_at = wall_now_ms();  // the API's `new Date()`, not the world time
      ++e->second.version;
      entity_id = id;
      return event_json(e->second);
    }
    if (field == "executeEffect") {
      const json& in = arg(a, "input");
      const std::string id = str_arg(in, "effectId");
      auto f = effects.find(id);
      if (f == effects.end()) throw not_found("Effect with ID " + id + " not found");
      if (f->second.failure)  // not applied: no entity_id, not counted
        return {{"success", false}, {"error", *f->second.failure}, {"executionId", nullptr},
                {"patchApplied", nullptr}, {"affectedFields", nullptr}};
      if (arg(in, "dryRun") == true)
        return {{"success", true}, {"error", nullptr}, {"executionId", nullptr},
                {"patchApplied", f->second.seed.value("payload", json::array())}, {"affectedFields", json::array()}};
      const std::string exec_id = "exec-" + std::to_string(++execution_counter);
      const json& s = f->second.seed;
      f->second.executions.push_back({{"__typename", "EffectExecution"}, {"id", exec_id}, {"effectId", id},
                                      {"entityId", s["entityId"]}, {"entityType", s["entityType"]},
                                      {"executedAt", iso(wall_now_ms())}, {"executedBy", kUserId},
                                      {"context", arg(in, "context").is_null() ? json::object() : arg(in, "context")},
                                      {"result", {{"success", true}}}, {"error", nullptr}});
      entity_id = id;
      return {{"success", true}, {"error", nullptr}, {"executionId", exec_id},
              {"patchApplied", s.value("payload", json::array())}, {"affectedFields", json::array()}};
    }
    if (field == "advanceWorldTime") {
      const json& in = arg(a, "input");
      const std::string id = str_arg(in, "campaignId");
      Campaign& c = campaign_or_throw(id);
      const json& to_value = arg(in, "to");
      auto to = to_value.is_string() ? sim::parse_world_time(to_value.get<std::string>()) : std::nullopt;
      if (!to) throw bad_request("Invalid DateTime: " + to_value.dump());
      const auto previous = c.world_time;
      advance(id, c, *to);
      after.advances.emplace_back(id, previous, *to);
      entity_id = id;
      return {{"__typename", "WorldTimeResult"}, {"campaignId", id}, {"previousWorldTime", iso(previous)},
              {"currentWorldTime", iso(*to)}, {"affectedEntities", 0},
              {"message", "World time advanced to " + sim::format_world_time(*to)}};
    }
    throw ResolverError("fake campaign API: " + field + " is not implemented", "INTERNAL_SERVER_ERROR", 500);
  }

  static void advance(const std::string& /*campaign*/, Campaign& c, sim::WorldTime to) {
    if (c.world_time && to <= *c.world_time)
      throw bad_request("Cannot advance time to the past. New time must be after current world time");
    c.world_time = to;
  }

  json update(const std::string& field, const json& a, std::string& entity_id) {
    const bool is_settlement = field == "updateSettlement";
    const std::string id = str_arg(a, "id");
    const json& in = arg(a, "input");
    auto apply = [&](auto& entity, const std::string& campaign, const char* what) {
      const std::string branch = str_arg(in, "branchId");
      auto b = campaign_of_branch.find(branch);
      if (b == campaign_of_branch.end() || b->second != campaign)
        throw bad_request("Branch with ID " + branch + " not found or does not belong to this entity's campaign");
      const double want = arg(in, "expectedVersion").get<double>();
      if (want != static_cast<double>(entity.version)) {
        std::string expected = arg(in, "expectedVersion").dump();
        if (expected.size() > 2 && expected.compare(expected.size() - 2, 2, ".0") == 0) expected.resize(expected.size() - 2);
        throw ResolverError(std::string(what) + " was modified by another user. Expected version " + expected +
                                ", but found " + std::to_string(entity.version) + ". Please refresh and try again.",
                            "INTERNAL_SERVER_ERROR", 409);
      }
      if (!arg(in, "level").is_null()) entity.level = arg(in, "level").template get<int>();
      if (!arg(in, "variables").is_null()) entity.variables = arg(in, "variables");
      if (in.contains("worldTime")) entity.last_world_time = in["worldTime"];
      ++entity.version;
      entity.updated_at = wall_now_ms();
      entity_id = id;
    };
    if (is_settlement) {
      auto s = settlements.find(id);
      if (s == settlements.end()) throw not_found("Settlement with ID " + id + " not found");
      apply(s->second, campaign_of_settlement(id), "Settlement");
      if (arg(in, "name").is_string()) s->second.name = in["name"].get<std::string>();
      return settlement_json(s->second);
    }
    auto s = structures.find(id);
    if (s == structures.end()) throw not_found("Structure with ID " + id + " not found");
    apply(s->second, campaign_of_structure(id), "Structure");
    if (arg(in, "type").is_string()) s->second.type = in["type"].get<std::string>();
    return structure_json(s->second);
  }
};

FakeCampaignApi::FakeCampaignApi(std::string token)
    : FakeCampaignApi([&] {
        Options o;
        o.token = std::move(token);
        return o;
      }()) {}

FakeCampaignApi::FakeCampaignApi(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeCampaignApi::~FakeCampaignApi() { stop(); }

void FakeCampaignApi::start() {
  if (impl_->started) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = false;
  }
  impl_->validator.start();  // throws when node or graphql-js is missing
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
  impl_->validator.stop();
  impl_->started = false;
}

int FakeCampaignApi::port() const { return impl_->port; }
std::string FakeCampaignApi::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::string FakeCampaignApi::url() const { return base_url() + "/graphql"; }
const std::string& FakeCampaignApi::token() const { return impl_->options.token; }
const FakeCampaignApi::Options& FakeCampaignApi::options() const { return impl_->options; }

void FakeCampaignApi::add_campaign(const std::string& id, std::optional<sim::WorldTime> world_time,
                                   const std::string& main_branch_id) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->campaigns.count(id)) throw std::invalid_argument("fake API seed: duplicate campaign " + id);
    impl_->campaigns[id].world_time = world_time;
  }
  add_branch(id, main_branch_id.empty() ? "main-" + id : main_branch_id, "Main");
}

void FakeCampaignApi::add_branch(const std::string& campaign_id, const std::string& branch_id, const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto c = impl_->campaigns.find(campaign_id);
  if (c == impl_->campaigns.end()) throw std::invalid_argument("fake API seed: no campaign " + campaign_id);
  if (!impl_->campaign_of_branch.emplace(branch_id, campaign_id).second)
    throw std::invalid_argument("fake API seed: branch " + branch_id + " already belongs to campaign " +
                                impl_->campaign_of_branch[branch_id]);
  impl_->branch_names[branch_id] = name;
  c->second.branches.push_back(branch_id);
}

void FakeCampaignApi::set_world_time(const std::string& campaign_id, std::optional<sim::WorldTime> world_time) {
  std::lock_guard lock(impl_->mutex);
  impl_->campaigns.at(campaign_id).world_time = world_time;
}

void FakeCampaignApi::advance_world_time(const std::string& campaign_id, sim::WorldTime to) {
  std::optional<sim::WorldTime> previous;
  WorldTimeNotifier notifier;
  {
    std::lock_guard lock(impl_->mutex);
    auto c = impl_->campaigns.find(campaign_id);
    if (c == impl_->campaigns.end()) throw std::invalid_argument("fake API: no campaign " + campaign_id);
    previous = c->second.world_time;
    try {
      Impl::advance(campaign_id, c->second, to);
    } catch (const std::exception& e) {
      throw std::invalid_argument(e.what());
    }
    notifier = impl_->notifier;
  }
  if (notifier) notifier(campaign_id, previous, to);  // after the clock moved, as the API notifies
}

void FakeCampaignApi::on_world_time_advanced(WorldTimeNotifier notifier) {
  std::lock_guard lock(impl_->mutex);
  impl_->notifier = std::move(notifier);
}

std::optional<sim::WorldTime> FakeCampaignApi::world_time(const std::string& campaign_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->campaigns.at(campaign_id).world_time;
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
  x.created_at = x.updated_at = seed_time(s, "createdAt", 0);
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
  x.created_at = x.updated_at = seed_time(s, "createdAt", 0);
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
  x.seed = f;
  if (!f.contains("entityId")) {
    // Every effect of the real API hangs on an encounter or an event of its
    // campaign (EffectService.create checks it exists): one of its own here.
    const std::string encounter = "encounter-" + x.id;
    x.seed["entityType"] = "encounter";
    x.seed["entityId"] = encounter;
    impl_->encounters[encounter] = campaign_id;
  }
  if (!x.seed.contains("entityType")) x.seed["entityType"] = "event";
  if (!impl_->effects.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate effect " + x.id);
}

void FakeCampaignApi::add_encounter(const std::string& campaign_id, const std::string& encounter_id) {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->campaigns.count(campaign_id)) throw std::invalid_argument("fake API seed: no campaign " + campaign_id);
  if (!impl_->encounters.emplace(encounter_id, campaign_id).second)
    throw std::invalid_argument("fake API seed: duplicate encounter " + encounter_id);
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

int FakeCampaignApi::event_expiry_calls(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->expiry_calls.find(id);
  return it == impl_->expiry_calls.end() ? 0 : it->second;
}

int FakeCampaignApi::effect_executions(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->effects.at(id).executions.size());
}

json FakeCampaignApi::effect_execution_log(const std::string& id) const {
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

std::size_t FakeCampaignApi::applications(const std::string& key) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->applications_by_key.find(key);
  return it == impl_->applications_by_key.end() ? 0 : it->second;
}

std::vector<std::string> FakeCampaignApi::keys_applied_more_than_once() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> out;
  for (const auto& [key, n] : impl_->applications_by_key)
    if (n > 1) out.push_back(key);
  return out;
}

void FakeCampaignApi::keep_history(bool keep) {
  std::lock_guard lock(impl_->mutex);
  impl_->keep_history = keep;
}

void FakeCampaignApi::on_write(std::function<void(const WriteStamp&)> observer) {
  if (impl_->started) throw std::logic_error("fake API: on_write must be set before start()");
  impl_->observer = std::move(observer);
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

std::size_t FakeCampaignApi::logins() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->login_count;
}

std::size_t FakeCampaignApi::auth_requests(const std::string& route) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->auth_request_count.find(route);
  return it == impl_->auth_request_count.end() ? 0 : it->second;
}

bool FakeCampaignApi::wait_for_auth_requests(const std::string& route, std::size_t n,
                                             std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->auth_changed.wait_for(lock, timeout, [&] {
    auto it = impl_->auth_request_count.find(route);
    return it != impl_->auth_request_count.end() && it->second >= n;
  });
}

void FakeCampaignApi::revoke_refresh_tokens() {
  std::lock_guard lock(impl_->mutex);
  impl_->refresh_tokens.clear();
}

std::vector<std::string> FakeCampaignApi::access_tokens() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->issued_access;
}

void FakeCampaignApi::expire_token(const std::string& access_token) {
  std::lock_guard lock(impl_->mutex);
  auto t = impl_->tokens.find(access_token);
  if (t == impl_->tokens.end()) throw std::invalid_argument("fake API: no such access token");
  t->second.revoked = true;
}


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

void FakeCampaignApi::edit_settlement_after_next_read(const std::string& id, const json& changes) {
  std::lock_guard lock(impl_->mutex);
  impl_->edits_after_read[id] = changes;
}

std::int64_t FakeCampaignApi::edit_settlement_variables(const std::string& id, const json& changes) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->settlements.find(id);
  if (s == impl_->settlements.end()) throw std::invalid_argument("fake API: no settlement " + id);
  for (const auto& [key, value] : changes.items()) s->second.variables[key] = value;
  return ++s->second.version;
}

namespace {

// The variables of an API entity for a SPEC entity's fields: the engine's own
// fields (`engine_keys`) as Hourglass reads them back (messages/api_entity_codec),
// then the entity's `variables` (its rule overrides).
void set_variables_from(json& variables, const json& entity, std::initializer_list<const char*> engine_keys) {
  if (!variables.is_object()) variables = json::object();
  for (const char* k : engine_keys)
    if (entity.contains(k)) variables[k] = entity[k];
  if (entity.contains("variables") && entity["variables"].is_object())
    for (const auto& [k, v] : entity["variables"].items()) variables[k] = v;
}

constexpr std::initializer_list<const char*> kSettlementEngineKeys = {"population", "resources", "carry", "createdAt"};
constexpr std::initializer_list<const char*> kStructureEngineKeys = {"status", "condition", "createdAt",
                                                                     "constructionCompletesAt", "activeSince"};

}  // namespace

void FakeCampaignApi::apply_entity_change(const std::string& campaign_id, const std::string& entity_type,
                                          const std::string& operation, const json& entity) {
  if (operation == "DELETE") return;  // kept: writes of the messages before it may still be on their way
  if (!entity.is_object() || !entity.contains("id") || !entity["id"].is_string())
    throw std::invalid_argument("fake API: apply_entity_change needs an entity with an id");
  const std::string id = entity["id"].get<std::string>();
  const bool create = operation == "CREATE";
  if (!create && operation != "UPDATE") throw std::invalid_argument("fake API: unknown operation " + operation);
  if (entity_type == "Settlement") {
    if (create) {
      std::string kingdom;
      {
        std::lock_guard lock(impl_->mutex);
        const auto& ks = impl_->kingdoms_of_campaign[campaign_id];
        if (ks.empty()) throw std::invalid_argument("fake API: campaign " + campaign_id + " has no kingdom");
        kingdom = ks.front();
      }
      json variables = json::object();
      set_variables_from(variables, entity, kSettlementEngineKeys);
      return add_settlement(kingdom, {{"id", id}, {"name", entity.value("name", id)}, {"level", entity.value("level", 1)},
                                      {"variables", variables}});
    }
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->settlements.find(id);
    if (s == impl_->settlements.end()) return;  // the API would not announce it; nothing to mirror
    if (entity.contains("name") && entity["name"].is_string()) s->second.name = entity["name"];
    if (entity.contains("level") && entity["level"].is_number_integer()) s->second.level = entity["level"];
    set_variables_from(s->second.variables, entity, kSettlementEngineKeys);
    ++s->second.version;
    return;
  }
  if (entity_type == "Structure") {
    if (create) {
      json variables = json::object();
      set_variables_from(variables, entity, kStructureEngineKeys);
      return add_structure({{"id", id}, {"settlementId", entity.value("settlementId", "")},
                            {"type", entity.value("type", "")}, {"level", entity.value("level", 1)},
                            {"variables", variables}});
    }
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->structures.find(id);
    if (s == impl_->structures.end()) return;
    if (entity.contains("settlementId") && entity["settlementId"].is_string() &&
        entity["settlementId"] != s->second.settlement_id) {
      auto& from = impl_->structures_of_settlement[s->second.settlement_id];
      from.erase(std::remove(from.begin(), from.end(), id), from.end());
      s->second.settlement_id = entity["settlementId"];
      impl_->structures_of_settlement[s->second.settlement_id].push_back(id);
    }
    if (entity.contains("type") && entity["type"].is_string()) s->second.type = entity["type"];
    if (entity.contains("level") && entity["level"].is_number_integer()) s->second.level = entity["level"];
    set_variables_from(s->second.variables, entity, kStructureEngineKeys);
    ++s->second.version;
    return;
  }
  if (entity_type == "Event") {
    if (create) return add_event(campaign_id, entity);
    std::lock_guard lock(impl_->mutex);
    auto e = impl_->events.find(id);
    if (e == impl_->events.end()) return;
    if (entity.contains("scheduledAt")) {
      if (entity["scheduledAt"].is_null())
        e->second.scheduled_at.reset();
      else
        e->second.scheduled_at = seed_time(entity, "scheduledAt", 0);
    }
    if (entity.contains("isCompleted") && entity["isCompleted"].is_boolean()) e->second.completed = entity["isCompleted"];
    ++e->second.version;
    return;
  }
  if (entity_type == "Effect" && create) return add_effect(campaign_id, entity);
  // Effect UPDATEs and other kinds: the API keeps nothing Hourglass reads back.
}

void FakeCampaignApi::set_down(bool down) {
  std::lock_guard lock(impl_->mutex);
  impl_->down = down;
}

}  // namespace hourglass::service::testing
