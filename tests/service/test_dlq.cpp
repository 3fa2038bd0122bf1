// `hourglass dlq list|retry` against a real redis-server (started on a free
// port) and the fake campaign API: the dead_letters unit, one dead letter
// made by the real gateway and bridge actors, and the command in-process.
// No mocks and no sleeps. "Applied once" is checked on the fake's record of
// applied writes AND on keys_applied_more_than_once() (the API, and the fake,
// ignore the Idempotency-Key: a second send of a key is applied again and
// counted, so an empty list proves there was none).
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include <map>
#include <sstream>
#include <thread>

#include "actors/errors.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/gateway_actor.hpp"
#include "runtime/cli_dlq.hpp"
#include "runtime/serve_app.hpp"
#include "io/checkpoint_store.hpp"
#include "io/dead_letters.hpp"
#include "io/input_dead_letters.hpp"
#include "io/write_executor.hpp"
#include "messages/record_reader.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_test_config.hpp"

namespace {

using namespace std::chrono_literals;
using hourglass::actors::kGatewayDeadLetterStream;
using hourglass::io::CampaignApi;
using hourglass::io::CampaignApiConfig;
using hourglass::io::DeadLetter;
using hourglass::io::EntityWrite;
using hourglass::io::RedisConnection;
using hourglass::io::RetryOptions;
using hourglass::io::RetryResult;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisServer;
using nlohmann::json;
using Status = RetryResult::Status;

constexpr hourglass::sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr hourglass::sim::WorldTime kHour = 3'600'000;
const std::string kToken = "secret-token";

std::string iso(hourglass::sim::WorldTime t) { return hourglass::sim::format_world_time(t); }

std::string key(const std::string& type, const std::string& id, const std::string& kind, hourglass::sim::WorldTime t) {
  return "c1:" + type + ":" + id + ":" + kind + ":" + std::to_string(t);
}

EntityWrite settlement_write(json changes, hourglass::sim::WorldTime t) {
  return EntityWrite{EntityWrite::Kind::Settlement, "s1", std::move(changes),
                     key("Settlement", "s1", "POPULATION_GROWTH", t), t};
}
EntityWrite structure_write() {
  return EntityWrite{EntityWrite::Kind::Structure, "st1", {{"condition", 80}},
                     key("Structure", "st1", "MAINTENANCE_MISSED", kT0 + kHour), kT0 + kHour};
}
EntityWrite event_write() {
  return EntityWrite{EntityWrite::Kind::ExpireEvent, "e1", {{"isCompleted", true}},
                     key("Event", "e1", "EVENT_EXPIRED", kT0 + kHour), kT0 + kHour};
}
EntityWrite effect_write() {
  return EntityWrite{EntityWrite::Kind::ExecuteEffect, "fx1", json::object(),
                     key("Effect", "fx1", "DEFERRED_EFFECT", kT0 + kHour), kT0 + kHour};
}

CampaignApiConfig api_config(FakeCampaignApi& fake) {
  fake.start();
  return CampaignApiConfig{fake.url(), kToken, 2000ms};
}

// A redis-server, the fake API seeded with one campaign (settlement s1 of 100
// people, structure st1, event e1, effect fx1), and a client of each.
struct World {
  RedisServer redis;
  FakeCampaignApi fake{kToken};
  CampaignApi api{api_config(fake)};
  RedisConnection conn = RedisConnection::connect(redis.endpoint(), 2000ms);
  const std::string stream = kGatewayDeadLetterStream;

  World() {
    spdlog::set_level(spdlog::level::off);
    fake.add_campaign("c1", kT0, "main");  // its main branch: where its writes go
    fake.add_kingdom("c1", "k1");
    fake.add_settlement("k1", {{"id", "s1"}, {"name", "Oakridge"}, {"createdAt", iso(kT0)},
                               {"variables", {{"population", 100}, {"resources", {{"gold", 1}}}, {"lore", "kept"}}}});
    fake.add_structure({{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"createdAt", iso(kT0)},
                        {"variables", {{"status", "ACTIVE"}, {"condition", 100}}}});
    fake.add_event("c1", {{"id", "e1"}, {"scheduledAt", iso(kT0 + kHour / 2)}, {"isCompleted", false}});
    fake.add_effect("c1", {{"id", "fx1"}, {"entityId", "e1"}, {"entityType", "event"}});
  }

