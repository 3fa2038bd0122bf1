#include "actors/service/bridge_actor.hpp"

#include <spdlog/spdlog.h>

#include "io/checkpoint_store.hpp"
#include "io/dead_letters.hpp"
#include "messages/wire.hpp"

namespace hourglass::actors {
namespace {

using Self = bridge_actor::stateful_pointer<BridgeState>;

// Tests and tools may pass no telemetry at all.
Telemetry& telemetry(Self self) {
  return self->state.options.telemetry ? *self->state.options.telemetry : Telemetry::none();
}

// A warning that a flood could repeat once per message, limited per `key`
// (a small fixed set: see the callers): the lines over the limit are
// counted, and the count is logged with the key's next line or, at the
// latest, by the bridge's tick one interval later.
void warn_limited(Self self, const std::string& key, const std::string& line) {
  auto& st = self->state;
  const io::LogLimiter::Verdict v = st.log_limiter->admit(key, io::LogLimiter::Clock::now());
  const auto interval_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.log_limiter->interval()).count();
  if (v.suppressed > 0)
    spdlog::warn("{}: {} more line(s) like this suppressed in {} ms", key, v.suppressed, interval_ms);
  if (v.write) spdlog::warn("{}", line);
  if (!v.write && !st.log_tick_scheduled) {
    st.log_tick_scheduled = true;
    self->delayed_send(self, st.log_limiter->interval(), tick_atom::value);
  }
}

// The counts of the intervals that are over; again later while some are open.
void log_suppressed(Self self) {
  auto& st = self->state;
  st.log_tick_scheduled = false;
  const auto interval_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.log_limiter->interval()).count();
  for (const auto& s : st.log_limiter->take_unreported(io::LogLimiter::Clock::now()))
    spdlog::warn("{}: {} more line(s) like this suppressed in {} ms", s.key, s.count, interval_ms);
  if (st.log_limiter->pending()) {
    st.log_tick_scheduled = true;
    self->delayed_send(self, st.log_limiter->interval(), tick_atom::value);
  }
}

// The connection, (re)opened on demand; nullptr while Redis is unreachable.
io::RedisConnection* redis(Self self) {
  try {
    return &self->state.redis->get();
  } catch (const std::exception& e) {
    warn_limited(self, "redis bridge: cannot connect", std::string("redis bridge: cannot connect: ") + e.what());
    return nullptr;
  }
}

const char* queue_of(const PendingStreamEntry& entry) {
  return entry.stream == kDeadLetterStream ? "input" : "gateway";
}

// Writes the waiting stream entries, each stream kept at its cap (the
// oldest entries trimmed, counted); those that fail stay for the next try.
void flush_pending(Self self) {
  auto& st = self->state;
  while (!st.pending.empty()) {
    io::RedisConnection* r = redis(self);
    if (!r) return;
    const PendingStreamEntry& next = st.pending.front();
    try {
      const io::CappedAppend added = io::append_capped(*r, next.stream, next.fields, st.options.dead_letter_max);
      if (added.trimmed > 0) telemetry(self).dead_letters_trimmed(queue_of(next), added.trimmed);
    } catch (const std::exception& e) {
      warn_limited(self, "redis bridge: XADD failed", std::string("redis bridge: XADD failed: ") + e.what());
      return;
    }
    if (!next.outbox_id.empty()) {
      try {
        io::CheckpointStore(*r).done(next.campaign_id, {next.outbox_id});
      } catch (const std::exception& e) {
        // Written twice at worst: the entry is sent again at the next start.
        spdlog::warn("redis bridge: dead letter written, outbox entry {} of {} not removed: {}", next.outbox_id,
                     next.campaign_id, e.what());
      }
    }
    st.pending.pop_front();
  }
}

void append_stream(Self self, PendingStreamEntry entry) {
  auto& st = self->state;
  if (st.pending.size() >= st.options.max_pending) {
    // A gateway's dropped one is still in its outbox: sent again at the next start.
    spdlog::error("redis bridge: {} dead letters wait for Redis; dropping the oldest", st.pending.size());
    st.pending.pop_front();
  }
  st.pending.push_back(std::move(entry));
  flush_pending(self);
}

void refuse(Self self, const std::string& reason, const std::string& channel, const std::string& payload) {
  telemetry(self).dead_letter("input");
  constexpr std::size_t kCap = 1 << 20;  // SPEC §7: payloads are at most 1 MiB anyway
  append_stream(self, {kDeadLetterStream,
                       {{"reason", reason},
                        {"channel", channel},
                        {"payload", payload.size() > kCap ? payload.substr(0, kCap) : payload},
                        {"truncated", payload.size() > kCap ? "true" : "false"}},
                       "",
                       ""});
}

// SPEC §6's channels (campaign.{id}.*); anything else the bridge hears is
// the campaign API's own traffic (messages/api_input).
bool is_generic_channel(const std::string& channel) { return channel.rfind("campaign.", 0) == 0; }

// The campaign API's own traffic: a world_time_changed becomes an advance,
// an entity.modified goes to the registry (which knows the campaigns'
// entities), the rest is ignored or refused like any other input.
void take_api_traffic(Self self, const std::string& channel, const std::string& payload) {
  auto& st = self->state;
  messages::ApiTraffic t = messages::decode_api_traffic(channel, payload);
  if (auto* refused = std::get_if<messages::ApiRefused>(&t)) {
    warn_limited(self, "refused input on api", "refused message on " + channel + ": " + refused->what());
    telemetry(self).message("api", "refused");
    return refuse(self, refused->what(), channel, payload);
  }
  if (auto* ignored = std::get_if<messages::ApiIgnored>(&t)) {
    spdlog::debug("ignored message on {}: {}", channel, ignored->why);
    return telemetry(self).message("api", "ignored");
  }
  if (auto* advance = std::get_if<messages::WorldTimeAdvanced>(&t))
    return self->send(st.options.registry, route_atom::value, Inbound{*advance, channel, payload});
  self->send(st.options.registry, api_change_atom::value,
             ApiChange{std::get<messages::ApiEntityChanged>(t), channel, payload});
}

