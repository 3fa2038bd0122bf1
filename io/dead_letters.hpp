// The gateway's dead letters: reading them and retrying them, for
// `hourglass dlq list` and `hourglass dlq retry` (runtime/cli_dlq.cpp); and
// appending to a dead-letter stream (either one) kept at a capped length.
//
// The gateway dead-letters a write after its last retry (or at shutdown) as
// one stream entry with one field, `write`: write_to_json(campaign, write)
// plus the gateway's `reason` (its last failure) and `attempts` (the API
// calls it made, 0 when the write never left the queue). The stream's name is
// a parameter (the service's is actors::kGatewayDeadLetterStream).
//
// A retry must never show a game master a lost or a doubled change:
//   - An entry leaves the stream only after its write is done (XDEL after
//     success); a failure keeps it, and says why.
//   - Settlement and structure writes hold absolute final values, merged into
//     the entity as read just before, under the optimistic lock; expiring an
//     event that is already expired counts as done. Applying one of these a
//     second time leaves the same values, so a crash between the write and
//     the XDEL is harmless. Every write carries its Idempotency-Key.
//   - Effects are the exception: the real API runs an effect's patch again
//     when asked again, and does not (as far as we know) honour the key. An
//     effect entry that the gateway (or an earlier retry) already sent may
//     have run, so it is retried only with `force` (the operator checked).
//     A failed retry of an effect is recorded in its entry (attempts + 1; the
//     entry gets a new id), so that it is "in doubt" from then on.
//   - Entries of one entity are retried oldest first, and an entry is not
//     retried while an older one of the same entity is still in the stream:
//     otherwise the older values could land last.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/campaign_api.hpp"
#include "io/campaign_branches.hpp"
#include "io/coalesce.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::io {

struct DeadLetter {
  std::string id;                    // the stream entry id, e.g. "1735689600000-0"
  std::string campaign_id;
  std::optional<EntityWrite> write;  // nullopt: the entry cannot be read (see error)
  std::string reason;                // the last failure; empty when the entry has none
  std::optional<int> attempts;       // API calls made so far; nullopt when the entry does not say
  std::string error;                 // why the entry cannot be read; empty when it can
  std::string raw;                   // the `write` field as stored

  bool malformed() const { return !write.has_value(); }
};

// A dead letter appended to a capped stream: XADD, then XTRIM MAXLEN ~ max,
// in one round trip (MULTI/EXEC). Approximate trimming removes whole stream
// nodes only (Redis' stream-node-max-entries, 100 by default), so the
// stream stays within max + that many entries; it is cheap where an exact
// MAXLEN would cut into a node at every append.
struct CappedAppend {
  std::string id;            // the new entry's id
  std::size_t trimmed = 0;   // the oldest entries removed to keep the cap
};
// `fields` must not be empty, `max` >= 1 (std::invalid_argument). Throws
// RedisError (RedisTransactionError when Redis refused a command).
CappedAppend append_capped(RedisConnection& redis, std::string_view stream,
                           const std::vector<std::pair<std::string, std::string>>& fields, std::size_t max);

// Every entry of `stream`, oldest first, read in pages. Throws RedisError.
std::vector<StreamEntry> read_stream_entries(RedisConnection& redis, std::string_view stream);

// What a write's entity is called in records: Settlement, Structure, Event, Effect.
const char* entity_type(EntityWrite::Kind kind);

// Never throws: a bad entry comes back malformed, with its error.
DeadLetter parse_dead_letter(const StreamEntry& entry);

// Every entry of `stream`, oldest first (read in pages). Throws RedisError.
std::vector<DeadLetter> read_dead_letters(RedisConnection& redis, std::string_view stream);

// One line of `dlq list --json`: {id, campaignId, kind, entityType, entityId,
// worldTime, idempotencyKey, changes, reason?, attempts?}, or {id, error, write}
// for a malformed entry.
nlohmann::json to_json(const DeadLetter& d);

// An effect that may already have run: it was sent at least once, or the
// entry does not say.
bool effect_in_doubt(const DeadLetter& d);

// "<ms>-<seq>", as Redis gives stream entry ids.
bool is_stream_id(std::string_view id);

struct RetryOptions {
  bool force = false;     // retry effects in doubt too
  int lock_attempts = 3;  // execute_write's optimistic-lock rounds
  // Updates go to their campaign's branch: named here, else its main branch.
  BranchMap campaign_branches;
};

struct RetryResult {
  enum class Status {
    Done,        // applied now or before, and removed from the stream
    Failed,      // the API refused or failed, or it was not tried; kept
    Malformed,   // the entry cannot be read; kept
    Blocked,     // an older entry of the same entity is still in the stream; kept
    InDoubt,     // an effect that may already have run, and no `force`; kept
    NotFound,    // no entry has this id
    NotRemoved,  // applied, but the XDEL failed: still listed, do not retry it
  };
  std::string id;
  Status status = Status::Failed;
  std::string message;  // what was done, or why not
  std::string new_id;   // a failed effect's entry, re-added with attempts + 1

  bool done() const { return status == Status::Done; }
};

const char* to_string(RetryResult::Status status);

// Retries the entries `ids` (any order; duplicates count once), in stream
// order. Ids not in the stream come first, as NotFound. Throws RedisError
// only when the stream cannot be read at all.
std::vector<RetryResult> retry_dead_letters(RedisConnection& redis, CampaignApi& api, std::string_view stream,
                                            const std::vector<std::string>& ids, const RetryOptions& options);
// Every entry in the stream, oldest first; goes on after a failure.
std::vector<RetryResult> retry_all_dead_letters(RedisConnection& redis, CampaignApi& api, std::string_view stream,
                                                const RetryOptions& options);

}  // namespace hourglass::io
