// Readiness for a rolling update (docs/operations.md, Health and metrics and
// Deployment), with two real `hourglass serve` on one redis-server and the
// HTTP fake of the campaign API, polled over HTTP:
//   - a second instance becomes ready (GET /ready 200) while it holds no
//     partition next to a first one holding all 64: it can take work, and
//     a rollout must see it ready to go on and stop the old pod;
//   - /health's ownership component names each instance, what it holds and
//     the live members;
//   - the SIGTERMed instance says not ready (503, "stopping") for as long
//     as it hands its partitions over (held here by writes the API, away,
//     cannot take), while the other stays ready and ends with every partition.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "io/redis_connection.hpp"
#include "sim/time.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"
#include "tests/service/support/status_scrape.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;
using nlohmann::json;
using service::testing::FakeCampaignApi;
using service::testing::RedisServer;
using service::testing::ServeProcess;
namespace fs = std::filesystem;

constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kDay = 24 * 3'600'000;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// One GET: its status (0 when nothing answered) and its JSON body (null
// when it had none).
struct Answer {
  int status = 0;
  json body;
};
Answer get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(3);
  auto res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, json::parse(res->body, nullptr, false)};
}

std::string metrics(int port) { return service::testing::scrape_metrics(port); }
double metric(const std::string& text, const std::string& name) {
  return service::testing::unlabelled_metric(text, name);
}

template <class Done>
bool wait_for(Done done, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);  // polling HTTP and Redis with a deadline
  }
  return true;
}

class Pair {
 public:
  Pair() : dir_(fs::temp_directory_path() / ("hourglass-ready-" + std::to_string(::getpid()))) {
    api_.start();
    api_.add_campaign("c1", kT0);
    api_.add_kingdom("c1", "k1");
    api_.add_settlement("k1", {{"id", "s1"}, {"name", "s1"}, {"level", 1}, {"createdAt", iso(kT0)},
                               {"variables", {{"population", 800}, {"resources", {{"food", 40}, {"gold", 10}}}}}});
    fs::create_directories(dir_);
  }
  ~Pair() {
    for (auto& s : serves_) s->kill_and_wait();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Returns the instance and its status port.
  std::pair<ServeProcess*, int> start(const std::string& name) {
    const int port = RedisServer::free_port();
    const std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},
                                                 {"API_URL", api_.url()},
                                                 {"API_TOKEN", "secret-token"},
                                                 {"PORT", std::to_string(port)},
                                                 {"HOURGLASS_INPUT", "channels"},
                                                 {"HOURGLASS_LEASE_TTL_MS", "3000"},
                                                 {"HOURGLASS_DRAIN_TIMEOUT_S", "4"},
                                                 {"LOG_LEVEL", "info"},
                                                 {"LOG_FORMAT", "text"}};
    serves_.push_back(std::make_unique<ServeProcess>(HOURGLASS_BINARY, env, (dir_ / (name + ".log")).string()));
    serves_.back()->start();
    return {serves_.back().get(), port};
  }
  io::RedisConnection redis() { return io::RedisConnection::connect(redis_.endpoint(), 2000ms); }
  FakeCampaignApi& api() { return api_; }
  void api_advance(sim::WorldTime from, sim::WorldTime to) {
    api_.set_world_time("c1", to);
    redis().publish("campaign.c1.worldTimeAdvanced",
                    json{{"campaignId", "c1"}, {"previousTime", iso(from)}, {"newTime", iso(to)}}.dump());
  }

 private:
  fs::path dir_;
  RedisServer redis_;
  FakeCampaignApi api_{"secret-token"};
  std::vector<std::unique_ptr<ServeProcess>> serves_;
};

}  // namespace

