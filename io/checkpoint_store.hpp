// One campaign's durable state in Redis: its checkpoint and its outbox (the
// API writes its messages produced and the gateway has not yet done),
// committed together by one Lua script (one round trip) before anything is
// sent. Used by the registry (commit), the gateway (outbox, done, in-flight
// marks) and the start-up recovery; docs/operations.md, "Durable state".
//
// Keys (all of a campaign's share the hash tag {<campaignId>}, so they live
// in one slot and the script runs on Redis Cluster too):
//   hourglass:{<cid>}:checkpoint  string: the checkpoint JSON text
//                                 (messages/checkpoint_codec; opaque here)
//   hourglass:{<cid>}:outbox      stream: one entry per API write, field
//                                 `write` = io::write_to_text(cid, write)
//                                 (= io::write_to_json(cid, write).dump())
//   hourglass:{<cid>}:inflight    hash: field = outbox entry id whose call
//                                 has started (mark_in_flight), value = its mark
//   hourglass:{<cid>}:commit      string: "<token>|<id>,<id>,...", the last
//                                 commit's token and entry ids (a retried
//                                 commit is answered from it, see commit())
//   hourglass:{<cid>}:fence       string: the highest partition token
//                                 (io/partition_lease) that claimed the
//                                 campaign; absent: never claimed (a
//                                 deployment from before partitions)
//   hourglass:campaigns           set: the campaign ids ever committed and
//                                 not forgotten
// The index set is in another slot than the campaign's keys, so it cannot be
// in the script: commit adds the id to it first (SADD, idempotent), once per
// campaign per CheckpointStore instance (the ids it added are remembered;
// forget() drops its id from them). A crash between the SADD and the script
// leaves an id in the index without a checkpoint; load() answers nullopt for
// it and resume simply skips it. An index key deleted behind a running store
// is not rewritten by that store: the next instance (the service's store
// actor makes one per Redis connection, so on a reconnection or a restart)
// adds each campaign again at its first commit.
//
// The commit script (EVALSHA; SCRIPT LOAD on first use and on NOSCRIPT):
// KEYS = checkpoint, outbox, last commit, fence; ARGV = token, fence token,
// checkpoint text, write texts. It checks the keys' types and, when given a
// fence token, that it is the campaign's fence (else it refuses, nothing
// written: another instance claimed the campaign since), then SETs the
// checkpoint and XADDs each write, and answers the new entry ids. A script runs atomically (no other client's
// command runs in between) but, like MULTI/EXEC, does NOT roll back: a write
// command failing halfway leaves the earlier ones applied. So everything
// that can refuse is checked before the first write: a key of the wrong type
// (an XADD to a string would fail with WRONGTYPE after the SET) is refused
// with nothing written (CheckpointStoreError, partially_applied() false), and
// Redis' OOM refusal, with maxmemory, is only made at a script's first write
// (the SET: nothing written). An XADD failing after the SET (nothing left
// that should: its key is a stream, its id `*`) is reported as partially
// applied: the campaign's state must then be rebuilt, not trusted. The
// residual risk is a script stopped mid-way: SCRIPT KILL is refused once a
// script has written (UNKILLABLE), so only SHUTDOWN NOSAVE (or a crash of
// redis-server) can cut one, and then the memory it half-wrote is gone with
// the process; what persists is what the AOF or a replica got, and Redis 7
// propagates a script's writes as one MULTI/EXEC after the script ends (an
// AOF cut inside it is reverted to before the MULTI on load). The script
// takes well under a millisecond, far from the busy-script threshold (5 s)
// after which Redis answers BUSY to other clients.
// tests/service/test_checkpoint_store shows each case against a real Redis.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "io/coalesce.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::io {

class CheckpointStoreError : public std::runtime_error {
 public:
  CheckpointStoreError(const std::string& message, bool partially_applied, bool transient = false, bool fenced = false)
      : std::runtime_error(message), partially_applied_(partially_applied), transient_(transient), fenced_(fenced) {}
  // The commit wrote some of its commands and not others (see above).
  bool partially_applied() const { return partially_applied_; }
  // Nothing was written, and the same commit may pass later (Redis was
  // loading, busy, out of memory: RedisError::transient()).
  bool transient() const { return transient_; }
  // Nothing was written: the campaign's fence holds another token than the
  // one given (a higher one claimed it: the campaign is another instance's
  // now). Never passes later.
  bool fenced() const { return fenced_; }

 private:
  bool partially_applied_;
  bool transient_;
  bool fenced_;
};

// One outbox entry. `write` is nullopt for an entry that cannot be read back
// (no `write` field, not the JSON write_to_json writes, another campaign's
// id): a poison entry, returned with `refusal` saying why rather than thrown,
// so one bad entry does not stop the rest of the outbox. The caller decides
// (dead-letter it, then done()).
struct OutboxEntry {
  std::string id;
  std::string campaign_id;
  std::optional<EntityWrite> write;
  std::string refusal;  // empty when `write` is set
};

// Redis' persistence as CONFIG GET reports it, judged for durability.
struct PersistenceReport {
  bool durable = false;
  std::string why;
};

