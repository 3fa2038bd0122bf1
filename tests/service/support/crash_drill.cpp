#include "tests/service/support/crash_drill.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "io/redis_connection.hpp"
#include "io/redis_subscriber.hpp"
#include "io/stream_id.hpp"
#include "io/stream_router.hpp"
#include "sim/time.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_cluster.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"
#include "tests/service/support/story_replay.hpp"

namespace hourglass::service::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kToken = "drill-token";
constexpr const char* kInbox = "hourglass:inbox";
constexpr const char* kGroup = "hourglass";

// One message of the story: what goes on the stream, and what the API holds
// once the change it announces was made there.
struct StoryMessage {
  std::string channel;
  std::string payload;  // as XADDed: a JSON text, or the scenario's raw bytes
  std::optional<json> change;  // a valid entityModified's payload, to mirror
};

struct Story {
  json doc;  // the scenario of the story, for the replay
  std::string base_dir;
  std::string rules_file;  // empty: built-in rules
  std::vector<std::string> campaigns;
  std::vector<StoryMessage> messages;
};

json read_json_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("crash drill: cannot read " + p.string());
  return json::parse(in);
}

std::vector<json> read_messages(const json& doc, const fs::path& dir) {
  std::vector<json> out;
  const json& m = doc.at("messages");
  if (m.is_array()) return m.get<std::vector<json>>();
  std::ifstream in(dir / m.get<std::string>());
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

StoryMessage story_message(const json& recorded) {
  StoryMessage m;
  m.channel = recorded.at("channel").get<std::string>();
  const json& payload = recorded.at("payload");
  m.payload = payload.is_string() ? payload.get<std::string>() : payload.dump();
  json parsed = payload.is_string() ? json::parse(payload.get<std::string>(), nullptr, false) : payload;
  if (m.channel.size() > 15 && m.channel.compare(m.channel.size() - 15, 15, ".entityModified") == 0 &&
      parsed.is_object() && parsed.contains("entity") && parsed["entity"].is_object() &&
      parsed.value("campaignId", json()).is_string() && parsed.value("entityType", json()).is_string() &&
      parsed.value("operation", json()).is_string())
    m.change = parsed;
  return m;
}

// Scenario ids are a campaign's own (two campaigns may both have an s2); the
// API's are global. Each entity id becomes "<campaign>-<id>": the same order
// within its campaign, so the story stays the scenario's.
std::string scoped(const std::string& campaign, const json& id) {
  return id.is_string() ? campaign + "-" + id.get<std::string>() : std::string();
}

void scope_entity(const std::string& campaign, json& entity) {
  if (!entity.is_object()) return;
  for (const char* key : {"id", "settlementId"})
    if (entity.contains(key) && entity[key].is_string()) entity[key] = scoped(campaign, entity[key]);
}

void scope_message(json& recorded) {
  json& payload = recorded["payload"];
  if (!payload.is_object() || !payload.value("campaignId", json()).is_string()) return;
  const std::string campaign = payload["campaignId"].get<std::string>();
  if (payload.contains("entityId") && payload["entityId"].is_string())
    payload["entityId"] = scoped(campaign, payload["entityId"]);
  if (payload.contains("entity")) scope_entity(campaign, payload["entity"]);
}

Story make_story(const std::string& path) {
  Story s;
  const fs::path file(path);
  s.base_dir = file.parent_path().string();
  json doc = read_json_file(file);
  if (doc.contains("rules") && doc["rules"].is_string()) s.rules_file = (file.parent_path() / doc["rules"].get<std::string>()).string();
  if (doc.contains("rules") && doc["rules"].is_object()) throw std::runtime_error("crash drill: inline rules are not supported");
  std::vector<json> messages;
  for (json& c : doc.at("campaigns")) {
    const std::string id = c.at("id").get<std::string>();
    s.campaigns.push_back(id);
    for (const char* kind : {"settlements", "structures", "events", "deferredEffects"})
      if (c.contains(kind))
        for (json& e : c[kind]) scope_entity(id, e);
    for (const json& fx : c.value("deferredEffects", json::array()))
      messages.push_back({{"channel", "campaign." + id + ".entityModified"},
                          {"payload",
                           {{"campaignId", id},
                            {"entityType", "Effect"},
                            {"entityId", fx.at("id")},
                            {"operation", "CREATE"},
                            {"entity", fx}}}});
    if (c.value("deferredEffects", json::array()).empty())  // known at its starting clock all the same
      messages.push_back({{"channel", "campaign." + id + ".entityModified"},
                          {"payload",
                           {{"campaignId", id},
                            {"entityType", "Encounter"},
                            {"entityId", "drill-start"},
                            {"operation", "UPDATE"},
                            {"entity", {{"id", "drill-start"}}}}}});
    c["deferredEffects"] = json::array();
  }
  for (json& m : read_messages(doc, file.parent_path())) {
    scope_message(m);
    messages.push_back(std::move(m));
  }
  for (const json& m : messages) s.messages.push_back(story_message(m));
  doc["messages"] = messages;
  s.doc = std::move(doc);
  return s;
}

enum class KillMode { Delay, Write, Effect, Committed };
const char* mode_name(KillMode m) {
  switch (m) {
    case KillMode::Delay: return "delay";
    case KillMode::Write: return "write";
    case KillMode::Effect: return "effect";
    case KillMode::Committed: return "committed";
  }
  return "?";
}

class Drill {
 public:
  explicit Drill(const CrashDrillOptions& o)
      : options_(o), story_(make_story(o.scenario)), rng_(o.seed) {}

  CrashDrillResult run() {
    const ReplayExpectation expected = replay_story(story_.doc, story_.base_dir);
    seed_fake_from(api_, story_.doc);
    api_.keep_history(false);
    api_.on_write([this](const FakeCampaignApi::WriteStamp& w) {
      // Applied, not yet answered: the moment a crash makes a write's fate unknown.
      if ((w.field == "executeEffect" && kill_at_effect_.exchange(false)) || kill_at_write_.exchange(false))
        service_->kill_now();
    });
    api_.start();
    if (options_.compare_records) listen_to_records();
    fs::create_directories(options_.work_dir);
    std::map<std::string, std::string> env{{"REDIS_URL", redis_url()},
                                           {"API_URL", api_.url()},
                                           {"API_TOKEN", kToken},
                                           {"PORT", std::to_string(RedisServer::free_port())},
                                           {"HOURGLASS_INPUT", "stream"},
                                           {"LOG_LEVEL", "info"},
                                           {"HOURGLASS_RESTART_LIMIT", "100"}};
    if (!story_.rules_file.empty()) env["HOURGLASS_RULES"] = story_.rules_file;
    status_port_ = std::stoi(env["PORT"]);
    if (options_.passivate_every > 0) env["HOURGLASS_PASSIVATE_AFTER"] = "20ms";
    service_ = std::make_unique<ServeProcess>(options_.hourglass, env,
                                              (fs::path(options_.work_dir) / "serve.log").string());
    service_->start();

    plan_kills();
    for (std::size_t i = 0; i < story_.messages.size() && result_.failure.empty(); ++i) {
      step(i);
      if (options_.passivate_every > 0 && (i + 1) % static_cast<std::size_t>(options_.passivate_every) == 0 &&
          result_.failure.empty())
        wait_passivated(i);
    }
    finish_effect_kills();
    if (result_.failure.empty()) wait_settled();
    if (result_.failure.empty()) compare(expected);
    if (result_.failure.empty() && options_.compare_records) compare_records(expected);
    service_->kill_and_wait();
    if (records_) records_->stop();
    api_.stop();
    result_.messages = story_.messages.size();
    result_.writes_applied = api_.writes_applied();
    return result_;
  }

 private:
  void plan_kills() {
    const std::size_t n = story_.messages.size();
    std::vector<std::size_t> steps(n);
    for (std::size_t i = 0; i < n; ++i) steps[i] = i;
    std::shuffle(steps.begin(), steps.end(), rng_);
    // Every mode has its turn; the seed picks the steps and the delays.
    for (int k = 0; k < options_.service_kills && static_cast<std::size_t>(k) < n; ++k)
      service_kill_at_[steps[k]] = static_cast<KillMode>(k % 4);
    std::shuffle(steps.begin(), steps.end(), rng_);
    for (int k = 0; k < options_.redis_kills && static_cast<std::size_t>(k) < n; ++k) redis_kill_at_.insert(steps[k]);
  }

  io::RedisConnection& conn() {
    if (!conn_ || conn_->broken()) conn_.emplace(io::RedisConnection::connect(redis_endpoint(), std::chrono::milliseconds(1000)));
    return *conn_;
  }

  // Redis may be restarting: each call is tried until it answers.
  template <class F>
  auto with_redis(F f) -> decltype(f(std::declval<io::RedisConnection&>())) {
    for (;;) {
      try {
        return f(conn());
      } catch (const io::RedisError&) {
        conn_.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Redis coming back up
      }
    }
  }

  bool outboxes_empty() {
    return with_redis([&](io::RedisConnection& c) {
      for (const std::string& id : story_.campaigns)
        if (c.xlen("hourglass:{" + id + "}:outbox") > 0) return false;
      return true;
    });
  }

  // The service has committed message `id` (acknowledged) and written all it
  // committed.
  bool step_done(const std::string& id) {
    const bool acknowledged = with_redis([&](io::RedisConnection& c) {
      // Routed to its partition stream, delivered there, nothing pending.
      return io::stream_input_done_through(c, kInbox, kGroup, 64, id);
    });
    return acknowledged && outboxes_empty();
  }

  // The service is running again if something killed it.
  void keep_alive() {
    if (service_->running()) return;
    service_->start();
  }

  void kill_service(KillMode mode, std::size_t i) {
    spdlog::debug("crash drill: kill {} ({}) at message {}", result_.service_kills + 1, mode_name(mode), i);
    ++result_.service_kills;
  }

  void step(std::size_t i) {
    const StoryMessage& m = story_.messages[i];
    if (m.change) {
      const json& c = *m.change;
      try {
        api_.apply_entity_change(c["campaignId"], c["entityType"], c["operation"], c["entity"]);
      } catch (const std::exception&) {
        // Not a change the API could hold (a bad entity, a duplicate id): the
        // service refuses it too.
      }
    }
    const std::string id = with_redis([&](io::RedisConnection& c) {
      return c.xadd(kInbox, {{"channel", m.channel}, {"payload", m.payload}});
    });
    const auto service_kill = service_kill_at_.find(i);
    std::optional<KillMode> pending;
    if (service_kill != service_kill_at_.end()) {
      pending = service_kill->second;
      switch (*pending) {
        case KillMode::Delay:
          std::this_thread::sleep_for(std::chrono::microseconds(rng_() % 20'000));  // the chosen instant
          service_->kill_now();
          kill_service(*pending, i);
          pending.reset();
          break;
        case KillMode::Write: kill_at_write_ = true; break;
        case KillMode::Effect:  // armed until an effect runs, in this step or a later one
          kill_at_effect_ = true;
          ++effect_kills_armed_;
          pending.reset();
          break;
        case KillMode::Committed: break;
      }
    }
    if (redis_kill_at_.count(i)) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng_() % 20'000));
      if (cluster_) {
        const int master = static_cast<int>(rng_() % static_cast<std::uint64_t>(cluster_->size()));
        cluster_->kill(master);
        conn_.reset();
        cluster_->restart(master);  // back with its AOF; waits for cluster_state:ok
      } else {
        redis_->kill();
        conn_.reset();
        redis_->restart();
      }
      ++result_.redis_kills;
    }
    const auto deadline = Clock::now() + options_.step_timeout;
    for (;;) {
      if (pending == KillMode::Committed && !outboxes_empty()) {
        service_->kill_now();
        kill_service(*pending, i);
        pending.reset();
      }
      if (pending == KillMode::Write && !kill_at_write_) {
        kill_service(*pending, i);  // the fake's observer killed it
        pending.reset();
      }
      if (effect_kills_armed_ > 0 && !kill_at_effect_) {
        --effect_kills_armed_;
        kill_service(KillMode::Effect, i);  // at an effect's execution, before its answer
        if (effect_kills_armed_ > 0) kill_at_effect_ = true;
      }
      keep_alive();
      if (step_done(id)) break;
      if (Clock::now() > deadline) {
        result_.failure = "message " + std::to_string(i) + " (" + m.channel + ") not committed and written within " +
                          std::to_string(options_.step_timeout.count()) + " s; the service's log ends:\n" +
                          service_->log_tail();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling the service's progress
    }
    if (pending) {  // its moment never came in this step: at its end instead
      kill_at_write_ = false;
      service_->kill_now();
      kill_service(*pending, i);
    }
  }

  // Effect kills whose moment never came (no effect ran after them): at the
  // end, so that each planned kill happens.
  void finish_effect_kills() {
    kill_at_effect_ = false;
    for (; effect_kills_armed_ > 0; --effect_kills_armed_) {
      service_->kill_now();
      kill_service(KillMode::Effect, story_.messages.size());
      while (service_->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // reaping
      service_->start();
    }
  }

  // After the last kill: everything committed is written.
  void wait_settled() {
    const auto deadline = Clock::now() + options_.step_timeout;
    while (!outboxes_empty()) {
      keep_alive();
      if (Clock::now() > deadline) {
        result_.failure = "outboxes not empty " + std::to_string(options_.step_timeout.count()) +
                          " s after the last message; the service's log ends:\n" + service_->log_tail();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling the service's progress
    }
  }

  // Every record the service publishes, by campaign, in order; a sentinel
  // published by the drill after the last step arrives after them all
  // (Redis delivers in the order it runs PUBLISH).
  void listen_to_records() {
    io::RedisSubscriberOptions o;
    o.endpoint = redis_endpoint();
    o.patterns = {"campaign.*.simulation"};
    io::RedisSubscriberCallbacks cb;
    cb.on_message = [this](std::string channel, std::string payload) {
      std::lock_guard<std::mutex> lock(records_mutex_);
      const std::string id = channel.substr(9, channel.size() - 9 - 11);  // campaign.<id>.simulation
      if (id == "drill-sentinel") {
        sentinel_seen_ = true;
        records_cv_.notify_all();
        return;
      }
      published_[id] += payload + "\n";
    };
    cb.on_connected = [this](bool) {
      std::lock_guard<std::mutex> lock(records_mutex_);
      subscribed_ = true;
      records_cv_.notify_all();
    };
    cb.on_disconnected = [](std::string) {};
    cb.on_connect_failed = [](std::string, std::chrono::milliseconds) {};
    records_ = std::make_unique<io::RedisSubscriber>(o, cb);
    records_->start();
    std::unique_lock<std::mutex> lock(records_mutex_);
    if (!records_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return subscribed_; }))
      throw std::runtime_error("crash drill: cannot subscribe to campaign.*.simulation");
  }

  void compare_records(const ReplayExpectation& expected) {
    with_redis([&](io::RedisConnection& c) { return c.publish("campaign.drill-sentinel.simulation", "end"); });
    std::unique_lock<std::mutex> lock(records_mutex_);
    if (!records_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return sentinel_seen_; })) {
      result_.failure = "the drill's sentinel never came back on campaign.*.simulation";
      return;
    }
    for (const std::string& id : story_.campaigns) {
      const auto want = expected.records.find(id);
      const std::string& w = want == expected.records.end() ? std::string() : want->second;
      const std::string& got = published_[id];
      result_.records_compared += static_cast<std::size_t>(std::count(w.begin(), w.end(), '\n'));
      if (got == w) continue;
      std::size_t at = 0;
      while (at < w.size() && at < got.size() && w[at] == got[at]) ++at;
      const std::size_t line = static_cast<std::size_t>(std::count(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
      result_.lost.push_back("campaign " + id + ": published records differ from the replay's at line " +
                             std::to_string(line) + " (replay " + std::to_string(w.size()) + " bytes, published " +
                             std::to_string(got.size()) + ")");
    }
  }

  // The service's hourglass_campaigns gauge: campaigns in memory.
  std::optional<double> campaigns_in_memory() {
    httplib::Client client("127.0.0.1", status_port_);
    client.set_connection_timeout(1);
    auto res = client.Get("/metrics");
    if (!res || res->status != 200) return std::nullopt;
    std::istringstream in(res->body);
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("hourglass_campaigns ", 0) == 0) return std::stod(line.substr(20));
    return std::nullopt;
  }

  // Until every campaign is passivated.
  void wait_passivated(std::size_t i) {
    const auto deadline = Clock::now() + options_.step_timeout;
    for (;;) {
      keep_alive();
      const auto n = campaigns_in_memory();
      if (n && *n == 0) {
        ++result_.passivations;
        return;
      }
      if (Clock::now() > deadline) {
        result_.failure = "campaigns still in memory " + std::to_string(options_.step_timeout.count()) +
                          " s after message " + std::to_string(i) + "; the service's log ends:\n" + service_->log_tail();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling the service's progress
    }
  }

  void compare(const ReplayExpectation& expected) {
    auto lost = [&](std::string what) { result_.lost.push_back(std::move(what)); };
    std::set<std::string> effects;
    for (const StoryMessage& m : story_.messages)
      if (m.change && (*m.change)["entityType"] == "Effect" && (*m.change)["operation"] == "CREATE")
        effects.insert((*m.change)["entity"]["id"].get<std::string>());
    ReplayDifferences d = compare_with_replay(api_, expected, effects);
    result_.entities_checked = d.entities_checked;
    result_.effects_checked = d.effects_checked;
    for (auto& l : d.lost) lost(std::move(l));
    for (auto& x : d.doubled) result_.doubled.push_back(std::move(x));
    with_redis([&](io::RedisConnection& c) {
      for (const auto& e : c.xrange("hourglass:gateway:deadletter"))
        for (const auto& [k, v] : e.fields)
          if (k == "write") lost("dead-lettered write: " + v);
      return 0;
    });
  }

  const CrashDrillOptions options_;
  Story story_;
  std::mt19937_64 rng_;
  // One redis-server, or a cluster (options_.cluster): the other is null.
  std::unique_ptr<RedisServer> redis_ =
      options_.cluster ? nullptr
                       : std::make_unique<RedisServer>("", std::vector<std::string>{"--appendonly", "yes",
                                                                                    "--appendfsync", "always"});
  std::unique_ptr<RedisCluster> cluster_ = options_.cluster ? std::make_unique<RedisCluster>() : nullptr;
  std::string redis_url() const { return cluster_ ? cluster_->url() : redis_->url(); }
  io::RedisEndpoint redis_endpoint() const { return cluster_ ? cluster_->endpoint() : redis_->endpoint(); }
  FakeCampaignApi api_{kToken};
  std::unique_ptr<ServeProcess> service_;
  std::optional<io::RedisConnection> conn_;
  std::atomic<bool> kill_at_write_{false};   // kill at the next write the fake applies
  std::atomic<bool> kill_at_effect_{false};  // kill at the next effect the fake executes
  int effect_kills_armed_ = 0;               // effect kills waiting for an effect to run
  std::map<std::size_t, KillMode> service_kill_at_;
  std::set<std::size_t> redis_kill_at_;
  CrashDrillResult result_;
  int status_port_ = 0;
  std::unique_ptr<io::RedisSubscriber> records_;
  std::mutex records_mutex_;
  std::condition_variable records_cv_;
  bool subscribed_ = false;
  bool sentinel_seen_ = false;
  std::map<std::string, std::string> published_;  // campaign id -> record lines
};

}  // namespace

CrashDrillResult run_crash_drill(const CrashDrillOptions& options) {
  try {
    return Drill(options).run();
  } catch (const std::exception& e) {
    CrashDrillResult r;
    r.failure = std::string("crash drill: ") + e.what();
    return r;
  }
}

}  // namespace hourglass::service::testing