TEST_CASE("serve: readiness for a rolling update - a newcomer holding no partition is ready, a SIGTERMed instance "
          "is not while it hands over",
          "[service][serve][partitions][readiness][process]") {
  Pair w;
  auto [a, a_port] = w.start("a");
  Answer ready_a;
  REQUIRE(wait_for([&] { return (ready_a = get(a_port, "/ready")).status == 200; }, 20s));
  INFO(ready_a.body.dump());
  CHECK(ready_a.body["ready"] == true);
  CHECK(ready_a.body["owned"] == 64);
  // c1 known to a (bootstrapped from the API, committed, sent).
  w.api_advance(kT0, kT0 + kDay);
  REQUIRE(wait_for([&] { return w.redis().get("hourglass:{c1}:checkpoint") &&
                                w.redis().xlen("hourglass:{c1}:outbox") == 0; }, 30s));

  // The newcomer: ready while the first still holds every partition (before
  // the rebalance hands it any: the first answer that says ready).
  auto [b, b_port] = w.start("b");
  Answer ready_b;
  REQUIRE(wait_for([&] { return (ready_b = get(b_port, "/ready")).status == 200; }, 20s));
  INFO(ready_b.body.dump() << "\n" << b->log_tail(3000));
  CHECK(ready_b.body["ready"] == true);
  CHECK(ready_b.body["owned"] == 0);
  CHECK(ready_b.body["members"] == 2);

  // /health names each one's share: the instance, its partitions (count and
  // compact list), the live members, its lease rounds.
  REQUIRE(wait_for([&] { return get(b_port, "/health").body["components"]["ownership"]["members"] == 2; }, 10s));
  const json own_b = get(b_port, "/health").body["components"]["ownership"];
  INFO(own_b.dump());
  CHECK(own_b["status"] == "ok");
  CHECK(own_b["partitions"] == 64);
  CHECK(own_b["instance"].get<std::string>().find('-') != std::string::npos);
  CHECK(own_b["renewals"]["ok"].get<int>() >= 1);
  CHECK(own_b["renewals"]["failed"] == 0);
  // The same in the metrics.
  const std::string b_metrics = metrics(b_port);
  INFO(b_metrics);
  CHECK(b_metrics.find("\nhourglass_live_members 2\n") != std::string::npos);
  CHECK(b_metrics.find("\nhourglass_lease_rounds_total{outcome=\"ok\"} ") != std::string::npos);
  const json own_a = get(a_port, "/health").body["components"]["ownership"];
  CHECK(own_a["instance"] != own_b["instance"]);
  CHECK(own_a["owned"].get<int>() + own_b["owned"].get<int>() <= 64);
  CHECK(own_a["owned_list"].is_string());

  // c1's writes, committed while the API is away, hold c1's partition's
  // handoff at a (its outbox must be sent first), so a's handover lasts.
  w.api().set_down(true);
  w.api_advance(kT0 + kDay, kT0 + 2 * kDay);
  REQUIRE(wait_for([&] { return w.redis().xlen("hourglass:{c1}:outbox") > 0; }, 30s));

  a->signal(SIGTERM);
  Answer draining;
  REQUIRE(wait_for([&] { return (draining = get(a_port, "/ready")).status == 503; }, 10s));
  INFO(draining.body.dump());
  CHECK(draining.body["ready"] == false);
  CHECK(draining.body["why"].get<std::string>().find("stopping") != std::string::npos);
  // Still handing over: still served, the partition not yet given back.
  CHECK(a->running());
  // (As of its lease keeper's next round: a third of the ttl at most.)
  json own_draining;
  CHECK(wait_for([&] {
    own_draining = get(a_port, "/health").body["components"]["ownership"];
    return own_draining["handoffs_in_progress"] >= 1;
  }, 5s));
  INFO(own_draining.dump());
  CHECK(own_draining["ready"] == false);
  CHECK(get(a_port, "/ready").status == 503);
  CHECK(metric(metrics(a_port), "hourglass_partition_handoffs_in_progress") >= 1);
  CHECK(get(b_port, "/ready").status == 200);  // the other stays ready throughout

  w.api().set_down(false);
  REQUIRE(a->wait_exit(60s));
  REQUIRE(wait_for([&] { return get(b_port, "/ready").body["owned"] == 64; }, 30s));
  CHECK(wait_for([&] { return w.redis().xlen("hourglass:{c1}:outbox") == 0; }, 30s));
  CHECK(b->running());
}
