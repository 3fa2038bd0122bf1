// Unit tests for messages/api_entity_codec: what an update sends back to the
// API (the entity mapping itself is checked against the fake API in
// tests/service/test_campaign_api.cpp).
#include <catch2/catch.hpp>

#include "messages/api_entity_codec.hpp"

using namespace hourglass::messages;

TEST_CASE("api entity: the level an update sets, whole numbers only", "[messages][api_entity]") {
  CHECK(changed_level(json{{"level", 3}, {"population", 10}}) == 3);
  CHECK(changed_level(json{{"level", 3.0}}) == 3);
  CHECK_FALSE(changed_level(json{{"level", 3.5}}));
  CHECK_FALSE(changed_level(json{{"level", "3"}}));
  CHECK_FALSE(changed_level(json{{"level", 1e300}}));
  CHECK_FALSE(changed_level(json{{"population", 10}}));
  CHECK_FALSE(changed_level(json(nullptr)));
}

TEST_CASE("api entity: level, name and type are the entity's own fields, not variables", "[messages][api_entity]") {
  const json merged = merged_variables(json{{"note", "kept"}}, json{{"level", 2}, {"name", "x"}, {"type", "farm"},
                                                                      {"resources.food", 4}, {"status", "ACTIVE"}});
  CHECK(merged == json{{"note", "kept"}, {"resources", {{"food", 4}}}, {"status", "ACTIVE"}});
}

TEST_CASE("api entity: an event as engine entity JSON", "[messages][api_entity]") {
  CHECK(event_entity_json(ApiEvent{"e1", 0, true}) ==
        json{{"id", "e1"}, {"scheduledAt", "1970-01-01T00:00:00.000Z"}, {"isCompleted", true}});
}