  // A dead letter exactly as the gateway writes one (gateway_actor.cpp,
  // dead_letter(); the bridge adds it under the field `write`).
  std::string dead_letter(const EntityWrite& w, const std::string& reason = "http: HTTP 500", int attempts = 4) {
    json entry = hourglass::io::write_to_json("c1", w);
    entry["reason"] = reason;
    entry["attempts"] = attempts;
    return conn.xadd(stream, {{"write", entry.dump()}});
  }
  std::vector<RetryResult> retry(const std::vector<std::string>& ids, RetryOptions o = {}) {
    return hourglass::io::retry_dead_letters(conn, api, stream, ids, o);
  }
  std::vector<RetryResult> retry_all(RetryOptions o = {}) {
    return hourglass::io::retry_all_dead_letters(conn, api, stream, o);
  }
  std::vector<std::string> ids() {
    std::vector<std::string> out;
    for (const auto& e : conn.xrange(stream)) out.push_back(e.id);
    return out;
  }
  int population() const { return fake.settlement("s1")["variables"]["population"].get<int>(); }
};

std::string dump(const std::vector<RetryResult>& results) {
  std::string s;
  for (const auto& r : results) s += std::string(to_string(r.status)) + " " + r.id + " " + r.message + "\n";
  return s;
}

}  // namespace

TEST_CASE("dlq: the gateway's entries are listed oldest first, every field read", "[service][dlq][integration]") {
  World w;
  const std::string a = w.dead_letter(settlement_write({{"population", 120}, {"resources.gold", 5}}, kT0 + kHour));
  const std::string b = w.dead_letter(event_write(), "not written before shutdown", 0);
  const std::string c = w.dead_letter(effect_write(), "graphql: boom", 1);

  const auto letters = hourglass::io::read_dead_letters(w.conn, w.stream);
  REQUIRE(letters.size() == 3);
  CHECK(letters[0].id == a);
  CHECK(letters[1].id == b);
  CHECK(letters[2].id == c);
  const DeadLetter& s = letters[0];
  REQUIRE_FALSE(s.malformed());
  CHECK(s.campaign_id == "c1");
  CHECK(*s.write == settlement_write({{"population", 120}, {"resources.gold", 5}}, kT0 + kHour));
  CHECK(s.reason == "http: HTTP 500");
  CHECK(s.attempts == 4);
  CHECK(letters[1].attempts == 0);

  const json j = hourglass::io::to_json(s);
  CHECK(j["id"] == a);
  CHECK(j["campaignId"] == "c1");
  CHECK(j["kind"] == "Settlement");
  CHECK(j["entityType"] == "Settlement");
  CHECK(j["entityId"] == "s1");
  CHECK(j["worldTime"] == "2025-01-01T01:00:00.000Z");
  CHECK(j["idempotencyKey"] == key("Settlement", "s1", "POPULATION_GROWTH", kT0 + kHour));
  CHECK(j["changes"] == json{{"population", 120}, {"resources.gold", 5}});
  CHECK(j["reason"] == "http: HTTP 500");
  CHECK(j["attempts"] == 4);
  CHECK(hourglass::io::to_json(letters[1])["entityType"] == "Event");
  CHECK(hourglass::io::to_json(letters[2])["entityType"] == "Effect");
  CHECK(w.fake.requests() == 0);  // listing never calls the API
}

TEST_CASE("dlq: a long stream is read whole, in pages", "[service][dlq][integration]") {
  World w;
  for (int i = 0; i < 1203; ++i) w.dead_letter(settlement_write({{"population", i}}, kT0 + i));
  const auto letters = hourglass::io::read_dead_letters(w.conn, w.stream);
  REQUIRE(letters.size() == 1203);
  CHECK(letters.front().write->changes["population"] == 0);
  CHECK(letters.back().write->changes["population"] == 1202);
}

TEST_CASE("dlq: retry ID writes the change once, with its Idempotency-Key, and removes the entry",
          "[service][dlq][integration]") {
  World w;
  const EntityWrite write = settlement_write({{"population", 120}, {"resources.gold", 5}}, kT0 + kHour);
  const std::string id = w.dead_letter(write);
  const std::string other = w.dead_letter(event_write());

  const auto results = w.retry({id});
  INFO(dump(results));
  REQUIRE(results.size() == 1);
  CHECK(results[0].id == id);
  CHECK(results[0].status == Status::Done);

  const json s = w.fake.settlement("s1");
  CHECK(s["variables"]["population"] == 120);
  CHECK(s["variables"]["resources"]["gold"] == 5);
  CHECK(s["variables"]["lore"] == "kept");  // the entity's other keys survive the merge
  CHECK(s["version"] == 2);
  const auto writes = w.fake.applied_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].operation == "UpdateSettlement");
  CHECK(writes[0].idempotency_key == write.idempotency_key);
  CHECK(writes[0].variables["input"]["worldTime"] == iso(kT0 + kHour));
  CHECK(w.fake.keys_applied_more_than_once().empty());
  CHECK(w.ids() == std::vector<std::string>{other});  // only the one asked for

  // Gone: asking again is an unknown id, and nothing is sent.
  const auto again = w.retry({id});
  REQUIRE(again.size() == 1);
  CHECK(again[0].status == Status::NotFound);
  CHECK_THAT(again[0].message, Catch::Contains("no dead letter with id " + id));
  CHECK(w.fake.applied_writes().size() == 1);
}

