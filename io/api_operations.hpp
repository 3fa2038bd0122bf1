// Every GraphQL operation Hourglass sends to the campaign API, in one place.
// docs/api-contract.md holds the same texts verbatim (a test checks it), with
// their variables, the reply fields used and the error cases. Change both
// together, and only after the API team confirms the change.
#pragma once

#include <array>
#include <string_view>

namespace hourglass::io::api_ops {

struct Operation {
  std::string_view name;   // operationName, also the name inside `text`
  std::string_view field;  // the root field of the reply: data.<field>
  std::string_view text;   // the GraphQL document
  bool write;              // writes carry an Idempotency-Key header
};

inline constexpr Operation kGetCurrentWorldTime{
    "GetCurrentWorldTime", "getCurrentWorldTime",
    R"(query GetCurrentWorldTime($campaignId: ID!) {
  getCurrentWorldTime(campaignId: $campaignId)
})",
    false};

inline constexpr Operation kKingdomsByCampaign{
    "KingdomsByCampaign", "kingdomsByCampaign",
    R"(query KingdomsByCampaign($campaignId: ID!) {
  kingdomsByCampaign(campaignId: $campaignId) {
    id
  }
})",
    false};

inline constexpr Operation kSettlementsByKingdom{
    "SettlementsByKingdom", "settlementsByKingdom",
    R"(query SettlementsByKingdom($kingdomId: ID!) {
  settlementsByKingdom(kingdomId: $kingdomId) {
    id
    level
    variables
    version
  }
})",
    false};

inline constexpr Operation kGetSettlement{
    "GetSettlement", "settlement",
    R"(query GetSettlement($id: ID!) {
  settlement(id: $id) {
    id
    kingdomId
    level
    variables
    version
  }
})",
    false};

inline constexpr Operation kStructuresBySettlement{
    "StructuresBySettlement", "structuresBySettlement",
    R"(query StructuresBySettlement($settlementId: ID!) {
  structuresBySettlement(settlementId: $settlementId) {
    id
    settlementId
    type
    level
    variables
    version
  }
})",
    false};

inline constexpr Operation kGetStructure{
    "GetStructure", "structure",
    R"(query GetStructure($id: ID!) {
  structure(id: $id) {
    id
    settlementId
    type
    level
    variables
    version
  }
})",
    false};

inline constexpr Operation kEventsByCampaign{
    "EventsByCampaign", "eventsByCampaign",
    R"(query EventsByCampaign($campaignId: ID!) {
  eventsByCampaign(campaignId: $campaignId) {
    id
    scheduledAt
    isCompleted
  }
})",
    false};

inline constexpr Operation kBranches{
    "Branches", "branches",
    R"(query Branches($campaignId: ID!) {
  branches(campaignId: $campaignId) {
    id
    name
    parentId
  }
})",
    false};

inline constexpr Operation kUpdateSettlement{
    "UpdateSettlement", "updateSettlement",
    R"(mutation UpdateSettlement($id: ID!, $input: UpdateSettlementInput!) {
  updateSettlement(id: $id, input: $input) {
    id
    version
  }
})",
    true};

inline constexpr Operation kUpdateStructure{
    "UpdateStructure", "updateStructure",
    R"(mutation UpdateStructure($id: ID!, $input: UpdateStructureInput!) {
  updateStructure(id: $id, input: $input) {
    id
    version
  }
})",
    true};

inline constexpr Operation kExpireEvent{
    "ExpireEvent", "expireEvent",
    R"(mutation ExpireEvent($eventId: ID!) {
  expireEvent(eventId: $eventId) {
    id
    isCompleted
    occurredAt
  }
})",
    true};

inline constexpr Operation kExecuteEffect{
    "ExecuteEffect", "executeEffect",
    R"(mutation ExecuteEffect($input: ExecuteEffectInput!) {
  executeEffect(input: $input) {
    success
    error
    executionId
  }
})",
    true};

// An effect's executions (the API keeps one per executeEffect call): after a
// crash between the call and its acknowledgement, whether it ran; and what
// it hangs on, the way to the campaign it belongs to (io/entity_ownership).
inline constexpr Operation kGetEffectExecutions{
    "GetEffectExecutions", "getEffect",
    R"(query GetEffectExecutions($id: ID!) {
  getEffect(id: $id) {
    id
    entityType
    entityId
    executions {
      id
      executedAt
    }
  }
})",
    false};

// Which campaign an entity belongs to, link by link (io/entity_ownership):
// before a write, the gateway makes sure its entity is its campaign's. Five
// reads of one shape, `query <Name>($id: ID!) { <field>(id: $id) { id <link> } }`,
// written once (the texts are exactly those of docs/api-contract.md 3.11).
#define HOURGLASS_OWNER_LINK_OPERATION(NAME, FIELD, LINK)                                                  \
  inline constexpr Operation k##NAME{#NAME, #FIELD,                                                        \
                                     "query " #NAME "($id: ID!) {\n  " #FIELD "(id: $id) {\n    id\n    " #LINK \
                                     "\n  }\n}",                                                            \
                                     false}
HOURGLASS_OWNER_LINK_OPERATION(KingdomCampaign, kingdom, campaignId);
HOURGLASS_OWNER_LINK_OPERATION(SettlementKingdom, settlement, kingdomId);
HOURGLASS_OWNER_LINK_OPERATION(StructureSettlement, structure, settlementId);
HOURGLASS_OWNER_LINK_OPERATION(EventCampaign, event, campaignId);
HOURGLASS_OWNER_LINK_OPERATION(EncounterCampaign, encounter, campaignId);
#undef HOURGLASS_OWNER_LINK_OPERATION

inline constexpr std::array<const Operation*, 18> kAll{
    &kGetCurrentWorldTime, &kKingdomsByCampaign, &kSettlementsByKingdom, &kGetSettlement,
    &kStructuresBySettlement, &kGetStructure, &kEventsByCampaign, &kBranches, &kGetEffectExecutions,
    &kKingdomCampaign, &kSettlementKingdom, &kStructureSettlement, &kEventCampaign, &kEncounterCampaign,
    &kUpdateSettlement, &kUpdateStructure, &kExpireEvent, &kExecuteEffect};

}  // namespace hourglass::io::api_ops
