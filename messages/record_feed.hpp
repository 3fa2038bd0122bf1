// The framing of the records a service publishes on
// `campaign.{id}.simulation`: a message carries one or more whole records,
// as JSON lines separated by '\n' (no trailing newline, so a message of one
// record is that record's line alone), at most `max_bytes` long unless one
// record alone is longer. Publishing a record per message cost Redis a
// command per record (five million for a year of 100 x 10), more than the
// simulation itself; a subscriber splits a message at its newlines.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace hourglass::messages {

// The default size of a feed message: large enough that Redis's per-command
// cost vanishes, small enough for a subscriber's output buffer
// (client-output-buffer-limit pubsub 8mb soft by default).
inline constexpr std::size_t kFeedMessageBytes = 64 * 1024;

// A message as the parts that, concatenated, are its bytes (views into the
// text it was cut from: the record buffers are not copied to be published).
using FeedMessage = std::vector<std::string_view>;

// `pieces` (the record text in order, each piece whole records ended by
// '\n'; a last record without it is taken too) cut into feed messages.
// A message never ends with '\n'; one made of newlines alone is left out.
// `max_bytes` must be > 0 (std::invalid_argument).
std::vector<FeedMessage> feed_messages(const std::vector<std::string_view>& pieces,
                                       std::size_t max_bytes = kFeedMessageBytes);

// A feed message's records, in order (the subscriber's side of the framing;
// empty lines are skipped).
std::vector<std::string_view> feed_records(std::string_view message);

}  // namespace hourglass::messages
