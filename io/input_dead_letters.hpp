// The input dead letters (the stream actors::kDeadLetterStream,
// `hourglass:deadletter`): messages the service refused (bad input) or
// could not handle (a quarantined campaign, an entity the API could not
// give). Each entry holds `reason`, `channel`, `payload` (cut at 1 MiB) and
// `truncated`. For `hourglass dlq list` and `hourglass dlq retry`
// (runtime/cli_dlq.cpp), beside the gateway's (io/dead_letters).
//
// A retry puts the message back into the service's input, as a producer
// would: XADD to the input stream (channel, payload) when the service reads
// SPEC §6's messages from a stream and the channel is one of them
// (campaign.*), else PUBLISH on its channel. The dead letter is removed once
// the message is sent; a message refused again simply gets a new one. A
// PUBLISH nobody hears (no service subscribed) is no re-send: kept.
//
// Their ids are shown with the prefix "input:" (kInputIdPrefix), the
// gateway's without one, so one `dlq retry` can name both.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/dead_letters.hpp"
#include "io/redis_connection.hpp"

namespace hourglass::io {

inline constexpr std::string_view kInputIdPrefix = "input:";

struct InputDeadLetter {
  std::string id;  // the stream entry id, without the prefix
  std::string reason;
  std::string channel;  // empty for a stream entry that named none
  std::string payload;
  bool truncated = false;  // the payload was cut at 1 MiB

  std::string shown_id() const { return std::string(kInputIdPrefix) + id; }
};

// The stream entry id in an id as `dlq` shows an input dead letter
// ("input:1735689600000-0"); nullopt for anything else.
std::optional<std::string> input_stream_id(std::string_view shown);

// Never throws: missing fields read as empty.
InputDeadLetter parse_input_dead_letter(const StreamEntry& entry);
// Every entry of `stream`, oldest first. Throws RedisError.
std::vector<InputDeadLetter> read_input_dead_letters(RedisConnection& redis, std::string_view stream);
// {id (with the prefix), queue: "input", reason, channel, payload, truncated}.
// The payload may be binary (Socket.IO msgpack): dump with
// nlohmann::json::error_handler_t::replace.
nlohmann::json to_json(const InputDeadLetter& d);

// Where a re-sent message goes.
struct InputTarget {
  bool stream = false;     // the service reads SPEC §6's messages from a stream (HOURGLASS_INPUT has stream)
  std::string stream_key;  // HOURGLASS_STREAM_KEY
};

// Re-sends the entries `stream_ids` (without the prefix; any order,
// duplicates count once), oldest first; ids not in the stream come first, as
// NotFound. Results name the entries with the prefix. Statuses: Done (sent
// and removed), Failed (not sent: kept, with why), Malformed (it cannot be
// sent again: no channel, or a payload cut at 1 MiB; kept), NotFound,
// NotRemoved (sent, but the XDEL failed: delete it, do not retry it).
// Throws RedisError only when the stream cannot be read at all.
std::vector<RetryResult> retry_input_dead_letters(RedisConnection& redis, std::string_view stream,
                                                  const std::vector<std::string>& stream_ids,
                                                  const InputTarget& target);
// Every entry, oldest first.
std::vector<RetryResult> retry_all_input_dead_letters(RedisConnection& redis, std::string_view stream,
                                                      const InputTarget& target);

}  // namespace hourglass::io
