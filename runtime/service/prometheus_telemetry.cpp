#include "runtime/service/prometheus_telemetry.hpp"

#include <algorithm>
#include <string>

namespace hourglass::service {
namespace {

constexpr const char* kMessages = "hourglass_messages_total";
constexpr const char* kAdvanceLatency = "hourglass_advance_latency_seconds";
constexpr const char* kFirings = "hourglass_firings_total";
constexpr const char* kRecords = "hourglass_records_total";
constexpr const char* kRestarts = "hourglass_restarts_total";
constexpr const char* kCampaigns = "hourglass_campaigns";
constexpr const char* kDeadLetters = "hourglass_dead_letters_total";
constexpr const char* kDeadLettersTrimmed = "hourglass_dead_letters_trimmed_total";
constexpr const char* kGatewayCalls = "hourglass_gateway_calls_total";
constexpr const char* kGatewayRetries = "hourglass_gateway_retries_total";
constexpr const char* kGatewayBacklog = "hourglass_gateway_backlog";
constexpr const char* kBreakerOpen = "hourglass_gateway_breaker_open";
constexpr const char* kRulesReloads = "hourglass_rules_reloads_total";
constexpr const char* kLongAdvances = "hourglass_long_advances";
constexpr const char* kLongAdvanceDone = "hourglass_long_advance_done_ratio";
constexpr const char* kApiRefusals = "hourglass_api_refusals_total";
constexpr const char* kCheckpointBytes = "hourglass_checkpoint_bytes_total";
constexpr const char* kCheckpointSeconds = "hourglass_checkpoint_commit_seconds";
constexpr const char* kCheckpointFailures = "hourglass_checkpoint_failures_total";
constexpr const char* kOutboxBacklog = "hourglass_outbox_backlog";
constexpr const char* kPassivations = "hourglass_passivations_total";
constexpr const char* kTransientWaits = "hourglass_transient_waits_total";
constexpr const char* kQuarantines = "hourglass_quarantines_total";
constexpr const char* kPubsubOverflows = "hourglass_pubsub_overflows_total";
constexpr const char* kRecordsUnpublished = "hourglass_records_unpublished_total";
constexpr const char* kOwnershipRefusals = "hourglass_ownership_refusals_total";
constexpr const char* kOwnedPartitions = "hourglass_owned_partitions";
constexpr const char* kStreamRouterBacklog = "hourglass_stream_router_backlog";
constexpr const char* kFencedRefusals = "hourglass_fenced_refusals_total";
constexpr const char* kPartitionMoves = "hourglass_partition_moves_total";
constexpr const char* kHandoffSeconds = "hourglass_partition_handoff_seconds";
constexpr const char* kLeaseRounds = "hourglass_lease_rounds_total";
constexpr const char* kLiveMembers = "hourglass_live_members";
constexpr const char* kHandoffsInProgress = "hourglass_partition_handoffs_in_progress";

std::string str(std::string_view v) { return std::string(v); }

// The channel label is one of actors::kChannelKinds, whatever a caller
// passes: the series of hourglass_messages_total stay a fixed set.
std::string channel_label(std::string_view channel) {
  const auto& kinds = actors::kChannelKinds;
  return str(std::find(kinds.begin(), kinds.end(), channel) != kinds.end() ? channel : kinds.back());
}

// Every family with its HELP text.
struct Family {
  const char* name;
  const char* help;
};
constexpr Family kFamilies[] = {
    {kMessages, "Inbound messages, by channel kind and outcome (applied, ignored, refused)"},
    {kAdvanceLatency, "Wall time a campaign took to handle one worldTimeAdvanced"},
    {kFirings, "Timers fired"},
    {kRecords, "Records emitted"},
    {kRestarts, "Actors restarted by their supervisor, by actor kind"},
    {kCampaigns, "Campaigns known to the registry"},
    {kDeadLetters, "Dead letters written, by queue (input, gateway)"},
    {kDeadLettersTrimmed,
     "Oldest dead letters trimmed off their stream to keep it at HOURGLASS_DEAD_LETTER_MAX, by queue (input, gateway)"},
    {kGatewayCalls, "API calls made by the gateway, by outcome"},
    {kGatewayRetries, "API writes scheduled for another attempt"},
    {kGatewayBacklog, "API writes waiting in the gateway's queue"},
    {kBreakerOpen, "1 while the gateway's circuit breaker is open or half-open, else 0"},
    {kLongAdvances, "Advances running for more than 5 s (a long catch-up)"},
    {kLongAdvanceDone, "How much of its advance the least advanced long advance has done (0..1; 1 when none runs)"},
    {kRulesReloads, "Rules reloads on SIGHUP, by outcome"},
    {kApiRefusals, "Calls the campaign API refused (never retried), by kind (unauthorized, forbidden, bad_request)"},
    {kCheckpointBytes, "Bytes of campaign checkpoints committed to Redis"},
    {kCheckpointSeconds, "Wall time to encode and commit one campaign checkpoint with its outbox writes"},
    {kCheckpointFailures, "Checkpoint commits that failed (Redis down or refusing) and wait to be tried again"},
    {kOutboxBacklog, "API writes committed to the outboxes and not yet done"},
    {kPassivations, "Campaigns passivated after HOURGLASS_PASSIVATE_AFTER idle (their actors stopped)"},
    {kTransientWaits, "Times a campaign session waited out a transient failure (API or Redis away) before a retry"},
    {kQuarantines, "Campaigns quarantined (failed past their restart budget, or Redis refused their keys)"},
    {kRecordsUnpublished, "Records not published on campaign.{id}.simulation, the record feed being backed up (not "
                          "made JSON past half of HOURGLASS_PUBLISH_BACKLOG_MB waiting, dropped past all of it); "
                          "the API writes are not affected"},
    {kPubsubOverflows,
     "Times Redis dropped the subscriber for its pub/sub output buffer limit (what was published meanwhile is lost)"},
    {kOwnershipRefusals, "Inputs and writes refused because their entity belongs to another campaign (or to none "
                         "the API can tell), by where: input (the registry's entity index), write (the gateway)"},
    {kOwnedPartitions, "Partitions this instance holds the lease of (HOURGLASS_PARTITIONS in all)"},
    {kStreamRouterBacklog, "Stream input entries not yet routed to their partition streams (the router group's lag "
                           "and pending), seen by the instance holding the router lease; 0 on the others"},
    {kFencedRefusals, "Campaign claims and commits refused by the campaign's fence (another instance claimed it with "
                      "a higher partition token; nothing written)"},
    {kPartitionMoves, "Partitions that moved, by how: handed_over (released after a graceful handoff), acquired "
                      "(taken over after the start)"},
    {kHandoffSeconds, "Wall time from asking a partition's graceful handoff to its lease's release"},
    {kLeaseRounds, "Lease rounds (every third of the lease ttl: heartbeat, renew every lease held, take free ones), "
                   "by outcome: ok (Redis answered), failed (it did not: the leases were not renewed)"},
    {kLiveMembers, "Live instances this one saw at its last heartbeat, itself included"},
    {kHandoffsInProgress, "Partitions this instance holds and is handing over (their sessions ending, their outboxes "
                          "being sent)"},
};

}  // namespace

PrometheusTelemetry::PrometheusTelemetry(Registry& metrics) : metrics_(metrics) {
  for (const Family& f : kFamilies) metrics_.describe(f.name, f.help);
}

void PrometheusTelemetry::message(std::string_view channel, std::string_view outcome) {
  metrics_.counter(kMessages, {{"channel", channel_label(channel)}, {"outcome", str(outcome)}}).inc();
}

void PrometheusTelemetry::advance_latency(double seconds) { metrics_.histogram(kAdvanceLatency).observe(seconds); }

void PrometheusTelemetry::computed(std::uint64_t firings, std::uint64_t records) {
  metrics_.counter(kFirings).inc(firings);
  metrics_.counter(kRecords).inc(records);
}

void PrometheusTelemetry::restart(std::string_view actor) { metrics_.counter(kRestarts, {{"actor", str(actor)}}).inc(); }

void PrometheusTelemetry::campaigns(std::size_t known) { metrics_.gauge(kCampaigns).set(static_cast<double>(known)); }

void PrometheusTelemetry::dead_letter(std::string_view queue) {
  metrics_.counter(kDeadLetters, {{"queue", str(queue)}}).inc();
}

void PrometheusTelemetry::dead_letters_trimmed(std::string_view queue, std::size_t entries) {
  metrics_.counter(kDeadLettersTrimmed, {{"queue", str(queue)}}).inc(entries);
}

void PrometheusTelemetry::gateway_call(std::string_view outcome) {
  metrics_.counter(kGatewayCalls, {{"outcome", str(outcome)}}).inc();
}

void PrometheusTelemetry::gateway_retry() { metrics_.counter(kGatewayRetries).inc(); }

void PrometheusTelemetry::gateway_backlog(std::size_t queued) {
  metrics_.gauge(kGatewayBacklog).set(static_cast<double>(queued));
}

void PrometheusTelemetry::breaker(io::CircuitBreaker::State state) {
  metrics_.gauge(kBreakerOpen).set(state == io::CircuitBreaker::State::Closed ? 0 : 1);
}

void PrometheusTelemetry::api_refusal(std::string_view kind) {
  metrics_.counter(kApiRefusals, {{"kind", str(kind)}}).inc();
}

void PrometheusTelemetry::checkpoint_committed(std::size_t bytes, double seconds) {
  metrics_.counter(kCheckpointBytes).inc(bytes);
  metrics_.histogram(kCheckpointSeconds).observe(seconds);
}

void PrometheusTelemetry::checkpoint_failed() { metrics_.counter(kCheckpointFailures).inc(); }

void PrometheusTelemetry::outbox_backlog(std::size_t entries) {
  metrics_.gauge(kOutboxBacklog).set(static_cast<double>(entries));
}

void PrometheusTelemetry::passivated() { metrics_.counter(kPassivations).inc(); }
void PrometheusTelemetry::transient_wait() { metrics_.counter(kTransientWaits).inc(); }
void PrometheusTelemetry::quarantined() { metrics_.counter(kQuarantines).inc(); }

void PrometheusTelemetry::pubsub_overflow() { metrics_.counter(kPubsubOverflows).inc(); }

void PrometheusTelemetry::records_unpublished(std::uint64_t records) {
  metrics_.counter(kRecordsUnpublished).inc(records);
}

void PrometheusTelemetry::ownership_refused(std::string_view at) {
  metrics_.counter(kOwnershipRefusals, {{"at", str(at)}}).inc();
}

void PrometheusTelemetry::owned_partitions(std::size_t owned) {
  metrics_.gauge(kOwnedPartitions).set(static_cast<double>(owned));
}

void PrometheusTelemetry::stream_router_backlog(std::size_t entries) {
  metrics_.gauge(kStreamRouterBacklog).set(static_cast<double>(entries));
}

void PrometheusTelemetry::fenced() { metrics_.counter(kFencedRefusals).inc(); }

std::uint64_t PrometheusTelemetry::fenced_refusals() const { return metrics_.counter(kFencedRefusals).value(); }

void PrometheusTelemetry::partition_moved(std::string_view how, double seconds) {
  metrics_.counter(kPartitionMoves, {{"how", str(how)}}).inc();
  if (how == "handed_over") metrics_.histogram(kHandoffSeconds).observe(seconds);
}

void PrometheusTelemetry::lease_round(bool answered, std::size_t live_members, std::size_t handing_off) {
  metrics_.counter(kLeaseRounds, {{"outcome", answered ? "ok" : "failed"}}).inc();
  metrics_.gauge(kLiveMembers).set(static_cast<double>(live_members));
  metrics_.gauge(kHandoffsInProgress).set(static_cast<double>(handing_off));
}

void PrometheusTelemetry::long_advances(std::size_t running, double least_done) {
  metrics_.gauge(kLongAdvances).set(static_cast<double>(running));
  metrics_.gauge(kLongAdvanceDone).set(least_done);
}

void PrometheusTelemetry::rules_reload(std::string_view outcome) {
  metrics_.counter(kRulesReloads, {{"outcome", str(outcome)}}).inc();
}

}  // namespace hourglass::service
