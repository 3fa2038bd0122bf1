// Reconciling a campaign resumed from its checkpoint with the campaign API,
// for what was changed there while Hourglass was not listening (pub/sub
// drops what is published while nobody subscribes): which entities to
// CREATE, DELETE or UPDATE so that the engine's own copy holds the API's
// edits again. Pure: the checkpoint (messages/checkpoint_codec layout) and
// the API's entities (SPEC entity shape, messages/api_entity_codec) in, the
// changes out; the registry applies them at the resume clock.
//
// Compared, per entity present on both sides, are only the fields the
// engine does not own and can read back from the API:
//   Settlement  its rule overrides (variables the engine knows); not its
//               name (the API's cannot be read: docs/api-contract.md), not
//               population, resources, level, carry (the engine's), not
//               createdAt (its anchor, never moved)
//   Structure   settlementId, type, level, constructionCompletesAt and its
//               rule overrides; not status, condition, activeSince, createdAt
//   Event       scheduledAt; not isCompleted (the engine's)
// An entity only the API has is a CREATE; a settlement or structure only the
// checkpoint has is a DELETE. Events are never deleted by reconciling: the
// API does not list an event whose scheduledAt is null, which is not a
// deletion. Effects are not compared: the API has no deferred effects.
#pragma once

#include <string>
#include <vector>

#include "messages/json_read.hpp"
#include "messages/wire.hpp"

namespace hourglass::messages {

struct ListedEntity {
  EntityKind kind = EntityKind::Settlement;
  json entity;  // SPEC entity shape, with `id`
};

struct ReconcileChange {
  EntityKind kind = EntityKind::Settlement;
  Operation operation = Operation::Update;
  std::string entity_id;
  bool operator==(const ReconcileChange& o) const {
    return kind == o.kind && operation == o.operation && entity_id == o.entity_id;
  }
};

// `checkpoint_campaign`: a checkpoint's "campaign" object. Changes come by
// kind (settlements, structures, events), then CREATE, UPDATE, DELETE, each
// by id: a settlement is created before its structures. An API entity whose
// variables cannot be read is an UPDATE (the engine then refuses it,
// saying why, as it would any bad entity).
std::vector<ReconcileChange> reconcile_changes(const json& checkpoint_campaign, const std::vector<ListedEntity>& api);
// The same from a checkpoint's text as stored; throws InputError when it is
// not a checkpoint's JSON.
std::vector<ReconcileChange> reconcile_changes_with_checkpoint(const std::string& checkpoint_text,
                                                               const std::vector<ListedEntity>& api);

}  // namespace hourglass::messages
