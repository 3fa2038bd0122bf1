// What the actors say to each other. Atoms name the operations; the structs
// carry their payloads. Every type here travels only inside one process, so
// it is allowed as an unserialized ("unsafe") message type.
#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/wire.hpp"
#include "sim/campaign_seed.hpp"
#include "sim/canonical_merge.hpp"
#include "sim/entities.hpp"
#include "sim/patch.hpp"
#include "sim/rules.hpp"
#include "sim/snapshot.hpp"

namespace hourglass::actors {

// campaign -> settlement -> structure
using advance_atom = caf::atom_constant<caf::atom("advance")>;   // fire due timers up to T
using overdue_atom = caf::atom_constant<caf::atom("overdue")>;   // fire one-shots due at load
using commit_atom = caf::atom_constant<caf::atom("commit")>;     // the message is done
using committed_atom = caf::atom_constant<caf::atom("committed")>;  // settlement -> campaign: its copy
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using lend_atom = caf::atom_constant<caf::atom("lend")>;         // settlement borrows a structure
using restore_atom = caf::atom_constant<caf::atom("restore")>;   // and gives it back
using create_atom = caf::atom_constant<caf::atom("create")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using detach_atom = caf::atom_constant<caf::atom("detach")>;     // a structure moves away
using attach_atom = caf::atom_constant<caf::atom("attach")>;     // and arrives
// driver/bridge -> campaign
using handle_atom = caf::atom_constant<caf::atom("handle")>;     // one inbound message
using load_atom = caf::atom_constant<caf::atom("load")>;
// -> campaign -> settlement: new rules from now on (SIGHUP reload)
using rules_atom = caf::atom_constant<caf::atom("rules")>;
// campaign -> record sink
using records_atom = caf::atom_constant<caf::atom("records")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
// campaign -> record sink: an inbound message is done; the records sent
// before belong to it (the service's gateway coalesces per message).
using message_done_atom = caf::atom_constant<caf::atom("msgdone")>;
// campaign -> record sink, before msgdone: (WorldTime clock, map settlement
// id -> carry) for the settlements whose hidden carry changed in the message.
using carry_atom = caf::atom_constant<caf::atom("carry")>;

// A settlement's records for one step, serialized and grouped by instant.
struct StepResult {
  sim::RecordBatch batch;
  std::uint64_t firings = 0;
  double carry = 0;  // the settlement's hidden population carry after the step
};

// How the campaign dealt with one inbound message.
enum class Outcome : std::uint8_t { Applied, Ignored, Refused };

struct Handled {
  Outcome outcome = Outcome::Applied;
  std::string note;  // why ignored or refused, or a logged gap
  std::uint64_t records = 0;
  std::uint64_t firings = 0;
  std::map<std::string, double> carries;  // settlement id -> carry after the message
};

using Carries = std::map<std::string, double>;  // settlement id -> carry

// A structure in transit between settlements (UPDATE of its settlementId).
// Its actor stays behind (it ends): the new settlement spawns one, linked to
// itself, so that each settlement is linked to exactly its own structures.
struct MovingStructure {
  sim::Structure structure;
};

struct SettlementSnapshot {
  sim::Settlement settlement;
  std::vector<sim::Structure> structures;
};

// Everything a campaign starts from (scenario, API bootstrap or checkpoint).
using CampaignSeed = sim::CampaignSeed;

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::StepResult)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::Handled)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::Carries)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::MovingStructure)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::SettlementSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::CampaignSeed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::messages::Message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::Structure)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::StructurePatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::SettlementPatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::CampaignSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::RulesPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::OrderedRecords)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::sim::ChangeList)