TEST_CASE("dlq: retry --all writes every kind of entry once and empties the stream", "[service][dlq][integration]") {
  World w;
  w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  w.dead_letter(structure_write());
  w.dead_letter(event_write());
  w.dead_letter(effect_write(), "not written before shutdown", 0);  // never sent: safe to run

  const auto results = w.retry_all();
  INFO(dump(results));
  REQUIRE(results.size() == 4);
  for (const auto& r : results) CHECK(r.status == Status::Done);
  CHECK(w.conn.xlen(w.stream) == 0);
  CHECK(w.population() == 120);
  CHECK(w.fake.structure("st1")["variables"]["condition"] == 80);
  CHECK(w.fake.structure("st1")["variables"]["status"] == "ACTIVE");
  CHECK(w.fake.event("e1")["isCompleted"] == true);
  CHECK(w.fake.effect_executions("fx1") == 1);
  CHECK(w.fake.applied_writes().size() == 4);
  CHECK(w.fake.keys_applied_more_than_once().empty());

  CHECK(w.retry_all().empty());  // nothing left, nothing sent
  CHECK(w.fake.applied_writes().size() == 4);
}

TEST_CASE("dlq: a retried write that was already applied is done, not applied again", "[service][dlq][integration]") {
  World w;
  // The gateway's last call expired the event but its reply was lost.
  REQUIRE(w.api.expire_event("e1", "earlier-key").done());
  w.dead_letter(event_write(), "timeout: no reply", 4);
  const auto results = w.retry_all();
  INFO(dump(results));
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == Status::Done);
  CHECK(w.conn.xlen(w.stream) == 0);
  CHECK(w.fake.applied_writes().size() == 1);  // the first expiry only

  // Absolute values: a write applied twice (the first run crashed after the
  // write, before the XDEL, and the API does not deduplicate: its
  // Idempotency-Key is ignored) leaves what one leaves.
  const EntityWrite write = settlement_write({{"population", 130}, {"resources.gold", 7}}, kT0 + 2 * kHour);
  const std::string id = w.dead_letter(write);
  REQUIRE(hourglass::io::execute_write(w.api, write, "main").done);
  const auto again = w.retry({id});
  INFO(dump(again));
  REQUIRE(again.size() == 1);
  CHECK(again[0].status == Status::Done);
  CHECK(w.fake.applied_writes().size() == 3);  // both settlement updates reached the API
  CHECK(w.fake.applications(write.idempotency_key) == 2);  // the same key, applied twice
  CHECK(w.population() == 130);
  CHECK(w.fake.settlement("s1")["variables"]["resources"]["gold"] == 7);
  CHECK(w.fake.settlement("s1")["variables"]["lore"] == "kept");
}

TEST_CASE("dlq: a failing API keeps the entry and says why, a later retry writes it", "[service][dlq][integration]") {
  World w;
  const std::string id = w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  w.fake.fail_next(1, 500);  // the read before the update

  const auto results = w.retry({id});
  INFO(dump(results));
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == Status::Failed);
  CHECK_THAT(results[0].message, Catch::Contains("Settlement s1") && Catch::Contains("500"));
  CHECK(w.ids() == std::vector<std::string>{id});  // kept, same id
  CHECK(w.fake.applied_writes().empty());
  CHECK(w.population() == 100);

  const auto later = w.retry({id});
  INFO(dump(later));
  REQUIRE(later.size() == 1);
  CHECK(later[0].status == Status::Done);
  CHECK(w.population() == 120);
  CHECK(w.fake.applied_writes().size() == 1);
  CHECK(w.conn.xlen(w.stream) == 0);
}

TEST_CASE("dlq: an API that cannot be reached stops --all, every entry is kept", "[service][dlq][integration]") {
  World w;
  w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  w.dead_letter(structure_write());
  w.dead_letter(event_write());
  w.fake.set_down(true);  // 503 to everything

  const auto results = w.retry_all();
  INFO(dump(results));
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == Status::Failed);
  for (std::size_t i = 1; i < 3; ++i) {
    CHECK(results[i].status == Status::Failed);
    CHECK_THAT(results[i].message, Catch::Contains("not tried: the API is unavailable"));
  }
  CHECK(w.fake.requests() == 1);  // one call, not one timeout per entry
  CHECK(w.conn.xlen(w.stream) == 3);
}

