#include <catch2/catch.hpp>

#include "runtime/tune/record_table.hpp"

using namespace hourglass::runtime::tune;

namespace {

std::string line(const char* time, const char* kind, const char* type, const char* id, const char* changes) {
  return std::string(R"({"campaignId":"c1","worldTime":")") + time + R"(","kind":")" + kind +
         R"(","entityType":")" + type + R"(","entityId":")" + id + R"(","changes":)" + changes + "}\n";
}

RecordTable table(const std::vector<std::string>& lines) {
  RecordTable t;
  RecordReader reader({&t});
  for (const std::string& l : lines) reader.write(l);
  REQUIRE(reader.bad_lines() == 0);
  return t;
}

}  // namespace

TEST_CASE("timeline.csv has a row per record key and a column per rule set", "[tune][csv]") {
  const char* t1 = "2025-01-01T01:00:00.000Z";
  const char* t2 = "2025-01-01T02:00:00.000Z";
  std::vector<RecordTable> tables;
  // Rule set a: records out of key order, a deleted-and-recreated structure
  // completing twice at t2, and an id that needs CSV quoting.
  tables.push_back(table({line(t2, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":12})"),
                          line(t1, "RESOURCE_GENERATION", "Settlement", "s,2", R"({"resources.food":3})"),
                          line(t2, "CONSTRUCTION_COMPLETE", "Structure", "st1", R"({"status":"ACTIVE"})"),
                          line(t2, "CONSTRUCTION_COMPLETE", "Structure", "st1", R"({"condition":100})")}));
  // Rule set b: one of the same keys, one of its own.
  tables.push_back(table({line(t1, "LEVEL_UP", "Settlement", "s1", R"({"level":2})"),
                          line(t2, "POPULATION_GROWTH", "Settlement", "s1", R"({"population":13})")}));
  const std::string csv = timeline_csv({"a", "b (fast)"}, tables);
  CHECK(csv ==
        "worldTime,campaignId,entityType,entityId,kind,a,b (fast)\n"
        // "s,2" sorts before "s1": ',' is 0x2C, '1' is 0x31.
        "2025-01-01T01:00:00.000Z,c1,Settlement,\"s,2\",RESOURCE_GENERATION,\"{\"\"resources.food\"\":3}\",\n"
        "2025-01-01T01:00:00.000Z,c1,Settlement,s1,LEVEL_UP,,\"{\"\"level\"\":2}\"\n"
        "2025-01-01T02:00:00.000Z,c1,Settlement,s1,POPULATION_GROWTH,\"{\"\"population\"\":12}\",\"{\"\"population\"\":13}\"\n"
        "2025-01-01T02:00:00.000Z,c1,Structure,st1,CONSTRUCTION_COMPLETE,\"{\"\"status\"\":\"\"ACTIVE\"\"}\",\n"
        "2025-01-01T02:00:00.000Z,c1,Structure,st1,CONSTRUCTION_COMPLETE,\"{\"\"condition\"\":100}\",\n");
}

TEST_CASE("timeline.csv orders keys by bytes, entity type before id", "[tune][csv]") {
  const char* t = "2025-01-01T01:00:00.000Z";
  std::vector<RecordTable> tables;
  tables.push_back(table({line(t, "MAINTENANCE_MISSED", "Structure", "a", "{}"),
                          line(t, "LEVEL_UP", "Settlement", "s10", "{}"),
                          line(t, "LEVEL_UP", "Settlement", "S2", "{}"),
                          line(t, "POPULATION_GROWTH", "Settlement", "s10", "{}")}));
  const std::string csv = timeline_csv({"only"}, tables);
  const std::string t_ = std::string(t) + ",c1,";
  CHECK(csv == "worldTime,campaignId,entityType,entityId,kind,only\n" + t_ + "Settlement,S2,LEVEL_UP,{}\n" + t_ +
                   "Settlement,s10,LEVEL_UP,{}\n" + t_ + "Settlement,s10,POPULATION_GROWTH,{}\n" + t_ +
                   "Structure,a,MAINTENANCE_MISSED,{}\n");
}
