#include "messages/api_input.hpp"

#include <msgpack.hpp>

namespace hourglass::messages {
namespace {

constexpr std::string_view kEntityPrefix = "entity.modified.";
constexpr std::string_view kSocketIoPrefix = "socket.io#";
constexpr std::string_view kSocketIoRequestPrefix = "socket.io-request#";
constexpr std::string_view kSocketIoResponsePrefix = "socket.io-response#";
constexpr std::string_view kCampaignRoomPrefix = "campaign:";
constexpr std::string_view kWorldTimeChanged = "world_time_changed";
constexpr std::uint64_t kSocketIoEvent = 2;  // socket.io-parser PacketType.EVENT

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

[[noreturn]] void too_big(std::size_t n, const char* path) {
  throw InputError(path, std::to_string(n) + " bytes exceeds the 1 MiB limit");
}

// --- entity.modified.{entityId} ---------------------------------------------

std::optional<EntityKind> simulated_kind(std::string_view api_type) {
  // The API's entityType values are lower case. Encounters are not
  // simulated (SPEC §2); effects never arrive on this channel.
  if (api_type == "settlement") return EntityKind::Settlement;
  if (api_type == "structure") return EntityKind::Structure;
  if (api_type == "event") return EntityKind::Event;
  return std::nullopt;
}

ApiTraffic read_entity_modified(std::string_view channel, std::string_view bytes) {
  if (!starts_with(channel, kEntityPrefix) || channel.size() == kEntityPrefix.size())
    throw InputError("channel", "unknown channel " + in_quotes(channel) + " (expected entity.modified.<entityId>)");
  const std::string channel_entity(channel.substr(kEntityPrefix.size()));
  if (bytes.size() > kMaxPayloadBytes) too_big(bytes.size(), "payload");
  const json doc = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded()) throw InputError("payload", "not valid JSON");
  expect_object(doc, "payload");
  const std::string path = "payload.entityModified";
  const json& m = expect_object(require_member(doc, "entityModified", "payload"), path);

  ApiEntityChanged out;
  out.entity_id = read_string(require_member(m, "entityId", path), path + ".entityId");
  if (out.entity_id != channel_entity)
    throw InputError(path + ".entityId",
                     in_quotes(out.entity_id) + " differs from the channel's entity " + in_quotes(channel_entity));
  const std::string type = read_string(require_member(m, "entityType", path), path + ".entityType");
  out.version = read_int(require_member(m, "version", path), path + ".version", 0);
  out.modified_by = read_string(require_member(m, "modifiedBy", path), path + ".modifiedBy");
  out.modified_at = read_time(require_member(m, "modifiedAt", path), path + ".modifiedAt");
  auto kind = simulated_kind(type);
  if (!kind) return ApiIgnored{"entity type " + in_quotes(type) + " is not simulated"};
  out.kind = *kind;
  return out;
}

// --- socket.io#{nsp}#[{room}#] ------------------------------------------------

const char* msgpack_type_name(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "a boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return "a number";
    case msgpack::type::STR: return "a string";
    case msgpack::type::BIN: return "binary data";
    case msgpack::type::ARRAY: return "an array";
    case msgpack::type::MAP: return "a map";
    case msgpack::type::EXT: return "an extension value";
  }
  return "an unknown value";
}

const msgpack::object& expect(const msgpack::object& o, msgpack::type::object_type t,
                              const std::string& path, const char* expected) {
  if (o.type != t)
    throw InputError(path, std::string("expected ") + expected + ", got " + msgpack_type_name(o));
  return o;
}

std::string_view as_string(const msgpack::object& o) { return {o.via.str.ptr, o.via.str.size}; }

std::string_view read_str(const msgpack::object& o, const std::string& path) {
  return as_string(expect(o, msgpack::type::STR, path, "a string"));
}

// The value of `key` in a map; nullptr when absent or nil.
const msgpack::object* find(const msgpack::object& map, std::string_view key) {
  for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
    const auto& kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR && as_string(kv.key) == key)
      return kv.val.type == msgpack::type::NIL ? nullptr : &kv.val;
  }
  return nullptr;
}

const msgpack::object& require(const msgpack::object& map, std::string_view key, const std::string& path) {
  const msgpack::object* v = find(map, key);
  if (!v) throw InputError(child_path(path, key), "required field is missing");
  return *v;
}