TEST_CASE("dlq: malformed entries are reported with their id and kept, --all goes on", "[service][dlq][integration]") {
  World w;
  const std::string no_field = w.conn.xadd(w.stream, {{"payload", "x"}});
  const std::string good = w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  const std::string not_json = w.conn.xadd(w.stream, {{"write", "{not json"}});
  json bad_kind = hourglass::io::write_to_json("c1", event_write());
  bad_kind["kind"] = "Teleport";
  const std::string unknown_kind = w.conn.xadd(w.stream, {{"write", bad_kind.dump()}});
  const std::string good2 = w.dead_letter(event_write());

  const auto letters = hourglass::io::read_dead_letters(w.conn, w.stream);
  REQUIRE(letters.size() == 5);
  CHECK(letters[0].malformed());
  CHECK(letters[0].error == "no `write` field");
  CHECK(letters[2].error == "`write` is not a JSON object");
  CHECK_THAT(letters[3].error, Catch::Contains("Teleport"));
  CHECK(hourglass::io::to_json(letters[2]) == json{{"id", not_json}, {"error", "`write` is not a JSON object"},
                                                         {"write", "{not json"}});

  const auto results = w.retry_all();
  INFO(dump(results));
  REQUIRE(results.size() == 5);
  std::map<std::string, Status> by_id;
  for (const auto& r : results) by_id[r.id] = r.status;
  CHECK(by_id[no_field] == Status::Malformed);
  CHECK(by_id[not_json] == Status::Malformed);
  CHECK(by_id[unknown_kind] == Status::Malformed);
  CHECK(by_id[good] == Status::Done);
  CHECK(by_id[good2] == Status::Done);
  CHECK(w.ids() == std::vector<std::string>{no_field, not_json, unknown_kind});
  CHECK(w.population() == 120);
  CHECK(w.fake.event("e1")["isCompleted"] == true);

  // Asked for by id, the same.
  const auto one = w.retry({not_json});
  REQUIRE(one.size() == 1);
  CHECK(one[0].status == Status::Malformed);
  CHECK_THAT(one[0].message, Catch::Contains("not a JSON object"));
}

TEST_CASE("dlq: an unknown id is reported, the ids asked for are still retried", "[service][dlq][integration]") {
  World w;
  const std::string id = w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  const auto results = w.retry({"1-0", id});
  INFO(dump(results));
  REQUIRE(results.size() == 2);
  CHECK(results[0].id == "1-0");
  CHECK(results[0].status == Status::NotFound);
  CHECK_THAT(results[0].message, Catch::Contains("no dead letter with id 1-0 in hourglass:gateway:deadletter"));
  CHECK(results[1].status == Status::Done);
  CHECK(hourglass::io::is_stream_id(id));
  CHECK_FALSE(hourglass::io::is_stream_id("abc"));
  CHECK_FALSE(hourglass::io::is_stream_id("12-"));
  CHECK_FALSE(hourglass::io::is_stream_id("-1"));
}

TEST_CASE("dlq: one entity's entries land oldest first, a newer one waits for an older one kept",
          "[service][dlq][integration]") {
  World w;
  const std::string older = w.dead_letter(settlement_write({{"population", 110}}, kT0 + kHour));
  const std::string newer = w.dead_letter(settlement_write({{"population", 120}}, kT0 + 2 * kHour));

  // The newer alone would be overwritten by the older one later: refused.
  const auto alone = w.retry({newer});
  INFO(dump(alone));
  REQUIRE(alone.size() == 1);
  CHECK(alone[0].status == Status::Blocked);
  CHECK_THAT(alone[0].message, Catch::Contains(older));
  CHECK(w.fake.requests() == 0);

  // The older one fails: the newer one is not written before it.
  w.fake.fail_next(1, 500);
  const auto first = w.retry_all();
  INFO(dump(first));
  REQUIRE(first.size() == 2);
  CHECK(first[0].status == Status::Failed);
  CHECK(first[1].status == Status::Blocked);
  CHECK(w.population() == 100);

  // Both, in either order on the command line: oldest first, newest wins.
  const auto both = w.retry({newer, older});
  INFO(dump(both));
  REQUIRE(both.size() == 2);
  CHECK(both[0].id == older);
  CHECK(both[0].status == Status::Done);
  CHECK(both[1].status == Status::Done);
  CHECK(w.population() == 120);
  const auto writes = w.fake.applied_writes();
  REQUIRE(writes.size() == 2);
  CHECK(writes[0].variables["input"]["variables"]["population"] == 110);
  CHECK(writes[1].variables["input"]["variables"]["population"] == 120);
}