// durable only with appendonly yes and appendfsync always (each commit on
// disk before Redis answers) or everysec (durable, with up to 1 s of commits
// lost if the machine, not just redis-server, crashes). `config`: the pairs
// of CONFIG GET appendonly / appendfsync / save.
PersistenceReport assess_persistence(const std::vector<std::pair<std::string, std::string>>& config);
// The same from the server; a server that refuses CONFIG GET (managed Redis
// often renames it) is reported not durable, saying so. Never throws.
PersistenceReport check_persistence(RedisConnection& redis);

inline constexpr const char* kCampaignIndexKey = "hourglass:campaigns";
std::string checkpoint_key(const std::string& campaign_id);
std::string outbox_key(const std::string& campaign_id);
std::string inflight_key(const std::string& campaign_id);
std::string commit_key(const std::string& campaign_id);
std::string campaign_fence_key(const std::string& campaign_id);

class CheckpointStore {
 public:
  // Uses (does not own) `redis`, which must outlive the store.
  explicit CheckpointStore(RedisConnection& redis);

  // SADD index (first commit of the campaign by this store only), then the
  // commit script (see above): one round trip. Returns the new outbox entry
  // ids, in the order of `writes`. Throws std::invalid_argument for an empty
  // campaign id; CheckpointStoreError for a key of the wrong type ("...
  // refused, nothing written: ..."; nothing written but the index), a
  // command Redis refused before the first write ("not applied"), or one
  // failing after it ("PARTIALLY APPLIED", partially_applied()); RedisError
  // for I/O errors (then the commit may or may not have happened: load()
  // tells).
  //
  // `token` makes a commit idempotent: the script keeps the last token it
  // committed with its entry ids (hourglass:{<cid>}:commit), and a commit
  // carrying that same token again — a retry after its reply was lost to a
  // timeout or a broken link — writes nothing and answers those ids. Without
  // it a retried commit appended its writes twice, and an effect so copied
  // would run twice. Empty: no such check (each call writes).
  //
  // `fence` (0: none, no check, as a single instance before partitions) is
  // the partition token the campaign was claimed with (claim): a commit whose
  // fence is not the campaign's stored one is refused before the first
  // write, nothing written (CheckpointStoreError, fenced()). A campaign with
  // no fence at all is claimed by the commit: only a Redis that lost its
  // data (its partition counters with it) or an operator's DEL leaves a
  // claimed campaign without one, and refusing then would stop the campaign
  // for good.
  std::vector<std::string> commit(const std::string& campaign_id, const std::string& checkpoint_text,
                                  const std::vector<EntityWrite>& writes, const std::string& token = "",
                                  std::uint64_t fence = 0);
  // Claims the campaign for partition token `fence` (at least 1): the
  // campaign's fence becomes `fence` unless it holds a higher one, which
  // refuses the claim (CheckpointStoreError, fenced(), nothing written). A
  // session claims its campaign before it reads the checkpoint: whatever it
  // reads then, no holder of a lower token can commit over it.
  void claim(const std::string& campaign_id, std::uint64_t fence);
  // The checkpoint text; nullopt when the campaign has none.
  std::optional<std::string> load(const std::string& campaign_id);
  // The campaign ids in the index, sorted.
  std::vector<std::string> campaigns();
  // The oldest `count` outbox entries, oldest first.
  std::vector<OutboxEntry> outbox(const std::string& campaign_id, std::size_t count);
  std::size_t outbox_length(const std::string& campaign_id);
  // Marks an entry's call as started, before the call, with what the caller
  // needs to decide afterwards whether it ran (an effect: how many
  // executions it had before the call).
  void mark_in_flight(const std::string& campaign_id, const std::string& entry_id, const std::string& mark = "1");
  // The mark of an entry whose call started and was not done; nullopt when none.
  std::optional<std::string> in_flight_mark(const std::string& campaign_id, const std::string& entry_id);
  // An effect's call, guarded against a paused process (see
  // io/outbox_delivery): the entry's mark as it stands, and Redis' clock.
  struct MarkNow {
    std::optional<std::string> mark;
    std::int64_t now_ms = 0;  // Redis' TIME, in ms
  };
  MarkNow in_flight_mark_now(const std::string& campaign_id, const std::string& entry_id);
  // Marks the entry's call as starting, with `count` executions before it and
  // Redis' time ("<count>@<ms>"), only if the entry is still in the outbox
  // (else Gone: done by someone else) and its mark is still `seen` (else
  // Changed: another call was marked meanwhile). One script, one round trip.
  enum class CallClaim { Go, Gone, Changed };
  CallClaim claim_call(const std::string& campaign_id, const std::string& entry_id,
                       const std::optional<std::string>& seen, std::uint64_t count);
  // The entries marked in flight and not done, in stream (id) order.
  std::vector<std::string> in_flight(const std::string& campaign_id);
  // Removes the entries from the outbox and their in-flight marks, in one
  // transaction. Returns how many outbox entries were removed.
  std::size_t done(const std::string& campaign_id, const std::vector<std::string>& ids);
  // Deletes the campaign's keys (one transaction), then its index entry.
  // Its fence stays: tokens never go down, so a holder of an older token
  // must not be able to claim the campaign again after a forget.
  void forget(const std::string& campaign_id);

 private:
  RedisConnection& redis_;
  RedisScript commit_script_;
  RedisScript claim_script_;
  RedisScript mark_now_script_;
  RedisScript claim_call_script_;
  std::unordered_set<std::string> indexed_;  // campaign ids this store added to the index
};

}  // namespace hourglass::io
