// io::RedisStreamReader against a real redis-server: the group, the pending
// entries a crashed reader leaves, the bound on unacknowledged entries, and
// malformed entries. Waits are on the reader's callbacks with a deadline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "io/redis_connection.hpp"
#include "io/redis_stream_reader.hpp"
#include "tests/service/support/redis_server.hpp"

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::io::RedisStreamReader;
using hourglass::io::RedisStreamReaderCallbacks;
using hourglass::io::RedisStreamReaderOptions;
using hourglass::service::testing::RedisServer;

namespace {

struct Delivered {
  std::string id, channel, payload;
};

// Records what the reader delivers, and lets the test wait (with a
// deadline) until enough has come.
class Recorder {
 public:
  // `reader`, when given, is asked in each delivery how many are out: the
  // highest number seen checks the bound.
  RedisStreamReaderCallbacks callbacks(RedisStreamReader** reader = nullptr) {
    RedisStreamReaderCallbacks cb;
    cb.on_entry = [this, reader](std::string id, std::string channel, std::string payload) {
      std::lock_guard<std::mutex> lock(mutex_);
      entries_.push_back({std::move(id), std::move(channel), std::move(payload)});
      if (reader && *reader) max_out_ = std::max(max_out_, (*reader)->unacknowledged());
      changed_.notify_all();
    };
    cb.on_malformed = [this](std::string id, std::string why) {
      std::lock_guard<std::mutex> lock(mutex_);
      malformed_.push_back({std::move(id), "", std::move(why)});
      changed_.notify_all();
    };
    cb.on_connected = [this](bool) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++connected_;
      changed_.notify_all();
    };
    return cb;
  }
  bool wait_entries(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return entries_.size() >= n; });
  }
  bool wait_malformed(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return malformed_.size() >= n; });
  }
  bool wait_connected(int n = 1, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return connected_ >= n; });
  }
  std::vector<Delivered> entries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_;
  }
  std::vector<Delivered> malformed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return malformed_;
  }
  std::size_t max_out() {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_out_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Delivered> entries_;
  std::vector<Delivered> malformed_;
  int connected_ = 0;
  std::size_t max_out_ = 0;
};

RedisStreamReaderOptions fast_options(const RedisServer& server) {
  RedisStreamReaderOptions o;
  o.endpoint = server.endpoint();
  o.key = "test:inbox";
  o.block = 100ms;
  o.backoff_initial = 20ms;
  o.backoff_cap = 200ms;
  return o;
}

std::string add(RedisConnection& r, const std::string& channel, const std::string& payload) {
  return r.xadd("test:inbox", {{"channel", channel}, {"payload", payload}});
}

}  // namespace

TEST_CASE("stream reader: the group is made on a missing stream", "[service][redis][stream][integration]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  REQUIRE(r.type("test:inbox") == "none");
  Recorder rec;
  RedisStreamReader reader(fast_options(server), rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_connected());
  CHECK(r.type("test:inbox") == "stream");
  CHECK(r.xpending_count("test:inbox", "hourglass") == 0);  // NOGROUP would throw
  CHECK_FALSE(r.xgroup_create("test:inbox", "hourglass", "0"));  // BUSYGROUP: it exists

  const std::string id = add(r, "campaign.c1.worldTimeAdvanced", "{}");
  REQUIRE(rec.wait_entries(1));
  CHECK(rec.entries()[0].id == id);
  reader.stop();
}

TEST_CASE("stream reader: entries written before it started are read, in order",
          "[service][redis][stream][integration]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(add(r, "campaign.c1.worldTimeAdvanced", "payload " + std::to_string(i)));
  Recorder rec;
  RedisStreamReader reader(fast_options(server), rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_entries(3));
  const auto got = rec.entries();
  REQUIRE(got.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(got[i].id == ids[i]);
    CHECK(got[i].channel == "campaign.c1.worldTimeAdvanced");
    CHECK(got[i].payload == "payload " + std::to_string(i));
  }
  CHECK(reader.unacknowledged() == 3);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 3);
  reader.stop();
}