TEST_CASE("dlq: an effect that may already have run is kept unless forced, a failed one stays in doubt",
          "[service][dlq][integration]") {
  World w;
  const std::string sent = w.dead_letter(effect_write(), "http: HTTP 500", 2);
  const auto kept = w.retry({sent});
  INFO(dump(kept));
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].status == Status::InDoubt);
  CHECK_THAT(kept[0].message, Catch::Contains("may already have run") && Catch::Contains("--force"));
  CHECK(w.fake.requests() == 0);
  CHECK(w.ids() == std::vector<std::string>{sent});

  RetryOptions force;
  force.force = true;
  const auto forced = w.retry({sent}, force);
  INFO(dump(forced));
  REQUIRE(forced.size() == 1);
  CHECK(forced[0].status == Status::Done);
  CHECK(w.fake.effect_executions("fx1") == 1);
  CHECK(w.conn.xlen(w.stream) == 0);

  // Never sent (attempts 0), then our own retry fails: from now on in doubt.
  const std::string fresh = w.dead_letter(effect_write(), "not written before shutdown", 0);
  w.fake.fail_next(1, 500);
  const auto failed = w.retry({fresh});
  INFO(dump(failed));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].status == Status::Failed);
  REQUIRE_FALSE(failed[0].new_id.empty());
  CHECK(w.ids() == std::vector<std::string>{failed[0].new_id});
  const auto letters = hourglass::io::read_dead_letters(w.conn, w.stream);
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].attempts == 1);
  CHECK_THAT(letters[0].reason, Catch::Contains("dlq retry: http"));
  CHECK(*letters[0].write == effect_write());
  CHECK(w.retry_all()[0].status == Status::InDoubt);
  CHECK(w.fake.effect_executions("fx1") == 1);
}

namespace {

// The real bridge and gateway actors, as serve wires them (gateway dead
// letters go to the bridge, which XADDs them). Exits them however the test
// ends, so that the actor system's destructor does not wait forever.
struct GatewayRig {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  hourglass::actors::bridge_actor bridge;
  hourglass::actors::gateway_actor gateway;

  GatewayRig(World& w) {
    cfg.set("logger.verbosity", caf::atom("quiet"));
    hourglass::actors::add_error_rendering(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    auto rules = std::make_shared<const hourglass::sim::Rules>(hourglass::sim::Rules::defaults());
    bridge = system->spawn<caf::detached>(hourglass::actors::bridge,
                                          hourglass::actors::BridgeOptions{w.redis.endpoint(), rules, {}, nullptr});
    hourglass::actors::GatewayOptions options;
    options.api = w.api.config();
    options.redis = w.redis.endpoint();
    options.concurrency = 1;
    options.retries = 0;
    options.dead_letters = bridge;
    gateway = system->spawn(hourglass::actors::gateway, options);
  }
  ~GatewayRig() {
    caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  }

  // Commits the writes of the record (one line) of one message to the
  // campaign's outbox as the registry does, hands the entries to the gateway
  // and returns once its dead letters are in Redis: the gateway tells the
  // bridge before it answers the drain, and the bridge's flush answers after
  // writing them.
  bool write(World& w, const std::string& campaign_id, const std::string& record_line) {
    caf::scoped_actor self{*system};
    const hourglass::sim::OwnedRecords records{hourglass::messages::read_record_line(record_line)};
    std::vector<EntityWrite> writes = hourglass::io::coalesce(records);
    for (std::size_t i = 0; i < writes.size(); ++i) writes[i].seq = i + 1;
    hourglass::io::CheckpointStore store(w.conn);
    const std::vector<std::string> ids = store.commit(campaign_id, "{}", writes);
    std::vector<hourglass::io::OutboxEntry> entries;
    for (std::size_t i = 0; i < ids.size(); ++i) entries.push_back({ids[i], campaign_id, writes[i], ""});
    self->send(gateway, hourglass::actors::outbox_atom::value, campaign_id, std::move(entries));
    bool drained = false;
    self->request(gateway, caf::infinite, hourglass::actors::gateway_drain_atom::value)
        .receive([&](bool) { drained = true; }, [](caf::error&) {});
    std::size_t waiting = 1;
    self->request(bridge, caf::infinite, hourglass::actors::flush_dead_letters_atom::value)
        .receive([&](std::size_t n) { waiting = n; }, [](caf::error&) {});
    return drained && waiting == 0;
  }
};

}  // namespace

TEST_CASE("dlq: a dead letter made by the real gateway and bridge is retried and written once",
          "[service][dlq][integration]") {
  World w;
  GatewayRig rig(w);
  // The API refuses the write (a GraphQL error is not retried): dead letter.
  w.fake.graphql_error_next(1, "resolver exploded");
  const json record{{"campaignId", "c1"}, {"worldTime", iso(kT0 + kHour)}, {"kind", "POPULATION_GROWTH"},
                    {"entityType", "Settlement"}, {"entityId", "s1"}, {"changes", {{"population", 121}}}};
  REQUIRE(rig.write(w, "c1", record.dump()));
  // Written to the dead letters, it left the outbox: it is not sent again at the next start.
  CHECK(hourglass::io::CheckpointStore(w.conn).outbox_length("c1") == 0);

  const auto letters = hourglass::io::read_dead_letters(w.conn, w.stream);
  REQUIRE(letters.size() == 1);
  REQUIRE_FALSE(letters[0].malformed());
  CHECK(letters[0].campaign_id == "c1");
  CHECK(letters[0].write->entity_id == "s1");
  CHECK(letters[0].attempts == 1);
  CHECK_THAT(letters[0].reason, Catch::Contains("resolver exploded"));
  CHECK(w.fake.applied_writes().empty());

  const auto results = w.retry_all();
  INFO(dump(results));
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == Status::Done);
  CHECK(w.population() == 121);
  const auto writes = w.fake.applied_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].idempotency_key == "c1:Settlement:s1:POPULATION_GROWTH:" + std::to_string(kT0 + kHour));
  CHECK(w.fake.keys_applied_more_than_once().empty());
  CHECK(w.conn.xlen(w.stream) == 0);
}

