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

// Anchors are world time that Hourglass owns: the API's createdAt is its
// database's wall clock and is not read (ApiEntityRow has none); the anchor
// is variables.createdAt, else absent (the registering clock decides).
TEST_CASE("api entity: the anchor is variables.createdAt, never the API's createdAt", "[messages][api_entity]") {
  ApiSettlement s;
  s.id = "s1";
  s.variables = {{"population", 10}, {"createdAt", "4707-01-01T00:00:00.000Z"}, {"note", 1}};
  const json with = settlement_entity_json(s);
  CHECK(with.at("createdAt") == "4707-01-01T00:00:00.000Z");
  CHECK(with.at("variables") == json{{"note", 1}});  // the anchor is the engine's, not an override
  s.variables = {{"population", 10}};
  CHECK_FALSE(settlement_entity_json(s).contains("createdAt"));

  ApiStructure st;
  st.id = "st1";
  st.settlement_id = "s1";
  st.type = "farm";
  st.variables = {{"status", "ACTIVE"},
                  {"condition", 90},
                  {"createdAt", "4707-01-01T00:00:00.000Z"},
                  {"activeSince", "4707-01-03T00:00:00.000Z"}};
  const json active = structure_entity_json(st);
  CHECK(active.at("createdAt") == "4707-01-01T00:00:00.000Z");
  CHECK(active.at("activeSince") == "4707-01-03T00:00:00.000Z");
  CHECK(active.at("variables") == json::object());
  st.variables = json::object();
  const json fresh = structure_entity_json(st);
  CHECK_FALSE(fresh.contains("createdAt"));
  CHECK(fresh.at("status") == "UNDER_CONSTRUCTION");
}

TEST_CASE("api entity: an update stores an anchor where none is, and never moves one", "[messages][api_entity]") {
  const json anchor = {{"createdAt", "4707-01-01T00:00:00.000Z"}, {"population", 3}};
  CHECK(merged_variables(json{{"note", 1}}, anchor) ==
        json{{"note", 1}, {"createdAt", "4707-01-01T00:00:00.000Z"}, {"population", 3}});
  CHECK(merged_variables(json{{"createdAt", "4706-05-05T00:00:00.000Z"}}, anchor) ==
        json{{"createdAt", "4706-05-05T00:00:00.000Z"}, {"population", 3}});
}
