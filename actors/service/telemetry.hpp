// What the service actors tell operators: counts, gauges and latencies, by
// meaning rather than by metric name. The runtime implements it
// (runtime/service/prometheus_telemetry), so every metric name and help text
// lives in one file and the actors never learn how metrics are kept.
// Every method has a do-nothing default: `Telemetry::none()` serves tests and
// tools that keep no metrics. Implementations must be thread-safe (actors run
// on several workers).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/circuit_breaker.hpp"

namespace hourglass::actors {

// The channel label of an inbound message: one of a fixed set, whatever the
// input says. A label taken from the channel's name would let any producer
// create as many metric series as it likes.
//   worldTimeAdvanced, entityModified  SPEC §6's campaign.{id}.<kind>
//   api                                the campaign API's own traffic
//   stream                             a stream entry naming no SPEC §6 channel
//   other                              anything else (e.g. campaign.x.bogus)
inline constexpr std::array<std::string_view, 5> kChannelKinds{"worldTimeAdvanced", "entityModified", "api", "stream",
                                                                 "other"};
// The kind of a SPEC §6 channel by its last segment: worldTimeAdvanced,
// entityModified, else other.
inline std::string_view channel_kind(std::string_view channel) {
  const std::string_view last = channel.substr(channel.rfind('.') + 1);  // npos + 1 == 0: the whole name
  for (std::string_view kind : {kChannelKinds[0], kChannelKinds[1]})
    if (last == kind) return kind;
  return kChannelKinds[4];
}

class Telemetry {
 public:
  virtual ~Telemetry() = default;

  // An inbound message: channel kind (one of kChannelKinds; an implementation
  // counts any other value as "other") and outcome (applied, ignored, refused).
  virtual void message(std::string_view channel, std::string_view outcome) {}
  // A campaign finished an advance, in this many seconds of wall time.
  virtual void advance_latency(double seconds) {}
  // What a campaign computed for one message.
  virtual void computed(std::uint64_t firings, std::uint64_t records) {}
  // An actor was restarted by its supervisor ("settlement", "campaign").
  virtual void restart(std::string_view actor) {}
  virtual void campaigns(std::size_t known) {}
  // A dead letter was written ("input": a refused message; "gateway": a write).
  virtual void dead_letter(std::string_view queue) {}
  // Entries trimmed off a capped dead-letter stream ("input", "gateway") to
  // keep it at HOURGLASS_DEAD_LETTER_MAX: the oldest, never to be read.
  virtual void dead_letters_trimmed(std::string_view queue, std::size_t entries) {}
  // One API call by the gateway and how it ended (ok, unavailable, failed, conflict...).
  virtual void gateway_call(std::string_view outcome) {}
  virtual void gateway_retry() {}
  virtual void gateway_backlog(std::size_t queued) {}
  virtual void breaker(io::CircuitBreaker::State state) {}
  // The campaign API refused a call: io::to_string of the ApiError kind
  // (unauthorized, forbidden, bad_request).
  virtual void api_refusal(std::string_view kind) {}
  // A campaign's checkpoint and outbox were committed: the checkpoint's size
  // and the wall time of encoding and committing it.
  virtual void checkpoint_committed(std::size_t bytes, double seconds) {}
  // A commit failed (Redis down or refusing); the campaign waits and tries again.
  virtual void checkpoint_failed() {}
  // Writes committed to the outboxes and not yet done, in all.
  virtual void outbox_backlog(std::size_t entries) {}
  // A campaign idle for the passivation delay was passivated (its actors stopped).
  virtual void passivated() {}
  // A campaign session waits out a transient failure (the API or Redis
  // away) before trying the same step again; its message stays in flight.
  virtual void transient_wait() {}
  // A campaign was quarantined (it kept failing, or Redis refused its keys).
  virtual void quarantined() {}
  // Redis dropped the pub/sub subscriber for its output buffer limit
  // (client-output-buffer-limit pubsub): what was published meanwhile is lost.
  virtual void pubsub_overflow() {}
  // Records not published, the record feed being backed up: kept without
  // their JSON (past half of HOURGLASS_PUBLISH_BACKLOG_MB waiting) or dropped
  // by a sink (past all of it). The API writes have them all.
  virtual void records_unpublished(std::uint64_t records) {}
  // Something aimed at an entity of another campaign (or of none the API can
  // tell) was refused: at "input" (the registry's entity index) or at the
  // "write" (the gateway, asking the API).
  virtual void ownership_refused(std::string_view at) {}
  // How many partitions this instance holds the lease of (several instances:
  // docs/operations.md).
  virtual void owned_partitions(std::size_t owned) {}
  // The stream input's ingress entries not yet routed to the partition
  // streams (io::router_backlog), as the instance that routes sees it; 0
  // on the others.
  virtual void stream_router_backlog(std::size_t entries) {}
  // A campaign's claim or commit was refused by its fence: another instance
  // claimed it with a higher partition token; nothing was written.
  virtual void fenced() {}
  // A partition moved: "handed_over" (this instance released it after a
  // graceful handoff, `seconds` after it was asked) or "acquired" (taken
  // over after the start; seconds 0).
  virtual void partition_moved(std::string_view how, double seconds) {}

  // A lease round ended (every third of the ttl: heartbeat, renew every
  // lease held, take free ones up to the share): `answered` by Redis or not
  // (the leases were not renewed); the live members it saw (itself
  // included) and the partitions it holds that are being handed off.
  virtual void lease_round(bool answered, std::size_t live_members, std::size_t handing_off) {}

  // The shared do-nothing instance.
  static Telemetry& none() {
    static Telemetry silent;
    return silent;
  }
};

}  // namespace hourglass::actors