// ---- the command, in-process --------------------------------------------------

namespace {

struct CliRun {
  int code = -1;
  std::string out, err;
};

CliRun run_cli(const std::map<std::string, std::string>& env, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CLI::App app{"hourglass"};
  app.require_subcommand(1);
  auto command = hourglass::runtime::add_dlq_command(
      app, hourglass::runtime::DlqIo{[env](const char* name) -> const char* {
                                       auto it = env.find(name);
                                       return it == env.end() ? nullptr : it->second.c_str();
                                     },
                                     out, err});
  std::vector<const char*> argv{"hourglass"};
  for (const auto& a : args) argv.push_back(a.c_str());
  CliRun run;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    run.code = command();
  } catch (const CLI::ParseError& e) {
    run.code = app.exit(e, out, err);
  }
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace

TEST_CASE("dlq cli: list as a table and as JSON lines, retry's exit codes", "[service][dlq][integration]") {
  World w;
  const std::map<std::string, std::string> env{
      {"REDIS_URL", w.redis.url()}, {"API_URL", w.fake.url()}, {"API_TOKEN", kToken}, {"GATEWAY_TIMEOUT_MS", "2000"}};

  const CliRun empty = run_cli(env, {"dlq", "list"});
  CHECK(empty.code == 0);
  CHECK(empty.out == "no dead letters in hourglass:gateway:deadletter\n\nno dead letters in hourglass:deadletter\n");

  const std::string a = w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  const std::string b = w.conn.xadd(w.stream, {{"write", "{not json"}});

  const CliRun table = run_cli(env, {"dlq", "list"});
  INFO(table.out << table.err);
  CHECK(table.code == 0);
  CHECK_THAT(table.out, Catch::StartsWith("ID "));
  CHECK_THAT(table.out, Catch::Contains(a) && Catch::Contains("Settlement/s1") &&
                            Catch::Contains("2025-01-01T01:00:00.000Z") && Catch::Contains("http: HTTP 500"));
  CHECK_THAT(table.out, Catch::Contains(b) && Catch::Contains("MALFORMED: `write` is not a JSON object"));
  CHECK_THAT(table.out, Catch::Contains("2 dead letter(s) in hourglass:gateway:deadletter, 1 malformed\n"));

  const CliRun lines = run_cli(env, {"dlq", "list", "--json"});
  CHECK(lines.code == 0);
  std::istringstream in(lines.out);
  std::string line;
  std::vector<json> parsed;
  while (std::getline(in, line)) parsed.push_back(json::parse(line));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0]["id"] == a);
  CHECK(parsed[0]["entityId"] == "s1");
  CHECK(parsed[1]["id"] == b);
  CHECK(parsed[1].contains("error"));

  // --all: one written, the malformed one kept: exit 1.
  const CliRun all = run_cli(env, {"dlq", "retry", "--all"});
  INFO(all.out << all.err);
  CHECK(all.code == 1);
  CHECK_THAT(all.out, Catch::Contains("done  " + a) && Catch::Contains("malformed  " + b) &&
                          Catch::Contains("1 of 2 done; the others are kept in hourglass:gateway:deadletter"));
  CHECK(w.population() == 120);

  // Everything asked done: exit 0. An unknown id: exit 1.
  const std::string c = w.dead_letter(event_write());
  CHECK(run_cli(env, {"dlq", "retry", c}).code == 0);
  const CliRun unknown = run_cli(env, {"dlq", "retry", c});
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.out, Catch::Contains("not-found  " + c));
  CHECK(w.fake.applied_writes().size() == 2);
}