// The event's data as JSON, for the json_read helpers. A world_time_changed
// event is JSON-shaped; binary and extension values are refused.
json to_json(const msgpack::object& o, const std::string& path) {
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(as_string(o));
    case msgpack::type::ARRAY: {
      json a = json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i)
        a.push_back(to_json(o.via.array.ptr[i], index_path(path, i)));
      return a;
    }
    case msgpack::type::MAP: {
      json m = json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          throw InputError(path, std::string("map key is ") + msgpack_type_name(kv.key) + ", not a string");
        const std::string key(as_string(kv.key));
        m[key] = to_json(kv.val, child_path(path, key));
      }
      return m;
    }
    default:
      throw InputError(path, std::string("expected JSON-like data, got ") + msgpack_type_name(o));
  }
}

msgpack::object_handle unpack_message(std::string_view bytes) {
  if (bytes.size() > kMaxPayloadBytes) too_big(bytes.size(), "message");
  // Bounds against a few bytes declaring a huge container (the sizes are
  // also bounded by the 1 MiB above).
  const msgpack::unpack_limit limit(/*array*/ 1 << 16, /*map*/ 1 << 16, /*str*/ kMaxPayloadBytes,
                                    /*bin*/ kMaxPayloadBytes, /*ext*/ kMaxPayloadBytes, /*depth*/ 64);
  std::size_t offset = 0;
  msgpack::object_handle oh;
  try {
    oh = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
  } catch (const msgpack::insufficient_bytes&) {
    throw InputError("message", "truncated msgpack (" + std::to_string(bytes.size()) + " bytes end inside a value)");
  } catch (const msgpack::depth_size_overflow&) {
    throw InputError("message", "msgpack nested deeper than 64 levels");
  } catch (const msgpack::size_overflow& e) {
    throw InputError("message", std::string("msgpack container too large (") + e.what() + ")");
  } catch (const std::exception& e) {
    throw InputError("message", std::string("not msgpack (") + e.what() + ")");
  }
  if (offset != bytes.size())
    throw InputError("message", std::to_string(bytes.size() - offset) +
                                    " bytes follow the first msgpack value (not one msgpack packet)");
  return oh;
}

