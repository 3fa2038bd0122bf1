#include <catch2/catch.hpp>

#include "runtime/tune/json_scan.hpp"
#include "runtime/tune/record_reader.hpp"

using namespace hourglass::runtime::tune;

namespace {

const char* kPaid =
    R"({"campaignId":"c1","worldTime":"2025-01-01T04:00:00.000Z","kind":"MAINTENANCE_PAID","entityType":"Structure","entityId":"st3","changes":{"condition":25},"settlementId":"s1","settlementChanges":{"resources.gold":87}})";

struct Collect final : RecordConsumer {
  std::vector<std::string> ids;
  void on_record(const RecordLine& r) override { ids.emplace_back(r.entity_id); }
};

}  // namespace

TEST_CASE("the scanner visits members with their types", "[tune][scan]") {
  std::vector<std::string> seen;
  const bool ok = scan_object(R"( {"a":"x\"y","n":-12,"f":1.5,"t":true,"o":{"k":[1],"s":"}"},"l":[1]} )",
                              [&](const JsonToken& key, const JsonToken& value) {
                                seen.push_back(key.text() + "=" + value.text());
                                if (key.equals("n")) CHECK((value.integral && value.number == -12));
                                if (key.equals("f")) CHECK_FALSE(value.integral);
                                if (key.equals("a")) CHECK(value.escaped);
                              });
  // A nested object is passed whole (checked when it is scanned itself);
  // arrays are not part of records: the scan stops there and says so.
  CHECK_FALSE(ok);
  CHECK(seen == std::vector<std::string>{"a=x\"y", "n=-12", "f=1.5", "t=true", "o={\"k\":[1],\"s\":\"}\"}"});
  CHECK_FALSE(scan_object(R"({"k":[1],"s":"}"})", [](const JsonToken&, const JsonToken&) {}));
  seen.clear();
  CHECK(scan_object(R"({"o":{"k":1,"s":"\u00e9\ud83d\ude00"}})", [&](const JsonToken& key, const JsonToken& value) {
    seen.push_back(key.text() + "=" + value.text());
  }));
  CHECK(seen == std::vector<std::string>{"o={\"k\":1,\"s\":\"\\u00e9\\ud83d\\ude00\"}"});
  CHECK(scan_object(R"({"s":"\u00e9\ud83d\ude00\n"})", [&](const JsonToken&, const JsonToken& value) {
    CHECK(value.text() == "\xc3\xa9\xf0\x9f\x98\x80\n");
  }));
  for (const char* bad : {"", "{", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":1} x", "[1]"})
    CHECK_FALSE(scan_object(bad, [](const JsonToken&, const JsonToken&) {}));
}

TEST_CASE("a record line is read field by field", "[tune][scan]") {
  RecordLine r;
  REQUIRE(read_record_line(kPaid, r));
  CHECK(r.time == 1'735'704'000'000);
  CHECK(r.world_time == "2025-01-01T04:00:00.000Z");
  CHECK(r.kind == hourglass::sim::RecordKind::MaintenancePaid);
  CHECK(r.campaign_id == "c1");
  CHECK(r.entity_id == "st3");
  CHECK(r.settlement_id == "s1");
  CHECK(r.changes == R"({"condition":25})");
  CHECK(r.settlement_changes == R"({"resources.gold":87})");

  REQUIRE(read_record_line(R"({"campaignId":"c\"1","worldTime":"2025-01-01T04:00:00.000Z","kind":"LEVEL_UP","entityType":"Settlement","entityId":"s\\1","changes":{"level":2}})", r));
  CHECK(r.campaign_id == "c\"1");
  CHECK(r.entity_id == "s\\1");
  CHECK(r.settlement_id.empty());
  CHECK(r.settlement_changes.empty());

  CHECK_FALSE(read_record_line(R"({"campaignId":"c1","worldTime":"yesterday","kind":"LEVEL_UP","entityId":"s1","changes":{}})", r));
  CHECK_FALSE(read_record_line(R"({"campaignId":"c1","worldTime":"","kind":"LEVEL_UP","entityType":"Settlement","entityId":"s1","changes":{}})", r));
  CHECK_FALSE(read_record_line(R"({"campaignId":"c1","worldTime":"2025-01-01T04:00:00.000Z","kind":"NAP","entityId":"s1","changes":{}})", r));
  CHECK_FALSE(read_record_line(R"({"campaignId":"c1","worldTime":"2025-01-01T04:00:00.000Z","kind":"LEVEL_UP","entityId":"s1"})", r));
}

TEST_CASE("the reader joins lines split across chunks and counts bad ones", "[tune][scan]") {
  Collect collect;
  RecordReader reader({&collect});
  const std::string line = std::string(kPaid) + "\n";
  const std::string text = line + line + "not a record\n" + line;
  for (std::size_t i = 0; i < text.size(); i += 7) reader.write(std::string_view(text).substr(i, 7));
  reader.flush();
  CHECK(collect.ids == std::vector<std::string>{"st3", "st3", "st3"});
  CHECK(reader.records() == 3);
  CHECK(reader.bad_lines() == 1);
}