TEST_CASE("dlq cli: bad usage and bad configuration exit 2 naming what, the token is never shown",
          "[service][dlq][integration]") {
  World w;
  std::map<std::string, std::string> env{{"REDIS_URL", w.redis.url()}, {"API_URL", w.fake.url()}, {"API_TOKEN", kToken}};

  const CliRun neither = run_cli(env, {"dlq", "retry"});
  CHECK(neither.code == 2);
  CHECK_THAT(neither.err, Catch::Contains("or --all"));
  CHECK(run_cli(env, {"dlq", "retry", "--all", "1-0"}).code == 2);
  const CliRun bad_id = run_cli(env, {"dlq", "retry", "s1"});
  CHECK(bad_id.code == 2);
  CHECK_THAT(bad_id.err, Catch::Contains("'s1' is not a dead letter id"));

  const CliRun bad_redis = run_cli(env, {"dlq", "list", "--redis-url", "http://x"});
  CHECK(bad_redis.code == 2);
  CHECK_THAT(bad_redis.err, Catch::Contains("redis_url:"));

  auto no_token = env;
  no_token.erase("API_TOKEN");
  const CliRun missing = run_cli(no_token, {"dlq", "retry", "--all", "--api-url", "ftp://api"});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("api_token: required") && Catch::Contains("api_url:"));
  CHECK(run_cli(no_token, {"dlq", "list"}).code == 0);  // listing needs no API

  const CliRun no_file = run_cli(no_token, {"dlq", "retry", "--all", "--api-token-file", "/nonexistent/token"});
  CHECK(no_file.code == 2);
  CHECK_THAT(no_file.err, Catch::Contains("/nonexistent/token"));

  auto bad_env = env;
  bad_env["GATEWAY_TIMEOUT_MS"] = "soon";
  CHECK(run_cli(bad_env, {"dlq", "list"}).code == 2);

  // A wrong token: the API refuses (200, errors [Unauthorized]), the entry is
  // kept, the token is not printed.
  w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));
  auto wrong = env;
  wrong["API_TOKEN"] = "wrong-token-value";
  const CliRun refused = run_cli(wrong, {"dlq", "retry", "--all"});
  CHECK(refused.code == 1);
  CHECK_THAT(refused.out, Catch::Contains("Unauthorized"));
  CHECK(refused.out.find("wrong-token-value") == std::string::npos);
  CHECK(refused.err.find("wrong-token-value") == std::string::npos);
  CHECK(w.conn.xlen(w.stream) == 1);

  // Redis unreachable: exit 1, the endpoint named.
  w.redis.stop();
  const CliRun down = run_cli(env, {"dlq", "list"});
  CHECK(down.code == 1);
  CHECK_THAT(down.err, Catch::Contains("127.0.0.1:" + std::to_string(w.redis.port())));
}

// ---- input dead letters (hourglass:deadletter) ---------------------------------

namespace {

using hourglass::actors::kDeadLetterStream;

std::string input_dead_letter(RedisConnection& conn, const std::string& reason, const std::string& channel,
                              const std::string& payload, const std::string& truncated = "false") {
  return conn.xadd(kDeadLetterStream,
                   {{"reason", reason}, {"channel", channel}, {"payload", payload}, {"truncated", truncated}});
}

}  // namespace