ApiTraffic read_socketio_packet(std::string_view channel, std::string_view bytes) {
  // socket.io#{nsp}#, or socket.io#{nsp}#{room}# for a broadcast to one room.
  if (!starts_with(channel, kSocketIoPrefix))
    throw InputError("channel", "unknown channel " + in_quotes(channel) + " (expected socket.io#<namespace>#[<room>#])");
  const std::string_view rest = channel.substr(kSocketIoPrefix.size());
  const auto hash = rest.find('#');
  const std::string_view tail = hash == std::string_view::npos ? "" : rest.substr(hash + 1);
  if (hash == std::string_view::npos || (!tail.empty() && tail.back() != '#'))
    throw InputError("channel", "malformed channel " + in_quotes(channel) + " (expected socket.io#<namespace>#[<room>#])");
  const std::string_view channel_nsp = rest.substr(0, hash);
  const std::string_view channel_room = tail.empty() ? tail : tail.substr(0, tail.size() - 1);

  const msgpack::object_handle oh = unpack_message(bytes);
  const msgpack::object& top = oh.get();
  expect(top, msgpack::type::ARRAY, "message", "an array [uid, packet, options]");
  if (top.via.array.size != 3)
    throw InputError("message", "expected 3 elements [uid, packet, options], got " +
                                    std::to_string(top.via.array.size));
  read_str(top.via.array.ptr[0], "message[0]");  // the sending adapter's uid
  const msgpack::object& packet = expect(top.via.array.ptr[1], msgpack::type::MAP, "message[1]", "a map (the packet)");
  const msgpack::object& opts = expect(top.via.array.ptr[2], msgpack::type::MAP, "message[2]", "a map (the options)");

  // The adapter defaults a missing nsp to "/".
  const msgpack::object* nsp_field = find(packet, "nsp");
  const std::string_view nsp = nsp_field ? read_str(*nsp_field, "message[1].nsp") : std::string_view("/");
  if (nsp != channel_nsp)
    throw InputError("message[1].nsp", in_quotes(nsp) + " differs from the channel's namespace " + in_quotes(channel_nsp));
  const msgpack::object& type = require(packet, "type", "message[1]");
  if (type.type != msgpack::type::POSITIVE_INTEGER)
    throw InputError("message[1].type", std::string("expected a packet type number, got ") + msgpack_type_name(type));

  const msgpack::object& rooms = expect(require(opts, "rooms", "message[2]"), msgpack::type::ARRAY,
                                        "message[2].rooms", "an array");
  std::vector<std::string_view> campaigns;
  bool names_channel_room = false;
  for (std::uint32_t i = 0; i < rooms.via.array.size; ++i) {
    const msgpack::object& r = rooms.via.array.ptr[i];
    if (r.type != msgpack::type::STR) continue;  // socket.io allows numeric rooms: never a campaign's
    const std::string_view room = as_string(r);
    names_channel_room |= room == channel_room;
    if (starts_with(room, kCampaignRoomPrefix) && room.size() > kCampaignRoomPrefix.size())
      campaigns.push_back(room.substr(kCampaignRoomPrefix.size()));
  }
  if (!channel_room.empty() && !names_channel_room)
    throw InputError("message[2].rooms", "does not name the channel's room " + in_quotes(channel_room));

  if (nsp != "/") return ApiIgnored{"namespace " + in_quotes(nsp) + " is not the API's (\"/\")"};
  if (type.via.u64 != kSocketIoEvent)
    return ApiIgnored{"packet type " + std::to_string(type.via.u64) + " is not an event (2)"};
  const msgpack::object& data = expect(require(packet, "data", "message[1]"), msgpack::type::ARRAY,
                                       "message[1].data", "an array [event, ...arguments]");
  if (data.via.array.size == 0) throw InputError("message[1].data", "no event name");
  const std::string_view event = read_str(data.via.array.ptr[0], "message[1].data[0]");
  if (event != kWorldTimeChanged) return ApiIgnored{"event " + in_quotes(event) + " is not world_time_changed"};
  if (campaigns.empty()) return ApiIgnored{"world_time_changed not sent to a campaign:<id> room"};
  if (data.via.array.size < 2)
    throw InputError("message[1].data", "world_time_changed carries no event object");

  const std::string path = "message[1].data[1]";
  const json ev = to_json(data.via.array.ptr[1], path);
  expect_object(ev, path);
  const std::string ppath = path + ".payload";
  const json& p = expect_object(require_member(ev, "payload", path), ppath);
  WorldTimeAdvanced out;
  out.campaign_id = read_string(require_member(p, "campaignId", ppath), ppath + ".campaignId");
  bool in_room = false;
  for (auto c : campaigns) in_room |= c == out.campaign_id;
  if (!in_room)
    throw InputError(ppath + ".campaignId", in_quotes(out.campaign_id) + " differs from the room's campaign " +
                                                in_quotes(campaigns.front()));
  out.previous_time = read_time(require_member(p, "previousTime", ppath), ppath + ".previousTime");
  out.new_time = read_time(require_member(p, "newTime", ppath), ppath + ".newTime");
  return out;
}

template <class Read>
ApiTraffic guarded(Read read) {
  try {
    return read();
  } catch (const InputError& e) {
    return ApiRefused{e.path(), e.message()};
  }
}

}  // namespace

ApiTraffic decode_api_entity_modified(std::string_view channel, std::string_view bytes) {
  return guarded([&] { return read_entity_modified(channel, bytes); });
}

ApiTraffic decode_socketio_packet(std::string_view channel, std::string_view bytes) {
  return guarded([&] { return read_socketio_packet(channel, bytes); });
}

ApiTraffic decode_api_traffic(std::string_view channel, std::string_view bytes) {
  if (starts_with(channel, kEntityPrefix)) return decode_api_entity_modified(channel, bytes);
  if (starts_with(channel, kSocketIoPrefix)) return decode_socketio_packet(channel, bytes);
  if (starts_with(channel, kSocketIoRequestPrefix) || starts_with(channel, kSocketIoResponsePrefix))
    return ApiIgnored{"Socket.IO adapter request/response traffic, not a broadcast"};
  return ApiRefused{"channel", "unknown channel " + in_quotes(channel) +
                                   " (expected entity.modified.<entityId> or socket.io#/#<room>#)"};
}

}  // namespace hourglass::messages
