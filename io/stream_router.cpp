#include "io/stream_router.hpp"

#include <stdexcept>
#include <utility>

#include "io/cluster_slots.hpp"
#include "io/partitions.hpp"
#include "io/stream_id.hpp"
#include "messages/wire.hpp"

namespace hourglass::io {
namespace {

const std::string* field(const StreamEntry& e, const char* name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return &v;
  return nullptr;
}

// What stops an entry from being routed: the campaign of a routable one.
struct Destination {
  std::optional<std::string> campaign;
  std::string why;
};

Destination destination_of(const std::string* channel, const std::string* payload) {
  if (!channel || !payload)
    return {std::nullopt, std::string("no field \"") + (channel ? "payload" : "channel") +
                              "\" (an entry needs channel and payload)"};
  auto campaign = messages::channel_campaign(*channel);
  if (!campaign)
    return {std::nullopt, "the stream input carries SPEC §6's campaign.{id}.* channels only, not \"" + *channel + "\""};
  return {std::move(campaign), {}};
}

// Every entry of `key` up to `through` was delivered to `group`, and none is pending.
bool group_done(RedisConnection& r, const std::string& key, const std::string& group, const std::string& through) {
  if (r.type(key) == "none") return true;
  const std::optional<std::string> at = r.xgroup_last_delivered(key, group);
  if (!r.xrange(key, at ? "(" + *at : "-", through, 1).empty()) return false;
  return !at || r.xpending_count(key, group) == 0;
}

}  // namespace

std::string stream_input_tagged(std::string_view ingress) {
  const auto open = ingress.find('{');
  const auto close = open == std::string_view::npos ? open : ingress.find('}', open + 1);
  const bool tagged = close != std::string_view::npos && close > open + 1;
  std::string key = tagged ? std::string(ingress) : "{" + std::string(ingress) + "}";
  if (cluster_key_slot(key) != cluster_key_slot(ingress))  // "a{}b": an empty tag hashes the whole key
    throw std::invalid_argument("stream key \"" + std::string(ingress) +
                                "\": its derived keys cannot share its hash slot; use a key without braces, or with "
                                "a non-empty {hash tag}");
  return key;
}

std::string partition_stream_key(std::string_view ingress, std::uint32_t partition) {
  return stream_input_tagged(ingress) + ":p" + std::to_string(partition);
}

std::string router_group(std::string_view group) { return std::string(group) + "-router"; }

LeaseKeys router_lease_keys(std::string_view ingress) {
  const std::string tag = "hourglass:router:{" + std::string(ingress) + "}";
  return LeaseKeys{tag + ":lease", tag + ":fence", "the stream router of " + std::string(ingress)};
}

std::string router_legacy_key(std::string_view ingress) { return stream_input_tagged(ingress) + ":router-legacy-until"; }

Routed route_entry(RedisConnection& redis, std::string_view partition_stream, std::string_view id,
                   const std::string& channel, const std::string& payload) {
  try {
    redis.xadd_at(partition_stream, id, {{"channel", channel}, {"payload", payload}});
    return Routed::added;
  } catch (const RedisError& e) {
    // Routed before (a router died between its XADD and its XACK): the
    // partition stream's top is this entry or a later one of the same order.
    if (e.server_error().find("equal or smaller than the target stream top item") != std::string::npos)
      return Routed::already_there;
    throw;
  }
}

std::size_t take_legacy_group(
    RedisConnection& redis, std::string_view ingress, std::string_view group, std::string_view consumer,
    std::uint32_t partitions,
    const std::function<void(const std::string& id, const std::string& channel, const std::string& payload,
                             const std::string& why)>& on_unroutable) {
  const std::string router = router_group(group);
  const std::string marker = router_legacy_key(ingress);
  if (redis.type(ingress) == "none") {  // nothing yet (XINFO would refuse a missing key)
    redis.xgroup_create(ingress, router, "0");
    return 0;
  }
  const std::optional<std::string> legacy_at = redis.xgroup_last_delivered(ingress, group);
  if (!redis.xgroup_last_delivered(ingress, router)) {
    std::string start = "0";
    if (legacy_at) {
      // Recorded before the group is made: a router that dies in between
      // makes the group at the same id next time.
      redis.exec_transaction({{"SET", marker, *legacy_at, "NX"}});
      start = redis.get(marker).value_or(*legacy_at);
    }
    redis.xgroup_create(ingress, router, start);
  }
  const std::optional<std::string> until = redis.get(marker);
  if (!legacy_at || !until) return 0;
  const StreamId last = StreamId::parse(*until);
  std::size_t routed = 0;
  std::string cursor = "0-0";
  do {
    auto [next, entries] = redis.xautoclaim(ingress, group, consumer, 0, cursor, 100);
    cursor = next;
    std::vector<std::string> done;
    for (const StreamEntry& e : entries) {
      done.push_back(e.id);
      if (last < StreamId::parse(e.id)) continue;  // delivered to the router group too
      const std::string* channel = field(e, "channel");
      const std::string* payload = field(e, "payload");
      const Destination d = destination_of(channel, payload);
      if (!d.campaign) {
        on_unroutable(e.id, channel ? *channel : "", payload ? *payload : "", d.why);
        continue;
      }
      route_entry(redis, partition_stream_key(ingress, partition_of(*d.campaign, partitions)), e.id, *channel,
                  *payload);
      ++routed;
    }
    redis.xack(ingress, group, done);
  } while (cursor != "0-0");
  return routed;
}

bool stream_input_done_through(RedisConnection& redis, std::string_view ingress, std::string_view group,
                               std::uint32_t partitions, const std::string& through) {
  if (!group_done(redis, std::string(ingress), router_group(group), through)) return false;
  for (std::uint32_t p = 0; p < partitions; ++p)
    if (!group_done(redis, partition_stream_key(ingress, p), std::string(group), through)) return false;
  return true;
}

std::size_t router_backlog(RedisConnection& redis, std::string_view ingress, std::string_view group) {
  if (redis.type(ingress) == "none") return 0;
  const auto info = redis.xgroup_info(ingress, router_group(group));
  if (!info) return redis.xlen(ingress);
  if (info->lag) return *info->lag + info->pending;
  return redis.xrange(ingress, "(" + info->last_delivered, "+", 10000).size() + info->pending;
}

StreamRouter::StreamRouter(StreamRouterOptions options, StreamRouterCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (!options_.active) throw std::invalid_argument("StreamRouter: no `active` (the router lease)");
  if (options_.partitions < 1) throw std::invalid_argument("StreamRouter: partitions must be >= 1");
  RedisStreamReaderOptions o;
  o.endpoint = options_.endpoint;
  o.key = options_.ingress;
  o.group = router_group(options_.group);
  o.consumer = options_.consumer;
  o.block = options_.block;
  o.connect_timeout = options_.connect_timeout;
  o.io_timeout = options_.io_timeout;
  o.backoff_initial = options_.backoff_initial;
  o.backoff_cap = options_.backoff_cap;
  o.claim_pending = true;  // a previous router's entries: the lease says they are ours
  o.streams = [this] { return routing() ? std::vector<std::string>{options_.ingress} : std::vector<std::string>{}; };
  RedisStreamReaderCallbacks cb;
  cb.on_entry = [this](std::string id, std::string channel, std::string payload) { route(id, channel, payload); };
  cb.on_malformed = [this](std::string id, std::string why) { unroutable(id, "", "", why); };
  cb.on_joining = [this](const std::string& ingress) {
    const std::size_t legacy = take_legacy_group(
        connection(), ingress, options_.group, options_.consumer, options_.partitions,
        [this](const std::string& id, const std::string& channel, const std::string& payload, const std::string& why) {
          if (callbacks_.on_unroutable) callbacks_.on_unroutable(id, channel, payload, why);
        });
    if (callbacks_.on_routing) callbacks_.on_routing(legacy);
  };
  cb.on_disconnected = [this](std::string why) {
    if (callbacks_.on_error) callbacks_.on_error(why);
  };
  cb.on_connect_failed = [this](std::string why, std::chrono::milliseconds) {
    if (callbacks_.on_error) callbacks_.on_error(why);
  };
  cb.on_ack_failed = [this](std::string why) {
    if (callbacks_.on_error) callbacks_.on_error("XACK: " + why);
  };
  reader_ = std::make_unique<RedisStreamReader>(std::move(o), std::move(cb));
}

StreamRouter::~StreamRouter() { stop(); }

void StreamRouter::start() { reader_->start(); }
void StreamRouter::stop() { reader_->stop(); }

RedisConnection& StreamRouter::connection() {
  if (!redis_ || redis_->broken()) {
    redis_.reset();
    redis_.emplace(RedisConnection::connect(options_.endpoint, options_.connect_timeout));
    redis_->set_io_timeout(options_.io_timeout);  // on a cluster, every node's connection too
  }
  return *redis_;
}

bool StreamRouter::routing() {
  const bool active = options_.active();
  if (!callbacks_.on_backlog) return active;
  const auto now = std::chrono::steady_clock::now();
  if (!active) {
    if (was_routing_) callbacks_.on_backlog(0);
  } else if (!was_routing_ || now - backlog_reported_ >= std::chrono::seconds(5)) {
    backlog_reported_ = now;
    try {
      callbacks_.on_backlog(router_backlog(connection(), options_.ingress, options_.group));
    } catch (const std::exception&) {
      redis_.reset();  // the reads will say what is wrong
    }
  }
  was_routing_ = active;
  return active;
}

void StreamRouter::unroutable(const std::string& id, const std::string& channel, const std::string& payload,
                              const std::string& why) {
  if (callbacks_.on_unroutable) callbacks_.on_unroutable(id, channel, payload, why);
  reader_->acknowledge(id);  // it will never be routed: not to be read again
}

void StreamRouter::route(const std::string& id, const std::string& channel, const std::string& payload) {
  const Destination d = destination_of(&channel, &payload);
  if (!d.campaign) return unroutable(id, channel, payload, d.why);
  try {
    route_entry(connection(), partition_stream_key(options_.ingress, partition_of(*d.campaign, options_.partitions)),
                id, channel, payload);
  } catch (const std::exception&) {
    // Not routed: routing the entries after it first would make Redis
    // refuse it later (below their ids), so it and they come again.
    redis_.reset();
    reader_->give_back();
    return;
  }
  reader_->acknowledge(id);
}

}  // namespace hourglass::io