TEST_CASE("dlq cli: input dead letters are listed beside the gateway's and sent back into the input",
          "[service][dlq][integration]") {
  World w;
  std::map<std::string, std::string> env{{"REDIS_URL", w.redis.url()}};  // no API: input entries need none
  const std::string bad_json = input_dead_letter(w.conn, "message: not JSON", "campaign.c1.worldTimeAdvanced",
                                                 "{not json");
  const std::string no_channel = input_dead_letter(w.conn, "stream entry 5-0 of hourglass:inbox: no channel", "", "");
  const std::string cut = input_dead_letter(w.conn, "payload: over 1 MiB", "campaign.c1.entityModified",
                                            std::string(100, 'x'), "true");
  const std::string gw = w.dead_letter(settlement_write({{"population", 120}}, kT0 + kHour));

  const CliRun table = run_cli(env, {"dlq", "list"});
  INFO(table.out << table.err);
  CHECK(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains(gw) && Catch::Contains("1 dead letter(s) in hourglass:gateway:deadletter"));
  CHECK_THAT(table.out, Catch::Contains("input:" + bad_json) && Catch::Contains("campaign.c1.worldTimeAdvanced") &&
                            Catch::Contains("{not json") && Catch::Contains("message: not JSON") &&
                            Catch::Contains("input:" + no_channel) &&
                            Catch::EndsWith("3 dead letter(s) in hourglass:deadletter\n"));

  const CliRun lines = run_cli(env, {"dlq", "list", "--json"});
  std::istringstream in(lines.out);
  std::vector<json> parsed;
  for (std::string line; std::getline(in, line);) parsed.push_back(json::parse(line));
  REQUIRE(parsed.size() == 4);
  CHECK(parsed[0]["id"] == gw);
  CHECK(parsed[1] == json{{"id", "input:" + bad_json}, {"queue", "input"}, {"reason", "message: not JSON"},
                          {"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "{not json"}, {"truncated", false}});
  CHECK(parsed[3]["truncated"] == true);

  // pub/sub input and nobody subscribed: not sent, kept.
  const CliRun unheard = run_cli(env, {"dlq", "retry", "input:" + bad_json});
  CHECK(unheard.code == 1);
  CHECK_THAT(unheard.out, Catch::Contains("failed  input:" + bad_json) && Catch::Contains("nobody subscribes") &&
                              Catch::Contains("kept in hourglass:deadletter"));
  CHECK(w.conn.xlen(kDeadLetterStream) == 3);

  // The stream input: back into the input stream, the dead letter removed;
  // those that cannot be sent again are kept, saying why.
  env["HOURGLASS_INPUT"] = "stream";
  env["HOURGLASS_STREAM_KEY"] = "test:inbox";
  const CliRun sent = run_cli(env, {"dlq", "retry", "input:" + cut, "input:" + bad_json, "input:" + no_channel});
  INFO(sent.out << sent.err);
  CHECK(sent.code == 1);
  CHECK_THAT(sent.out, Catch::Contains("done  input:" + bad_json + "  added to test:inbox") &&
                           Catch::Contains("malformed  input:" + no_channel) &&
                           Catch::Contains("malformed  input:" + cut) && Catch::Contains("cut at 1 MiB") &&
                           Catch::Contains("1 of 3 done"));
  const auto inbox = w.conn.xrange("test:inbox");
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0].fields == std::vector<std::pair<std::string, std::string>>{
                               {"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "{not json"}});
  std::vector<std::string> left;
  for (const auto& e : w.conn.xrange(kDeadLetterStream)) left.push_back(e.id);
  CHECK(left == std::vector<std::string>{no_channel, cut});
  CHECK(w.conn.xlen(w.stream) == 1);  // the gateway's untouched

  // An unknown input id, and a gateway id, which needs the API's settings.
  const CliRun unknown = run_cli(env, {"dlq", "retry", "input:" + bad_json});
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.out, Catch::Contains("not-found  input:" + bad_json));
  CHECK(run_cli(env, {"dlq", "retry", gw}).code == 2);
  CHECK(run_cli(env, {"dlq", "retry", "input:x"}).code == 2);
}

TEST_CASE("dlq: an input dead letter retried reaches the running service again and refused again it gets a new id",
          "[service][dlq][integration]") {
  World w;  // its fake API is started
  hourglass::service::ServiceConfig c = hourglass::service::testing::serve_test_config(w.redis, w.fake);
  hourglass::runtime::ServeApp app(c);
  app.start();
  std::thread runner([&] { app.wait(); });
  struct Stop {
    hourglass::runtime::ServeApp& app;
    std::thread& runner;
    ~Stop() {
      app.request_stop();
      if (runner.joinable()) runner.join();
    }
  } stop{app, runner};
  REQUIRE(app.wait_subscribed(1, 10s));

  auto dead_letters = [&](std::size_t want) {
    std::vector<hourglass::io::InputDeadLetter> d;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    do {
      d = hourglass::io::read_input_dead_letters(w.conn, kDeadLetterStream);
      if (d.size() == want) break;
      std::this_thread::sleep_for(10ms);  // polling Redis for the service's dead letter, with a deadline
    } while (std::chrono::steady_clock::now() < deadline);
    return d;
  };
  REQUIRE(w.conn.publish("campaign.c1.worldTimeAdvanced", "{not json") == 1);
  const auto first = dead_letters(1);
  REQUIRE(first.size() == 1);

  const std::map<std::string, std::string> env{{"REDIS_URL", w.redis.url()}};
  const CliRun retried = run_cli(env, {"dlq", "retry", first[0].shown_id()});
  INFO(retried.out << retried.err);
  CHECK(retried.code == 0);
  CHECK_THAT(retried.out, Catch::Contains("done  " + first[0].shown_id() + "  published on campaign.c1.worldTimeAdvanced"));

  // The service took it again and refused it again: a new dead letter, the old one gone.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<hourglass::io::InputDeadLetter> again;
  do {
    again = hourglass::io::read_input_dead_letters(w.conn, kDeadLetterStream);
    if (again.size() == 1 && again[0].id != first[0].id) break;
    std::this_thread::sleep_for(10ms);  // as above
  } while (std::chrono::steady_clock::now() < deadline);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id != first[0].id);
  CHECK(again[0].channel == first[0].channel);
  CHECK(again[0].payload == "{not json");
  CHECK(again[0].reason == first[0].reason);
}
