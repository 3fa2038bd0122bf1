// What untrusted input can grow through the bridge is bounded: the metric
// series (channel names never become label values) and the dead-letter
// streams (capped, what is trimmed counted). The real bridge actor, a real
// redis-server, the real Prometheus telemetry rendered as /metrics renders it.
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <set>
#include <sstream>

#include "actors/errors.hpp"
#include "actors/service/bridge_actor.hpp"
#include "io/redis_connection.hpp"
#include "runtime/service/prometheus_telemetry.hpp"
#include "tests/service/support/redis_server.hpp"

namespace {

using namespace std::chrono_literals;
using namespace hourglass;

struct BridgeRig {
  service::testing::RedisServer redis;
  service::Registry metrics;
  service::PrometheusTelemetry telemetry{metrics};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  actors::bridge_actor bridge;
  std::size_t acknowledged = 0;

  BridgeRig() {
    spdlog::set_level(spdlog::level::off);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    actors::add_error_rendering(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    actors::BridgeOptions o;
    o.redis = redis.endpoint();
    o.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
    o.telemetry = &telemetry;
    o.acknowledge = [this](const std::string&) { ++acknowledged; };  // the bridge's own thread only
    bridge = system->spawn<caf::detached>(actors::bridge, o);
  }
  ~BridgeRig() { caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown); }

  // Returns once the bridge has handled everything sent before (its mailbox
  // is in order) and written every dead letter.
  std::size_t flush() {
    caf::scoped_actor self{*system};
    std::size_t waiting = 1;
    self->request(bridge, caf::infinite, actors::flush_dead_letters_atom::value)
        .receive([&](std::size_t n) { waiting = n; }, [](caf::error&) {});
    return waiting;
  }

  // The label sets of one metric family as rendered.
  std::set<std::string> series(const std::string& family) const {
    std::set<std::string> out;
    std::istringstream in(metrics.render());
    for (std::string line; std::getline(in, line);)
      if (line.rfind(family + "{", 0) == 0) out.insert(line.substr(0, line.rfind(' ')));
    return out;
  }
  double value(const std::string& sample) const {
    std::istringstream in(metrics.render());
    for (std::string line; std::getline(in, line);)
      if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
    return 0;
  }
};

}  // namespace

TEST_CASE("bridge: channel names from input never become metric labels", "[service][bridge][integration]") {
  BridgeRig rig;
  constexpr int kNames = 300;
  for (int i = 0; i < kNames; ++i) {
    const std::string n = std::to_string(i);
    // pub/sub: a channel the pattern campaign.* lets through, of no kind the SPEC has
    caf::anon_send(rig.bridge, actors::inbound_atom::value, "campaign.c" + n + ".bogus" + n, std::string("{}"));
    // the stream input: any channel a producer writes in an entry
    caf::anon_send(rig.bridge, actors::inbound_atom::value, "campaign.c" + n + ".x" + n, std::string("{}"),
                   "1-" + n);
    caf::anon_send(rig.bridge, actors::inbound_atom::value, "elsewhere." + n, std::string("{}"), "2-" + n);
    // a bad message on a channel of a known kind
    caf::anon_send(rig.bridge, actors::inbound_atom::value, "campaign.c" + n + ".worldTimeAdvanced",
                   std::string("not json"));
  }
  REQUIRE(rig.flush() == 0);
  CHECK(rig.acknowledged == 2 * kNames);  // every refused stream entry is acknowledged
  const std::set<std::string> expected{
      R"(hourglass_messages_total{channel="other",outcome="refused"})",
      R"(hourglass_messages_total{channel="stream",outcome="refused"})",
      R"(hourglass_messages_total{channel="worldTimeAdvanced",outcome="refused"})"};
  CHECK(rig.series("hourglass_messages_total") == expected);
  CHECK(rig.value(R"(hourglass_messages_total{channel="other",outcome="refused"})") == 2 * kNames);
  CHECK(rig.value(R"(hourglass_dead_letters_total{queue="input"})") == 4 * kNames);

  // Whatever a caller passes, the telemetry keeps to the documented set.
  rig.telemetry.message("campaign.c1.anything", "refused");
  CHECK(rig.series("hourglass_messages_total") == expected);
}

TEST_CASE("bridge: both dead-letter streams stay at their cap, what is trimmed is counted",
          "[service][bridge][integration]") {
  BridgeRig rig;
  // The default cap, 10,000, and a little more than one stream node over it
  // (approximate trimming removes whole nodes of 100).
  constexpr std::size_t kCap = 10'000;  // BridgeOptions::dead_letter_max, HOURGLASS_DEAD_LETTER_MAX's default
  constexpr std::size_t kSlack = 100;
  constexpr std::size_t kSent = kCap + 3 * kSlack;
  for (std::size_t i = 0; i < kSent; ++i) {
    caf::anon_send(rig.bridge, actors::dead_letter_atom::value, std::string("not handled"),
                   "campaign.c1.worldTimeAdvanced", std::to_string(i));
    caf::anon_send(rig.bridge, actors::gw_dead_letter_atom::value, std::string("{\"n\":") + std::to_string(i) + "}",
                   std::string("c1"), std::string("1-") + std::to_string(i));
  }
  REQUIRE(rig.flush() == 0);
  auto r = io::RedisConnection::connect(rig.redis.endpoint(), 2000ms);
  for (const auto& [stream, queue] : {std::pair{actors::kDeadLetterStream, "input"},
                                      std::pair{actors::kGatewayDeadLetterStream, "gateway"}}) {
    INFO(stream);
    const std::size_t length = r.xlen(stream);
    CHECK(length >= kCap);
    CHECK(length <= kCap + kSlack);
    const double trimmed = rig.value(std::string("hourglass_dead_letters_trimmed_total{queue=\"") + queue + "\"}");
    CHECK(length + trimmed == kSent);  // each one is in the stream or counted as trimmed
  }
  // The oldest went first: the newest is still there.
  const auto input = r.xrange(actors::kDeadLetterStream, "-", "+");
  REQUIRE_FALSE(input.empty());
  CHECK(input.back().fields.at(2).second == std::to_string(kSent - 1));  // the payload of the last one sent
  CHECK(input.front().fields.at(2).second != "0");
}