TEST_CASE("stream reader: an entry not acknowledged is delivered again to the next reader, not once acknowledged",
          "[service][redis][stream][integration]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  const std::string a = add(r, "campaign.c1.worldTimeAdvanced", "a");
  const std::string b = add(r, "campaign.c1.worldTimeAdvanced", "b");
  {
    Recorder rec;
    RedisStreamReader first(fast_options(server), rec.callbacks());
    first.start();
    REQUIRE(rec.wait_entries(2));
    first.acknowledge(b);  // synchronous: the server has it when this returns
    CHECK(r.xpending_count("test:inbox", "hourglass") == 1);
    first.stop();  // a crash, as far as `a` is concerned: never acknowledged
  }
  {
    Recorder rec;
    RedisStreamReader second(fast_options(server), rec.callbacks());
    second.start();
    REQUIRE(rec.wait_entries(1));
    // A barrier: the new entry comes after the pending ones, so anything
    // else pending would have come before it.
    const std::string c = add(r, "campaign.c1.worldTimeAdvanced", "c");
    REQUIRE(rec.wait_entries(2));
    const auto got = rec.entries();
    REQUIRE(got.size() == 2);
    CHECK(got[0].id == a);
    CHECK(got[0].payload == "a");
    CHECK(got[1].id == c);
    CHECK(r.xpending_count("test:inbox", "hourglass") == 2);
    second.acknowledge(a);
    second.acknowledge(c);
    CHECK(second.unacknowledged() == 0);
    CHECK(r.xpending_count("test:inbox", "hourglass") == 0);
    second.stop();
  }
  {
    Recorder rec;
    RedisStreamReader third(fast_options(server), rec.callbacks());
    third.start();
    REQUIRE(rec.wait_connected());
    const std::string d = add(r, "campaign.c1.worldTimeAdvanced", "d");
    REQUIRE(rec.wait_entries(1));
    const auto got = rec.entries();
    REQUIRE(got.size() == 1);  // nothing pending came before the new one
    CHECK(got[0].id == d);
    third.stop();
  }
}

TEST_CASE("stream reader: never more than max_unacknowledged out, all come once acknowledged",
          "[service][redis][stream][integration]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  for (int i = 0; i < 50; ++i) add(r, "campaign.c1.worldTimeAdvanced", std::to_string(i));
  RedisStreamReaderOptions o = fast_options(server);
  o.max_unacknowledged = 10;
  o.batch = 4;  // batches that do not divide the bound: the last read of a round asks for 2
  Recorder rec;
  RedisStreamReader* handle = nullptr;
  RedisStreamReader reader(o, rec.callbacks(&handle));
  handle = &reader;
  reader.start();
  REQUIRE(rec.wait_entries(10));
  CHECK_FALSE(rec.wait_entries(11, 500ms));  // at the bound it reads nothing more...
  CHECK(rec.entries().size() == 10);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 10);  // ...not even into the pending list

  std::size_t acked = 0;
  while (acked < 50) {
    REQUIRE(rec.wait_entries(acked + 1));
    const auto got = rec.entries();
    for (; acked < got.size(); ++acked) reader.acknowledge(got[acked].id);
  }
  const auto got = rec.entries();
  REQUIRE(got.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(got[i].payload == std::to_string(i));
  CHECK(rec.max_out() <= 10);
  CHECK(rec.max_out() >= 1);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 0);
  reader.stop();
}

TEST_CASE("stream reader: an entry without channel or payload goes to on_malformed",
          "[service][redis][stream][integration]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  const std::string no_payload = r.xadd("test:inbox", {{"channel", "campaign.c1.worldTimeAdvanced"}});
  const std::string no_channel = r.xadd("test:inbox", {{"payload", "{}"}, {"other", "x"}});
  const std::string good = add(r, "campaign.c1.worldTimeAdvanced", "{}");
  Recorder rec;
  RedisStreamReader reader(fast_options(server), rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_entries(1));
  REQUIRE(rec.wait_malformed(2));
  const auto bad = rec.malformed();
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].id == no_payload);
  CHECK_THAT(bad[0].payload, Catch::Contains("no field \"payload\""));
  CHECK(bad[1].id == no_channel);
  CHECK_THAT(bad[1].payload, Catch::Contains("no field \"channel\""));
  CHECK(rec.entries()[0].id == good);
  CHECK(reader.unacknowledged() == 3);  // malformed ones are acknowledged like any other
  reader.acknowledge(no_payload);
  reader.acknowledge(no_channel);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 1);
  reader.stop();

  // A pending entry deleted from the stream comes back without its fields.
  r.xdel("test:inbox", {good});
  Recorder again;
  RedisStreamReader next(fast_options(server), again.callbacks());
  next.start();
  REQUIRE(again.wait_malformed(1));
  CHECK(again.malformed()[0].id == good);
  CHECK_THAT(again.malformed()[0].payload, Catch::Contains("gone from the stream"));
  next.acknowledge(good);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 0);
  next.stop();
}

