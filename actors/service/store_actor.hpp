// The durable store: a detached actor (its Redis calls block) that owns the
// service's connection to its checkpoints and outboxes (io/checkpoint_store).
// The registry commits each message of each campaign through it — the
// campaign's checkpoint (encoded here, off the registry's thread) and the API
// writes the message produced, in one round trip (a Lua script), before the gateway may
// send any of them — and loads a campaign's checkpoint when it (re)starts.
// At start the runtime reads the campaign index and every outbox through it.
//
// While Redis cannot be reached a request waits and tries again (backoff)
// until the service stops; other failures are answered at once
// (hourglass_errc::store_failed). The registry keeps a campaign's next message
// until its commit is in.
#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/service/service_protocol.hpp"
#include "actors/service/telemetry.hpp"
#include "io/checkpoint_store.hpp"
#include "io/redis_link.hpp"
#include "io/redis_url.hpp"
#include "messages/checkpoint_codec.hpp"

namespace hourglass::actors {

using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>;
using load_checkpoint_atom = caf::atom_constant<caf::atom("loadckpt")>;
using campaign_index_atom = caf::atom_constant<caf::atom("ckindex")>;
using outbox_atom = caf::atom_constant<caf::atom("outbox")>;
using persistence_atom = caf::atom_constant<caf::atom("persist")>;
using outbox_done_atom = caf::atom_constant<caf::atom("outboxdone")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;

// One message's durable result: the campaign's state after it, which input
// it was, and the writes it produced (numbered: io::EntityWrite::seq).
struct CommitRequest {
  std::string campaign_id;
  sim::CampaignSnapshot snapshot;
  messages::CheckpointInput input;
  std::vector<io::EntityWrite> writes;
  // The partition token the campaign was claimed with (0: none, no fence
  // check): a commit under a stale one is refused, hourglass_errc::fenced.
  std::uint64_t fence = 0;
};

// The outbox entries the writes became, in order (each write with its entry id).
struct CommitReceipt {
  std::vector<io::OutboxEntry> entries;
  std::size_t checkpoint_bytes = 0;
};

using store_actor = caf::typed_actor<
    caf::replies_to<checkpoint_atom, CommitRequest>::with<CommitReceipt>,
    // campaign id -> its checkpoint text; nullopt when it has none
    caf::replies_to<load_checkpoint_atom, std::string>::with<std::optional<std::string>>,
    // (campaign id, partition token): the campaign is claimed for the token
    // (io::CheckpointStore::claim); hourglass_errc::fenced when a higher one has it
    caf::replies_to<claim_atom, std::string, std::uint64_t>::with<bool>,
    // the campaigns that have a checkpoint (the index), sorted
    caf::replies_to<campaign_index_atom>::with<std::vector<std::string>>,
    // campaign id -> every entry still in its outbox, oldest first
    caf::replies_to<outbox_atom, std::string>::with<std::vector<io::OutboxEntry>>,
    // whether Redis keeps what it acknowledged across its own restart
    caf::replies_to<persistence_atom>::with<io::PersistenceReport>,
    // (campaign id, entry ids): written already, out of the outbox (a worker
    // could not remove them itself: Redis was down); waits for Redis
    caf::reacts_to<outbox_done_atom, std::string, std::vector<std::string>>>;

struct StoreState {
  io::RedisEndpoint endpoint;
  Telemetry* telemetry = &Telemetry::none();
  std::shared_ptr<const std::atomic<bool>> stopping;  // set: stop waiting for Redis
  std::optional<io::RedisLink> redis;  // made from `endpoint` when the store starts
  // On `redis`'s connection, re-made with it: its cache (the campaigns it
  // added to the index, the commit script's SHA1) lives as long as the
  // connection (`checkpoints_on`: the RedisLink::opened() it was made at).
  std::optional<io::CheckpointStore> checkpoints;
  std::uint64_t checkpoints_on = 0;
  static inline const char* name = "checkpoint-store";
};

// `stopping` (may be null): once true, a request waiting for Redis gives up
// with store_failed, so that shutdown is not held by a Redis that is gone.
store_actor::behavior_type store(store_actor::stateful_pointer<StoreState> self, io::RedisEndpoint endpoint,
                                 Telemetry* telemetry, std::shared_ptr<const std::atomic<bool>> stopping);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::CommitRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::CommitReceipt)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::string>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hourglass::io::OutboxEntry>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::io::PersistenceReport)
