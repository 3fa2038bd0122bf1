// The records feed: publishes the records the campaigns' sinks hand it on
// `campaign.{id}.simulation`, framed as messages of whole JSON lines
// (messages/record_feed), from the record buffers themselves (no copy is
// made to publish them). It runs detached, on its own thread and Redis
// connection, so that a long advance's gigabyte of records never waits
// behind the bridge's input, nor the input behind it.
//
// The feed is best effort (docs/operations.md, Records in service mode): the
// API writes never depend on it. Its thread runs at a lower CPU priority than
// the rest (RecordFeedOptions::nice) so that, when the cores are short, the
// simulation and the API writes go first and the feed takes what is left.
// While more than half the backlog's limit waits, the settlements make no
// JSON (text_wanted_while_feed_flows); past all of it the sinks drop what was
// made meanwhile; both counted, and the backlog never grows past its limit.
#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/protocol.hpp"
#include "actors/service/service_protocol.hpp"
#include "actors/service/telemetry.hpp"
#include "io/backoff.hpp"
#include "io/log_limiter.hpp"
#include "io/redis_link.hpp"
#include "sim/canonical_merge.hpp"

namespace hourglass::actors {

// Record text handed to the feed and not yet published, shared by the sinks
// and the feed: past `limit` the sinks drop what they would publish
// (counted, logged) instead of the feed's mailbox growing without bound
// while Redis is slow or a catch-up is large.
struct PublishBacklog {
  std::atomic<std::size_t> bytes{0};
  std::size_t limit = 16u << 20;  // HOURGLASS_PUBLISH_BACKLOG_MB
  std::atomic<std::uint64_t> dropped{0};  // record texts not published
};
using PublishBacklogPtr = std::shared_ptr<PublishBacklog>;

// The campaigns' RecordCapture::text_wanted in a service: JSON is made only
// while less than half of the backlog's limit waits, so that a feed backed up
// (a long catch-up outrunning Redis) costs no JSON it would drop; the sinks'
// drop at the limit stays for what was in flight. Always true without a
// backlog.
std::function<bool()> text_wanted_while_feed_flows(PublishBacklogPtr backlog);

// Record lines in canonical order: a step's record batches with the views
// that order them (kept as they are until published).
struct FeedText {
  std::vector<sim::RecordBatch> storage;  // what `slices` point into
  std::vector<std::string_view> slices;
  std::size_t bytes = 0;

  static FeedText of(sim::OrderedRecords&& records);  // its changes are not taken
  // The lines' pieces in order (views into `storage`).
  const std::vector<std::string_view>& pieces() const { return slices; }
};

using record_feed_actor = caf::typed_actor<
    // (channel, records): published, best effort
    caf::reacts_to<publish_atom, std::string, FeedText>,
    // answered once everything sent before it is published (or given up)
    caf::replies_to<flush_atom>::with<bool>>;

struct RecordFeedOptions {
  io::RedisEndpoint redis;
  PublishBacklogPtr backlog;  // may be null: nothing counted
  // Added to the feed thread's nice value (setpriority): 10 gives the
  // simulation's threads about ten times its share of a busy core. 0 keeps
  // the process's priority.
  int nice = 10;
  std::size_t log_lines = 10;  // failures logged per log_interval, then a count
  std::chrono::milliseconds log_interval{5000};
};

struct RecordFeedState {
  RecordFeedOptions options;
  std::optional<io::RedisLink> redis;
  std::optional<io::LogLimiter> log_limiter;
  // After Redis failed (a connect, a PUBLISH), texts are dropped unsent until
  // retry_at, the wait doubling up to its cap while Redis stays away: each try
  // at an unreachable Redis waits out a timeout, and a feed that tried every
  // text would fall behind for ever and hold the exit back by its backlog.
  io::Backoff backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(10'000)};
  std::chrono::steady_clock::time_point retry_at{};
  std::uint64_t dropped = 0;  // texts dropped since the last failure was logged
  static inline const char* name = "record-feed";
};

record_feed_actor::behavior_type record_feed(record_feed_actor::stateful_pointer<RecordFeedState> self,
                                             RecordFeedOptions options);

}  // namespace hourglass::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hourglass::actors::FeedText)
