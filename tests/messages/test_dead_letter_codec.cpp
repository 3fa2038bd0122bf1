// Unit tests for messages/dead_letter_codec: a dead letter's `write` field
// read back, refusals naming the field.
#include <catch2/catch.hpp>

#include "messages/dead_letter_codec.hpp"

using namespace hourglass::messages;

namespace {

const char* kEntry =
    R"({"campaignId":"c1","kind":"Settlement","entityId":"s1","changes":{"population":5},)"
    R"("idempotencyKey":"c1:Settlement:s1:POPULATION_GROWTH:0","worldTime":"1970-01-01T00:00:00.000Z")";

InputError refusal(const std::string& text) {
  try {
    read_dead_letter_write(text);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("accepted: " << text);
  throw;  // unreachable
}

}  // namespace

TEST_CASE("dead letter: the write, its reason and attempts", "[messages][dead_letter]") {
  const DeadLetterWrite w = read_dead_letter_write(std::string(kEntry) + R"(,"reason":"http: HTTP 500","attempts":4})");
  CHECK(w.campaign_id == "c1");
  CHECK(w.kind == "Settlement");
  CHECK(w.entity_id == "s1");
  CHECK(w.changes == json{{"population", 5}});
  CHECK(w.idempotency_key == "c1:Settlement:s1:POPULATION_GROWTH:0");
  CHECK(w.world_time == 0);
  CHECK(w.reason == "http: HTTP 500");
  CHECK(w.attempts == 4);
  // reason and attempts only inform: odd ones are shown or left out, not refused.
  const DeadLetterWrite odd = read_dead_letter_write(std::string(kEntry) + R"(,"reason":{"x":1},"attempts":1.5})");
  CHECK(odd.reason == R"({"x":1})");
  CHECK_FALSE(odd.attempts);
  CHECK(read_dead_letter_write(std::string(kEntry) + R"(,"attempts":2.0})").attempts == 2);
}

TEST_CASE("dead letter: refusals", "[messages][dead_letter]") {
  CHECK(refusal("nope").what() == std::string("`write` is not a JSON object"));
  CHECK(refusal("[1]").what() == std::string("`write` is not a JSON object"));
  CHECK(refusal(R"({"kind":"Settlement"})").path() == "$.entityId");
  CHECK(refusal(std::string(kEntry).replace(std::string(kEntry).find("1970"), 4, "1969x") + "}").path() ==
        "$.worldTime");
  std::string no_campaign = kEntry;
  no_campaign.replace(0, std::string(R"({"campaignId":"c1",)").size(), "{");
  CHECK(refusal(no_campaign + "}").what() == std::string("$.campaignId: required field is missing"));
  std::string bad_changes = kEntry;
  bad_changes.replace(bad_changes.find(R"({"population":5})"), 16, "[]");
  CHECK(refusal(bad_changes + "}").path() == "$.changes");
}