// A message on SPEC §6's channels, decoded; a refused one is dead-lettered
// (nullopt).
std::optional<messages::Message> decode_or_refuse(Self self, const std::string& channel, const std::string& payload) {
  auto& st = self->state;
  messages::DecodeOptions decode;
  decode.require_inline_entity = false;  // the registry fetches what is missing
  messages::Decoded d = messages::decode_message_text(channel, payload, *st.options.rules, decode);
  if (d) return std::move(*d.message);
  const std::string_view kind = channel_kind(channel);  // never the channel's own name: see kChannelKinds
  warn_limited(self, "refused input on " + std::string(kind), "refused message on " + channel + ": " + d.error);
  telemetry(self).message(kind, "refused");
  refuse(self, d.error, channel, payload);
  return std::nullopt;
}

// Done with a stream entry. Its XACK is synchronous (io::RedisStreamReader):
// the bridge is detached, its Redis calls block anyway.
void acknowledge(Self self, const std::string& stream_id) {
  if (self->state.options.acknowledge)
    self->state.options.acknowledge(stream_id);
  else
    spdlog::error("redis bridge: stream entry {} to acknowledge, but the stream input is off", stream_id);
}

// An intake marker off the subscription: this instance's goes to the
// registry, in order after the messages heard before it; another's is none
// of its business.
void take_intake_mark(Self self, const std::string& payload) {
  const std::string& own = self->state.options.intake_mark_instance;
  if (own.empty() || payload.size() <= own.size() + 1 || payload.compare(0, own.size(), own) != 0 ||
      payload[own.size()] != ' ')
    return;
  const std::string digits = payload.substr(own.size() + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 19) return;
  self->send(self->state.options.registry, intake_mark_atom::value, std::stoull(digits));
}

void publish_intake_mark(Self self, std::uint64_t n) {
  const std::string& own = self->state.options.intake_mark_instance;
  if (own.empty()) return;
  io::RedisConnection* r = redis(self);
  if (!r) return;  // the registry asks again while a partition waits
  try {
    r->publish(kIntakeMarkChannel, own + " " + std::to_string(n));
  } catch (const std::exception& e) {
    warn_limited(self, "redis bridge: PUBLISH failed",
                 std::string("redis bridge: the intake marker was not published (asked again in a second): ") +
                     e.what());
  }
}

}  // namespace

bridge_actor::behavior_type bridge(Self self, BridgeOptions options) {
  self->state.options = std::move(options);
  self->state.redis.emplace(self->state.options.redis, std::chrono::milliseconds(500));
  self->state.log_limiter.emplace(self->state.options.log_lines, self->state.options.log_interval);
  return {
      [=](set_registry_atom, const inbound_router_actor& registry) { self->state.options.registry = registry; },
      [=](rules_atom, const sim::RulesPtr& rules) { self->state.options.rules = rules; },
      [=](inbound_atom, const std::string& channel, const std::string& payload) {
        if (channel == kIntakeMarkChannel) return take_intake_mark(self, payload);
        if (!is_generic_channel(channel)) return take_api_traffic(self, channel, payload);
        if (auto m = decode_or_refuse(self, channel, payload))
          self->send(self->state.options.registry, route_atom::value, Inbound{std::move(*m), channel, payload});
      },
      [=](inbound_atom, const std::string& channel, const std::string& payload, const std::string& stream_id) {
        if (!is_generic_channel(channel)) {
          // The API's own traffic stays on pub/sub (campaign-manager): its
          // entity.modified is routed as an ApiChange, which has no
          // acknowledgement to carry.
          const std::string why = "the stream input carries SPEC §6's campaign.{id}.* channels only, not \"" +
                                  channel + "\"";
          warn_limited(self, "refused input on stream", "refused stream entry " + stream_id + ": " + why);
          telemetry(self).message("stream", "refused");
          refuse(self, why, channel, payload);
          return acknowledge(self, stream_id);
        }
        auto m = decode_or_refuse(self, channel, payload);
        if (!m) return acknowledge(self, stream_id);  // it will never be applied: not to be read again
        Inbound in{std::move(*m), channel, payload};
        in.stream_id = stream_id;
        self->send(self->state.options.registry, route_atom::value, std::move(in));
      },
      [=](stream_ack_atom, const std::string& stream_id) { acknowledge(self, stream_id); },
      [=](publish_mark_atom, std::uint64_t n) { publish_intake_mark(self, n); },
      [=](dead_letter_atom, const std::string& reason, const std::string& channel, const std::string& payload) {
        // Sent by the registry (a message it could not handle) and by the
        // stream reader (an entry without a channel): logged here, limited
        // per channel kind like the bridge's own refusals.
        if (channel.empty())
          warn_limited(self, "refused input on stream", "refused " + reason);
        else
          warn_limited(self,
                       "dead letter on " + std::string(is_generic_channel(channel) ? channel_kind(channel) : "api"),
                       "refused message on " + channel + ": " + reason);
        refuse(self, reason, channel, payload);
      },
      [=](gw_dead_letter_atom, const std::string& entry, const std::string& campaign_id,
          const std::string& outbox_id) {
        append_stream(self, {kGatewayDeadLetterStream, {{"write", entry}}, campaign_id, outbox_id});
      },
      [=](flush_dead_letters_atom) {
        flush_pending(self);
        return self->state.pending.size();
      },
      [=](tick_atom) { log_suppressed(self); },
  };
}

}  // namespace hourglass::actors
