#include "actors/service/bridge_actor.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "io/checkpoint_store.hpp"
#include "messages/wire.hpp"

namespace hourglass::actors {
namespace {

using Self = bridge_actor::stateful_pointer<BridgeState>;

// The connection, (re)opened on demand; nullptr while Redis is unreachable.
io::RedisConnection* redis(Self self) {
  try {
    return &self->state.redis->get();
  } catch (const std::exception& e) {
    spdlog::warn("redis bridge: cannot connect: {}", e.what());
    return nullptr;
  }
}

// Writes the waiting stream entries; those that fail stay for the next try.
void flush_pending(Self self) {
  auto& st = self->state;
  while (!st.pending.empty()) {
    io::RedisConnection* r = redis(self);
    if (!r) return;
    const PendingStreamEntry& next = st.pending.front();
    try {
      r->xadd(next.stream, next.fields, std::nullopt);
    } catch (const std::exception& e) {
      spdlog::warn("redis bridge: XADD failed: {}", e.what());
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
  self->state.options.telemetry->dead_letter("input");
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
    spdlog::warn("refused message on {}: {}", channel, refused->what());
    st.options.telemetry->message("api", "refused");
    return refuse(self, refused->what(), channel, payload);
  }
  if (auto* ignored = std::get_if<messages::ApiIgnored>(&t)) {
    spdlog::debug("ignored message on {}: {}", channel, ignored->why);
    return st.options.telemetry->message("api", "ignored");
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
  spdlog::warn("refused message on {}: {}", channel, d.error);
  st.options.telemetry->message(std::string_view(channel).substr(channel.rfind('.') + 1), "refused");
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

}  // namespace

bridge_actor::behavior_type bridge(Self self, BridgeOptions options) {
  self->state.options = std::move(options);
  self->state.redis.emplace(self->state.options.redis, std::chrono::milliseconds(500));
  return {
      [=](set_registry_atom, const inbound_router_actor& registry) { self->state.options.registry = registry; },
      [=](rules_atom, const sim::RulesPtr& rules) { self->state.options.rules = rules; },
      [=](inbound_atom, const std::string& channel, const std::string& payload) {
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
          spdlog::warn("refused stream entry {}: {}", stream_id, why);
          self->state.options.telemetry->message("stream", "refused");
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
      [=](dead_letter_atom, const std::string& reason, const std::string& channel, const std::string& payload) {
        refuse(self, reason, channel, payload);
      },
      [=](gw_dead_letter_atom, const std::string& entry, const std::string& campaign_id,
          const std::string& outbox_id) {
        append_stream(self, {kGatewayDeadLetterStream, {{"write", entry}}, campaign_id, outbox_id});
      },
      [=](publish_atom, const std::string& channel, const std::string& lines) {
        struct Release {  // however it ends, these bytes are no longer waiting
          const PublishBacklogPtr& backlog;
          std::size_t bytes;
          ~Release() {
            if (backlog) backlog->bytes -= bytes;
          }
        } release{self->state.options.publish_backlog, lines.size()};
        io::RedisConnection* r = redis(self);
        if (!r) return;  // records still reach the API; the UI feed is best effort
        // One round trip per 512 lines, not per line: a catch-up publishes
        // tens of thousands.
        constexpr std::size_t kBatch = 512;
        std::vector<std::vector<std::string>> batch;
        std::istringstream in(lines);
        std::string line;
        try {
          while (std::getline(in, line)) {
            if (line.empty()) continue;
            batch.push_back({"PUBLISH", channel, std::move(line)});
            if (batch.size() == kBatch) {
              r->exec_transaction(batch);
              batch.clear();
            }
          }
          if (!batch.empty()) r->exec_transaction(batch);
        } catch (const std::exception& e) {
          spdlog::warn("redis bridge: PUBLISH failed: {}", e.what());
        }
      },
      [=](flush_dead_letters_atom) {
        flush_pending(self);
        return self->state.pending.size();
      },
  };
}

}  // namespace hourglass::actors
