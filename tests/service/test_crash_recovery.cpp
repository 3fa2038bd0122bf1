// Nothing lost, nothing doubled, proven with real processes: `hourglass
// serve` is a child process SIGKILLed at seeded instants (after a random
// delay, as the API has applied a write and not yet answered, as it has
// executed an effect and not yet answered, as soon as a write is committed)
// and started again, against a real redis-server (AOF, appendfsync always)
// and the fake campaign API over HTTP; the story is the bundled examples 07
// and 08 (advances, entity modifications, bad input) with their deferred
// effects. The API must end as the replay of the same story: every
// settlement's population, resources and level, every structure's status
// and condition, every event's completion; every effect run as often as in
// the replay; no write applied twice (tests/service/support/crash_drill).
// The long version: `hourglass-bench crash --trials 50`.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/service/support/crash_drill.hpp"

#ifndef HOURGLASS_BINARY
#error "HOURGLASS_BINARY must be defined (tests/service/CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
using hourglass::service::testing::CrashDrillOptions;
using hourglass::service::testing::CrashDrillResult;

namespace {

const fs::path kExamples = fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples";

std::string report(const CrashDrillResult& r) {
  std::ostringstream out;
  out << r.messages << " messages, " << r.service_kills << " service kills, " << r.redis_kills << " redis kills, "
      << r.entities_checked << " entities and " << r.effects_checked << " effects checked, " << r.writes_applied
      << " writes applied, " << r.passivations << " passivations, " << r.records_compared << " records compared\n";
  for (const auto& l : r.lost) out << "LOST: " << l << "\n";
  for (const auto& d : r.doubled) out << "DOUBLED: " << d << "\n";
  if (!r.failure.empty()) out << "FAILED: " << r.failure << "\n";
  return out.str();
}

CrashDrillResult drill(const std::string& example, std::uint64_t seed, int service_kills, int redis_kills,
                       int passivate_every = 0, bool compare_records = false, bool cluster = false) {
  CrashDrillOptions o;
  o.cluster = cluster;
  o.scenario = (kExamples / example).string();
  o.hourglass = HOURGLASS_BINARY;
  o.seed = seed;
  o.service_kills = service_kills;
  o.redis_kills = redis_kills;
  o.passivate_every = passivate_every;
  o.compare_records = compare_records;
  o.work_dir = (fs::temp_directory_path() / ("hourglass-crash-" + std::to_string(::getpid()) + "-" + example)).string();
  return hourglass::service::testing::run_crash_drill(o);
}

}  // namespace

TEST_CASE("crash: with no kill, the service's API state and published records are the replay's (the drill's baseline)",
          "[service][crash][integration]") {
  const CrashDrillResult r = drill("07-generated-medium-default.json", 1, 0, 0, 0, true);
  INFO(report(r));
  CHECK(r.ok());
  CHECK(r.entities_checked > 20);
  CHECK(r.effects_checked == 4);
  CHECK(r.records_compared > 500);
}

TEST_CASE("passivation: campaigns passivated after every few messages and reactivated from their checkpoints "
          "publish exactly the records of a run without passivation",
          "[service][passivation][integration]") {
  for (const auto& example : {"07-generated-medium-default.json", "08-generated-medium-tuned.json"}) {
    INFO(example);
    const CrashDrillResult r = drill(example, 3, 0, 0, 5, true);
    INFO(report(r));
    CHECK(r.ok());
    CHECK(r.passivations >= r.messages / 5);
    CHECK(r.records_compared > 100);
  }
}

TEST_CASE("crash: hourglass serve SIGKILLed at 24 seeded instants loses nothing and doubles nothing",
          "[service][crash][integration]") {
  for (const auto& [example, seed] : {std::pair<const char*, std::uint64_t>{"07-generated-medium-default.json", 7},
                                      {"08-generated-medium-tuned.json", 8}}) {
    INFO(example);
    const CrashDrillResult r = drill(example, seed, 12, 0);
    INFO(report(r));
    CHECK(r.service_kills == 12);
    CHECK(r.ok());
  }
}

TEST_CASE("crash: redis-server SIGKILLed and restarted (AOF always), with the service killed too, loses nothing",
          "[service][crash][integration]") {
  const CrashDrillResult r = drill("08-generated-medium-tuned.json", 21, 4, 4);
  INFO(report(r));
  CHECK(r.redis_kills == 4);
  CHECK(r.service_kills == 4);
  CHECK(r.ok());
}

TEST_CASE("crash on a redis cluster: the service and masters SIGKILLed (each master restarted from its AOF) lose "
          "nothing and double nothing",
          "[service][crash][integration][cluster]") {
  const CrashDrillResult r = drill("08-generated-medium-tuned.json", 31, 4, 3, 0, false, true);
  INFO(report(r));
  CHECK(r.redis_kills == 3);
  CHECK(r.service_kills == 4);
  CHECK(r.ok());
}
