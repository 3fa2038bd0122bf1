// A campaign's checkpoint: all the state Hourglass needs to go on exactly
// where it stopped — the clock, every entity (with its hidden carry and the
// anchors of its timers), every event (completed ones too) and deferred
// effect, and which input it had applied last. Service mode writes one after
// every message (with that message's API writes, in one Redis transaction),
// and a restarted or reactivated campaign starts from it.
//
// The layout is a scenario campaign (SPEC §6), so a checkpoint reads like the
// files designers know, wrapped with a format name and a version:
//   {"format": "hourglass-checkpoint", "version": 1,
//    "input": {"messages": 42, "streamId": "1700000000000-0", "writes": 97},
//    "campaign": {"id", "currentWorldTime", "settlements", "structures",
//                 "events", "deferredEffects"}}
// Settlements, and structures whose periodic timers run, also carry
// "timersAnchor": the time their timers are anchored at, which no other
// field keeps (a completion firing anchors them at its own instant; an
// UPDATE of createdAt keeps the old anchor).
//
// Versions: the reader takes every version up to kCheckpointVersion, each
// older one upgraded field by field (documented in docs/operations.md); a
// newer one was written by a newer Hourglass and is refused, naming it.
#pragma once

#include <cstdint>
#include <string>

#include "messages/json_read.hpp"
#include "sim/campaign_seed.hpp"
#include "sim/rules.hpp"
#include "sim/snapshot.hpp"

namespace hourglass::messages {

inline constexpr int kCheckpointVersion = 1;

// Which input the checkpoint has applied: messages handled since the
// campaign was first seen, and the last Redis Stream entry id (empty when
// the input is pub/sub); and how many API writes its messages produced.
struct CheckpointInput {
  std::uint64_t messages = 0;
  std::string stream_id;
  // The last number given to one of the campaign's API writes (io::EntityWrite::seq).
  std::uint64_t writes = 0;
  bool operator==(const CheckpointInput& o) const {
    return messages == o.messages && stream_id == o.stream_id && writes == o.writes;
  }
};

struct Checkpoint {
  sim::CampaignSeed seed;  // complete patches: what the campaign starts from
  CheckpointInput input;
};

json checkpoint_json(const sim::CampaignSnapshot& state, const CheckpointInput& input);

// Throws InputError naming the JSON path (below `path`) of the first fault.
Checkpoint read_checkpoint(const json& doc, const std::string& path, const sim::Rules& rules);
// The same from the text stored in Redis; a text that is not JSON is refused.
Checkpoint read_checkpoint_text(const std::string& text, const std::string& where, const sim::Rules& rules);

}  // namespace hourglass::messages
