#include "tests/service/support/fake_campaign_api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "runtime/service/api_operations.hpp"

namespace hourglass::service::testing {

using nlohmann::json;

namespace {

// ---- a minimal HTTP/1.1 server ----------------------------------------------

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class MiniHttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  explicit MiniHttpServer(Handler handler) : handler_(std::move(handler)) {}
  ~MiniHttpServer() { stop(); }

  // Binds 127.0.0.1 on a free port (port 0: the kernel picks) and serves.
  int start() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("fake API: socket() failed");
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      throw std::runtime_error("fake API: cannot bind/listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
    return port_;
  }

  void stop() {
    if (listen_fd_ < 0) return;
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (acceptor_.joinable()) acceptor_.join();
    ::close(listen_fd_);
    listen_fd_ = -1;
    std::list<std::unique_ptr<Conn>> conns;
    {
      std::lock_guard lock(mutex_);
      for (auto& c : conns_)
        if (!c->closed) ::shutdown(c->fd, SHUT_RDWR);  // wakes recv()
      conns.swap(conns_);
    }
    for (auto& c : conns)
      if (c->thread.joinable()) c->thread.join();
  }

  std::size_t connections() const { return accepted_; }

 private:
  struct Conn {
    int fd = -1;
    bool closed = false;  // guarded by mutex_
    std::thread thread;
  };

  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR && !stopping_) continue;
        return;
      }
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++accepted_;
      auto conn = std::make_unique<Conn>();
      conn->fd = fd;
      Conn* c = conn.get();
      conns_.push_back(std::move(conn));
      c->thread = std::thread([this, c] { serve(c); });
    }
  }

  static bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  static const char* reason(int status) {
    switch (status) {
      case 100: return "Continue";
      case 200: return "OK";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 404: return "Not Found";
      case 413: return "Payload Too Large";
      case 500: return "Internal Server Error";
      case 501: return "Not Implemented";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  // Reads one request from `fd` (bytes past it stay in `buffer`).
  static std::optional<HttpRequest> read_request(int fd, std::string& buffer, bool& bad) {
    constexpr std::size_t kMaxHead = 64 * 1024, kMaxBody = 8 * 1024 * 1024;
    char chunk[16 * 1024];
    auto fill = [&]() {
      for (;;) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
    };
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > kMaxHead || !fill()) return std::nullopt;
    }
    HttpRequest req;
    const std::string head = buffer.substr(0, head_end);
    buffer.erase(0, head_end + 4);
    std::size_t pos = head.find("\r\n");
    const std::string request_line = head.substr(0, pos);
    const std::size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) {
      bad = true;
      return std::nullopt;
    }
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (pos != std::string::npos) {
      const std::size_t start = pos + 2;
      pos = head.find("\r\n", start);
      const std::string line = head.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      req.headers[name] = value;
    }
    if (req.headers.count("transfer-encoding")) {
      bad = true;
      return std::nullopt;
    }
    std::size_t length = 0;
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
      try {
        length = std::stoul(it->second);
      } catch (...) {
        bad = true;
        return std::nullopt;
      }
    }
    if (length > kMaxBody) {
      bad = true;
      return std::nullopt;
    }
    if (auto it = req.headers.find("expect"); it != req.headers.end() && it->second == "100-continue")
      send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    while (buffer.size() < length)
      if (!fill()) return std::nullopt;
    req.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return req;
  }

  void serve(Conn* c) {
    std::string buffer;
    for (;;) {
      bool bad = false;
      std::optional<HttpRequest> req = read_request(c->fd, buffer, bad);
      if (!req) {
        if (bad) send_all(c->fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        break;
      }
      HttpReply reply;
      try {
        reply = handler_(*req);
      } catch (const std::exception& e) {
        reply = HttpReply{500, std::string("fake API handler threw: ") + e.what(), "text/plain"};
      }
      const auto conn = req->headers.find("connection");
      const bool keep_alive = !(conn != req->headers.end() && conn->second == "close") && !stopping_;
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                        "\r\nContent-Type: " + reply.content_type +
                        "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                        (keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n") +
                        reply.body;
      if (!send_all(c->fd, out) || !keep_alive) break;
    }
    std::lock_guard lock(mutex_);
    ::close(c->fd);
    c->closed = true;
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::list<std::unique_ptr<Conn>> conns_;
};

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
  struct Kingdom {
    std::string campaign_id;
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

  explicit Impl(std::string t) : token(std::move(t)), server([this](const HttpRequest& r) { return handle(r); }) {}

  const std::string token;
  MiniHttpServer server;
  int port = 0;
  bool started = false;

  mutable std::mutex mutex;
  std::condition_variable wake;  // delayed replies wait on it
  std::condition_variable written;  // wait_for_writes waits on it
  bool stopping = false;

  // Insertion-ordered stores (a vector of ids beside each map keeps the
  // order in which lists come back).
  std::map<std::string, Campaign> campaigns;
  std::vector<std::pair<std::string, Kingdom>> kingdoms;
  std::map<std::string, Settlement> settlements;
  std::vector<std::string> settlement_order;
  std::map<std::string, Structure> structures;
  std::vector<std::string> structure_order;
  std::map<std::string, Event> events;
  std::vector<std::string> event_order;
  std::map<std::string, Effect> effects;
  std::vector<std::string> effect_order;
  DateForm date_form = DateForm::Iso;

  std::vector<AppliedWrite> applied;
  std::map<std::string, json> replies_by_key;  // applied writes only
  std::vector<std::string> duplicates;
  std::vector<std::string> operations;
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

  HttpReply reply(const json& body, int status = 200) { return HttpReply{status, body.dump()}; }

  // Waits `d` or until stop(), without holding the store.
  void sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return stopping; });
  }

  HttpReply handle(const HttpRequest& req) {
    std::chrono::milliseconds wait{0};
    HttpReply out = handle_locked(req, wait);
    if (wait.count() > 0) sleep_for(wait);
    return out;
  }

  HttpReply handle_locked(const HttpRequest& req, std::chrono::milliseconds& wait) {
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
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || auth->second != "Bearer " + token)
      return reply(errors_body("Unauthorized", "UNAUTHENTICATED"), 401);

    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("query") || !body["query"].is_string())
      return reply(errors_body("Must provide query string.", "BAD_REQUEST"), 400);
    const json* name = body.contains("operationName") ? &body["operationName"] : nullptr;
    if (!name || !name->is_string()) return reply(errors_body("operationName is required", "BAD_REQUEST"), 400);
    operations.push_back(name->get<std::string>());
    const api_ops::Operation* op = nullptr;
    for (const api_ops::Operation* o : api_ops::kAll)
      if (o->name == name->get_ref<const std::string&>()) op = o;
    if (!op) return reply(errors_body("Unknown operation \"" + name->get<std::string>() + "\"", "GRAPHQL_VALIDATION_FAILED"), 400);
    const std::string& query = body["query"].get_ref<const std::string&>();
    if (query.find(std::string(op->field) + "(") == std::string::npos)
      return reply(errors_body("query does not select " + std::string(op->field), "GRAPHQL_VALIDATION_FAILED"), 400);
    const json variables = body.contains("variables") && body["variables"].is_object() ? body["variables"] : json::object();

    if (raw_n > 0) {
      --raw_n;
      return HttpReply{200, raw_body};
    }
    if (graphql_error_n > 0) {
      --graphql_error_n;
      return reply(errors_body(graphql_error_message, "INTERNAL_SERVER_ERROR"));
    }

    std::string key;
    if (auto k = req.headers.find("idempotency-key"); k != req.headers.end()) key = k->second;
    if (op->write && !key.empty()) {
      if (auto seen = replies_by_key.find(key); seen != replies_by_key.end()) {
        duplicates.push_back(key);
        return reply(seen->second);
      }
    }

    try {
      std::string entity_id;
      json result = run(*op, variables, entity_id);
      json out = data(op->field, std::move(result));
      if (op->write) {
        applied.push_back(AppliedWrite{std::string(op->name), key, entity_id, variables});
        written.notify_all();
        if (!key.empty()) replies_by_key[key] = out;
      }
      return reply(out);
    } catch (const ValidationError& e) {
      return reply(errors_body(e.what(), "BAD_USER_INPUT"), 400);
    } catch (const ResolverError& e) {
      return reply(errors_body(e.what(), e.code));
    } catch (const NotApplied& n) {
      return reply(data(op->field, n.result));
    }
  }

  // Runs one operation against the store; throws to refuse. `entity_id` is
  // set for writes that apply.
  json run(const api_ops::Operation& op, const json& v, std::string& entity_id) {
    using namespace api_ops;
    if (&op == &kGetCurrentWorldTime) {
      const std::string id = need_id(v, "campaignId");
      auto c = campaigns.find(id);
      if (c == campaigns.end()) throw ResolverError("Campaign with ID " + id + " not found", "NOT_FOUND");
      return date(c->second.world_time);
    }
    if (&op == &kKingdomsByCampaign) {
      const std::string id = need_id(v, "campaignId");
      json out = json::array();
      for (const auto& [kid, k] : kingdoms)
        if (k.campaign_id == id) out.push_back({{"id", kid}});
      return out;
    }
    if (&op == &kSettlementsByKingdom) {
      const std::string id = need_id(v, "kingdomId");
      json out = json::array();
      for (const std::string& sid : settlement_order) {
        const Settlement& s = settlements.at(sid);
        if (s.kingdom_id == id)
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
      for (const std::string& sid : structure_order) {
        const Structure& s = structures.at(sid);
        if (s.settlement_id == id)
          out.push_back({{"id", s.id}, {"settlementId", s.settlement_id}, {"type", s.type}, {"level", s.level},
                         {"variables", s.variables}, {"version", s.version}, {"createdAt", date(s.created_at)}});
      }
      return out;
    }
    if (&op == &kEventsByCampaign) {
      const std::string id = need_id(v, "campaignId");
      json out = json::array();
      for (const std::string& eid : event_order) {
        const Event& e = events.at(eid);
        if (e.campaign_id == id)
          out.push_back({{"id", e.id}, {"scheduledAt", date(e.scheduled_at)}, {"isCompleted", e.completed}});
      }
      return out;
    }
    if (&op == &kDeferredEffectsByCampaign) {
      const std::string id = need_id(v, "campaignId");
      json out = json::array();
      for (const std::string& fid : effect_order) {
        const Effect& f = effects.at(fid);
        if (f.campaign_id == id) out.push_back({{"id", f.id}, {"executeAt", date(f.execute_at)}});
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
  impl_->kingdoms.emplace_back(kingdom_id, Impl::Kingdom{campaign_id});
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
  impl_->settlement_order.push_back(x.id);
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
  impl_->structure_order.push_back(x.id);
}

void FakeCampaignApi::add_event(const std::string& campaign_id, const json& e) {
  std::lock_guard lock(impl_->mutex);
  Impl::Event x;
  x.id = e.at("id").get<std::string>();
  x.campaign_id = campaign_id;
  if (e.contains("scheduledAt") && !e["scheduledAt"].is_null()) x.scheduled_at = seed_time(e, "scheduledAt", 0);
  x.completed = e.value("isCompleted", false);
  if (!impl_->events.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate event " + x.id);
  impl_->event_order.push_back(x.id);
}

void FakeCampaignApi::add_effect(const std::string& campaign_id, const json& f) {
  std::lock_guard lock(impl_->mutex);
  Impl::Effect x;
  x.id = f.at("id").get<std::string>();
  x.campaign_id = campaign_id;
  x.execute_at = seed_time(f, "executeAt", 0);
  if (!impl_->effects.emplace(x.id, x).second) throw std::invalid_argument("fake API seed: duplicate effect " + x.id);
  impl_->effect_order.push_back(x.id);
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
  return impl_->written.wait_for(lock, timeout, [&] { return impl_->applied.size() >= n; });
}

std::vector<FakeCampaignApi::AppliedWrite> FakeCampaignApi::applied_writes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->applied;
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
