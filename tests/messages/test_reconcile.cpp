// Reconciling a resumed campaign with the API (messages/reconcile): only the
// fields the engine does not own count; created and deleted entities are
// found; events are never deleted by it.
#include <catch2/catch.hpp>

#include "messages/reconcile.hpp"

namespace hm = hourglass::messages;
using nlohmann::json;
using K = hm::EntityKind;
using Op = hm::Operation;

namespace {

const json kCheckpointCampaign = {
    {"id", "c1"},
    {"settlements",
     json::array({{{"id", "s1"}, {"name", "Oakridge"}, {"level", 2}, {"population", 120},
                   {"resources", {{"food", 3}}}, {"variables", {{"populationGrowthRate", 0.02}}}, {"carry", 0.5}},
                  {{"id", "s2"}, {"name", "Gone"}, {"level", 1}, {"population", 10}, {"variables", json::object()}}})},
    {"structures",
     json::array({{{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"level", 1}, {"status", "ACTIVE"},
                   {"condition", 80}, {"variables", json::object()}}})},
    {"events", json::array({{{"id", "e1"}, {"scheduledAt", "2025-01-01T05:00:00.000Z"}, {"isCompleted", true}},
                            {{"id", "e2"}, {"scheduledAt", "2025-01-01T06:00:00.000Z"}, {"isCompleted", false}}})}};

// The API's copies as api_entity_codec writes them: the engine's fields
// moved out of variables, other variables kept, names unreadable ("").
std::vector<hm::ListedEntity> api_as_checkpoint() {
  return {
      {K::Settlement, {{"id", "s1"}, {"name", ""}, {"level", 5}, {"population", 999},  // engine-owned: ignored
                       {"variables", {{"populationGrowthRate", 0.02}, {"lore", "free-form, ignored"}}}}},
      {K::Settlement, {{"id", "s2"}, {"name", ""}, {"level", 1}, {"population", 10}, {"variables", json::object()}}},
      {K::Structure, {{"id", "st1"}, {"settlementId", "s1"}, {"type", "farm"}, {"level", 1}, {"status", "DAMAGED"},
                      {"condition", 10}, {"variables", json::object()}}},
      {K::Event, {{"id", "e1"}, {"scheduledAt", "2025-01-01T05:00:00.000Z"}, {"isCompleted", false}}},
      {K::Event, {{"id", "e2"}, {"scheduledAt", "2025-01-01T06:00:00.000Z"}, {"isCompleted", false}}}};
}

}  // namespace

TEST_CASE("reconcile: engine-owned fields, names and free-form variables are not differences",
          "[messages][reconcile]") {
  CHECK(hm::reconcile_changes(kCheckpointCampaign, api_as_checkpoint()).empty());
}

TEST_CASE("reconcile: edits of what the engine does not own become UPDATEs", "[messages][reconcile]") {
  auto api = api_as_checkpoint();
  api[0].entity["variables"]["populationGrowthRate"] = 0.05;  // a rule override
  api[2].entity["settlementId"] = "s2";                       // moved
  api[4].entity["scheduledAt"] = "2025-01-02T00:00:00.000Z";  // rescheduled
  const auto changes = hm::reconcile_changes(kCheckpointCampaign, api);
  const std::vector<hm::ReconcileChange> want{
      {K::Settlement, Op::Update, "s1"}, {K::Structure, Op::Update, "st1"}, {K::Event, Op::Update, "e2"}};
  CHECK(changes == want);
}

TEST_CASE("reconcile: created and deleted entities, but an event the API no longer lists is not deleted",
          "[messages][reconcile]") {
  auto api = api_as_checkpoint();
  api.erase(api.begin() + 1);  // s2 deleted
  api.erase(api.begin() + 3);  // e2 not listed (its scheduledAt set to null)
  api.push_back({K::Settlement, {{"id", "s3"}, {"name", ""}, {"level", 1}, {"population", 5}}});
  api.push_back({K::Structure, {{"id", "st9"}, {"settlementId", "s3"}, {"type", "farm"}, {"level", 1}}});
  const auto changes = hm::reconcile_changes(kCheckpointCampaign, api);
  const std::vector<hm::ReconcileChange> want{
      {K::Settlement, Op::Create, "s3"}, {K::Settlement, Op::Delete, "s2"}, {K::Structure, Op::Create, "st9"}};
  CHECK(changes == want);
}

TEST_CASE("reconcile: an override the engine cannot read is an UPDATE (refused then, saying why)",
          "[messages][reconcile]") {
  auto api = api_as_checkpoint();
  api[0].entity["variables"]["populationGrowthRate"] = "fast";
  const auto changes = hm::reconcile_changes(kCheckpointCampaign, api);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == hm::ReconcileChange{K::Settlement, Op::Update, "s1"});
  CHECK_THROWS_AS(hm::reconcile_changes_with_checkpoint("{not json", api), hm::InputError);
}