TEST_CASE("stream reader: reconnects after the server restarts, remakes the group and reads on",
          "[service][redis][stream][integration]") {
  RedisServer server;
  Recorder rec;
  RedisStreamReader reader(fast_options(server), rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_connected());
  {
    RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
    add(r, "campaign.c1.worldTimeAdvanced", "before");
    REQUIRE(rec.wait_entries(1));
  }
  reader.acknowledge(rec.entries()[0].id);
  server.stop();
  server.restart();  // no persistence: the stream and the group are gone
  REQUIRE(rec.wait_connected(2, 10s));
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  add(r, "campaign.c1.worldTimeAdvanced", "after");
  REQUIRE(rec.wait_entries(2));
  CHECK(rec.entries()[1].payload == "after");
  reader.stop();
}

TEST_CASE("stream reader: refuses options it cannot work with", "[service][stream]") {
  RedisStreamReaderOptions o;
  o.key = "";
  CHECK_THROWS_AS(RedisStreamReader(o, {}), std::invalid_argument);
  o = {};
  o.max_unacknowledged = 0;
  CHECK_THROWS_AS(RedisStreamReader(o, {}), std::invalid_argument);
  o = {};
  o.batch = 0;
  CHECK_THROWS_AS(RedisStreamReader(o, {}), std::invalid_argument);
}

TEST_CASE("stream reader: a stream that joins has its previous consumer's pending entries claimed, in order, then its "
          "new ones",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  const std::string first = add(r, "campaign.c1.worldTimeAdvanced", "one");
  const std::string second = add(r, "campaign.c1.worldTimeAdvanced", "two");
  // The previous owner took both and died before acknowledging them.
  REQUIRE(r.xgroup_create("test:inbox", "hourglass", "0"));
  REQUIRE(r.xreadgroup("hourglass", "old-owner", "test:inbox", ">", 10).size() == 2);

  std::mutex mutex;
  std::vector<std::string> streams;  // none at first: the partition is not ours yet
  RedisStreamReaderOptions o = fast_options(server);
  o.key.clear();
  o.consumer = "new-owner";
  o.claim_pending = true;
  o.streams = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return streams;
  };
  Recorder rec;
  RedisStreamReader reader(o, rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_connected());
  {
    std::lock_guard<std::mutex> lock(mutex);
    streams = {"test:inbox"};  // acquired
  }
  REQUIRE(rec.wait_entries(2));
  const std::string third = add(r, "campaign.c1.worldTimeAdvanced", "three");
  REQUIRE(rec.wait_entries(3));
  const auto got = rec.entries();
  REQUIRE(got.size() == 3);
  CHECK(got[0].id == first);
  CHECK(got[1].id == second);
  CHECK(got[2].id == third);
  for (const auto& e : got) reader.acknowledge(e.id);
  CHECK(r.xpending_count("test:inbox", "hourglass") == 0);
  reader.stop();
}

TEST_CASE("stream reader: a stream that leaves is no longer read, and its entries in hand are still acknowledged to it",
          "[service][redis][stream][integration][partitions]") {
  RedisServer server;
  RedisConnection r = RedisConnection::connect(server.endpoint(), 2s);
  std::mutex mutex;
  std::vector<std::string> streams{"test:a", "test:b"};
  RedisStreamReaderOptions o = fast_options(server);
  o.key.clear();
  o.max_unacknowledged = 2;
  o.streams = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return streams;
  };
  Recorder rec;
  RedisStreamReader reader(o, rec.callbacks());
  reader.start();
  REQUIRE(rec.wait_connected());
  // Ids unique across the streams, as the partition streams' (copies of the ingress entries, under their ids).
  const std::string a1 = r.xadd_at("test:a", "1-1", {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "a1"}});
  const std::string b1 = r.xadd_at("test:b", "1-2", {{"channel", "campaign.c2.worldTimeAdvanced"}, {"payload", "b1"}});
  REQUIRE(rec.wait_entries(2));
  CHECK(reader.unacknowledged() == 2);  // at the bound
  {
    std::lock_guard<std::mutex> lock(mutex);
    streams = {"test:b"};  // a handed off
  }
  // a's entry no longer counts: room for b's next one, while a's new one is not read.
  r.xadd_at("test:a", "1-3", {{"channel", "campaign.c1.worldTimeAdvanced"}, {"payload", "a2"}});
  const std::string b2 = r.xadd_at("test:b", "1-4", {{"channel", "campaign.c2.worldTimeAdvanced"}, {"payload", "b2"}});
  REQUIRE(rec.wait_entries(3));
  CHECK(rec.entries()[2].id == b2);
  reader.acknowledge(a1);  // the session that had it committed it
  reader.acknowledge(b1);
  reader.acknowledge(b2);
  CHECK(r.xpending_count("test:a", "hourglass") == 0);
  CHECK(r.xpending_count("test:b", "hourglass") == 0);
  CHECK(r.xlen("test:a") == 2);
  reader.stop();
  CHECK(rec.entries().size() == 3);
}
