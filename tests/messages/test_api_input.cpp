// Unit tests for messages/api_input: the campaign API's own Redis traffic
// (entity.modified.{id} JSON from graphql-redis-subscriptions; Socket.IO
// Redis-adapter msgpack packets carrying world_time_changed), decoded,
// ignored or refused with the field at fault. Packets are built with
// msgpack::packer as @socket.io/redis-adapter 8.3 lays them out
// ([uid, {type, data: [event, data], nsp}, {rooms, except, flags}]); one was
// captured from the real adapter (tests/socketio/emit_world_time.js).
#include <catch2/catch.hpp>

#include <msgpack.hpp>
#include <string>
#include <variant>
#include <vector>

#include "messages/api_input.hpp"

using namespace hourglass::messages;
namespace sim = hourglass::sim;

namespace {

// 2025-04-01T00:00:00Z = 20179 days after the epoch.
constexpr sim::WorldTime kApril1 = 20179LL * 86'400'000;
constexpr sim::WorldTime kHour = 3'600'000;
constexpr const char* kRoomChannel = "socket.io#/#campaign:c1#";

struct Packet {
  std::string uid = "AbC1eF";
  int type = 2;  // EVENT
  std::string nsp = "/";
  std::string event = "world_time_changed";
  std::string campaign = "c1";  // the payload's campaignId
  std::string previous = "2025-04-01T00:00:00.000Z";
  std::string next = "2025-04-01T01:00:00.000Z";
  std::vector<std::string> rooms = {"campaign:c1"};
};

// The world_time_changed event as the API's createWorldTimeChangedEvent builds it.
void pack_event(msgpack::packer<msgpack::sbuffer>& pk, const Packet& p) {
  pk.pack_map(4);
  pk.pack("type"); pk.pack(p.event);
  pk.pack("timestamp"); pk.pack("2026-01-01T10:00:00.000Z");
  pk.pack("payload");
  pk.pack_map(4);
  pk.pack("campaignId"); pk.pack(p.campaign);
  pk.pack("previousTime"); pk.pack(p.previous);
  pk.pack("newTime"); pk.pack(p.next);
  pk.pack("elapsed");
  pk.pack_map(2);
  pk.pack("value"); pk.pack(3600);
  pk.pack("unit"); pk.pack("seconds");
  pk.pack("metadata");
  pk.pack_map(2);
  pk.pack("userId"); pk.pack("u1");
  pk.pack("source"); pk.pack("api");
}

std::string pack(const Packet& p) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(3);
  pk.pack(p.uid);
  pk.pack_map(3);
  pk.pack("type"); pk.pack(p.type);
  pk.pack("data");
  pk.pack_array(2);
  pk.pack(p.event);
  pack_event(pk, p);
  pk.pack("nsp"); pk.pack(p.nsp);
  pk.pack_map(3);
  pk.pack("rooms"); pk.pack(p.rooms);
  pk.pack("except"); pk.pack_array(0);
  pk.pack("flags"); pk.pack_map(0);
  return std::string(buf.data(), buf.size());
}

template <class F>
std::string packed(F build) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  build(pk);
  return std::string(buf.data(), buf.size());
}

const WorldTimeAdvanced& advanced(const ApiTraffic& t) {
  if (const auto* r = std::get_if<ApiRefused>(&t)) FAIL("refused: " << r->what());
  if (const auto* i = std::get_if<ApiIgnored>(&t)) FAIL("ignored: " << i->why);
  REQUIRE(std::holds_alternative<WorldTimeAdvanced>(t));
  return std::get<WorldTimeAdvanced>(t);
}

const ApiEntityChanged& changed(const ApiTraffic& t) {
  if (const auto* r = std::get_if<ApiRefused>(&t)) FAIL("refused: " << r->what());
  if (const auto* i = std::get_if<ApiIgnored>(&t)) FAIL("ignored: " << i->why);
  REQUIRE(std::holds_alternative<ApiEntityChanged>(t));
  return std::get<ApiEntityChanged>(t);
}

ApiRefused refused(const ApiTraffic& t) {
  if (const auto* i = std::get_if<ApiIgnored>(&t)) FAIL("ignored, not refused: " << i->why);
  REQUIRE(std::holds_alternative<ApiRefused>(t));
  return std::get<ApiRefused>(t);
}

std::string ignored(const ApiTraffic& t) {
  if (const auto* r = std::get_if<ApiRefused>(&t)) FAIL("refused, not ignored: " << r->what());
  REQUIRE(std::holds_alternative<ApiIgnored>(t));
  return std::get<ApiIgnored>(t).why;
}

// Captured from Redis (PSUBSCRIBE socket.io#*) while emit_world_time.js ran
// with socket.io 4.8.1, @socket.io/redis-adapter 8.3.0 and redis 5.9.0:
// channel socket.io#/#campaign:cmq3x0abc#, campaign cmq3x0abc advanced from
// 2025-01-01T00:00:00.000Z to 2025-01-01T06:30:00.000Z.
const unsigned char kCapturedPacket[] = {
    0x93, 0xa6, 0x6e, 0x75, 0x38, 0x42, 0x4d, 0x50, 0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa4,
    0x64, 0x61, 0x74, 0x61, 0x92, 0xb2, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0x5f, 0x74, 0x69, 0x6d, 0x65,
    0x5f, 0x63, 0x68, 0x61, 0x6e, 0x67, 0x65, 0x64, 0x84, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xb2, 0x77,
    0x6f, 0x72, 0x6c, 0x64, 0x5f, 0x74, 0x69, 0x6d, 0x65, 0x5f, 0x63, 0x68, 0x61, 0x6e, 0x67, 0x65,
    0x64, 0xa9, 0x74, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0xb8, 0x32, 0x30, 0x32, 0x36,
    0x2d, 0x31, 0x32, 0x2d, 0x30, 0x31, 0x54, 0x30, 0x39, 0x3a, 0x32, 0x35, 0x3a, 0x33, 0x39, 0x2e,
    0x33, 0x35, 0x38, 0x5a, 0xa7, 0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0x84, 0xaa, 0x63, 0x61,
    0x6d, 0x70, 0x61, 0x69, 0x67, 0x6e, 0x49, 0x64, 0xa9, 0x63, 0x6d, 0x71, 0x33, 0x78, 0x30, 0x61,
    0x62, 0x63, 0xac, 0x70, 0x72, 0x65, 0x76, 0x69, 0x6f, 0x75, 0x73, 0x54, 0x69, 0x6d, 0x65, 0xb8,
    0x32, 0x30, 0x32, 0x35, 0x2d, 0x30, 0x31, 0x2d, 0x30, 0x31, 0x54, 0x30, 0x30, 0x3a, 0x30, 0x30,
    0x3a, 0x30, 0x30, 0x2e, 0x30, 0x30, 0x30, 0x5a, 0xa7, 0x6e, 0x65, 0x77, 0x54, 0x69, 0x6d, 0x65,
    0xb8, 0x32, 0x30, 0x32, 0x35, 0x2d, 0x30, 0x31, 0x2d, 0x30, 0x31, 0x54, 0x30, 0x36, 0x3a, 0x33,
    0x30, 0x3a, 0x30, 0x30, 0x2e, 0x30, 0x30, 0x30, 0x5a, 0xa7, 0x65, 0x6c, 0x61, 0x70, 0x73, 0x65,
    0x64, 0x82, 0xa5, 0x76, 0x61, 0x6c, 0x75, 0x65, 0xcd, 0x5b, 0x68, 0xa4, 0x75, 0x6e, 0x69, 0x74,
    0xa7, 0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64, 0x73, 0xa8, 0x6d, 0x65, 0x74, 0x61, 0x64, 0x61, 0x74,
    0x61, 0x82, 0xa6, 0x75, 0x73, 0x65, 0x72, 0x49, 0x64, 0xa6, 0x75, 0x73, 0x65, 0x72, 0x2d, 0x31,
    0xa6, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0xa3, 0x61, 0x70, 0x69, 0xa3, 0x6e, 0x73, 0x70, 0xa1,
    0x2f, 0x83, 0xa5, 0x72, 0x6f, 0x6f, 0x6d, 0x73, 0x91, 0xb2, 0x63, 0x61, 0x6d, 0x70, 0x61, 0x69,
    0x67, 0x6e, 0x3a, 0x63, 0x6d, 0x71, 0x33, 0x78, 0x30, 0x61, 0x62, 0x63, 0xa6, 0x65, 0x78, 0x63,
    0x65, 0x70, 0x74, 0x90, 0xa5, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x80,
};

std::string captured() {
  return std::string(reinterpret_cast<const char*>(kCapturedPacket), sizeof kCapturedPacket);
}

}  // namespace

// --- Socket.IO world_time_changed --------------------------------------------

TEST_CASE("socket.io: world_time_changed to campaign:{id} decodes to a WorldTimeAdvanced", "[api_input]") {
  const ApiTraffic t = decode_api_traffic(kRoomChannel, pack(Packet{}));
  const auto& m = advanced(t);
  CHECK(m.campaign_id == "c1");
  CHECK(m.previous_time == kApril1);
  CHECK(m.new_time == kApril1 + kHour);
  // The same through the socket.io decoder itself.
  CHECK(advanced(decode_socketio_packet(kRoomChannel, pack(Packet{}))).new_time == kApril1 + kHour);
}

TEST_CASE("socket.io: a packet captured from the real adapter decodes", "[api_input]") {
  const ApiTraffic t = decode_api_traffic("socket.io#/#campaign:cmq3x0abc#", captured());
  const auto& m = advanced(t);
  CHECK(m.campaign_id == "cmq3x0abc");
  CHECK(m.previous_time == *sim::parse_world_time("2025-01-01T00:00:00.000Z"));
  CHECK(m.new_time == *sim::parse_world_time("2025-01-01T06:30:00.000Z"));
}

TEST_CASE("socket.io: the first time a campaign is set, previousTime is newTime, decoded as is", "[api_input]") {
  Packet p;
  p.previous = p.next;
  const ApiTraffic t = decode_api_traffic(kRoomChannel, pack(p));
  const auto& m = advanced(t);
  CHECK(m.previous_time == m.new_time);
}

TEST_CASE("socket.io: a broadcast to several rooms (channel without a room) decodes", "[api_input]") {
  Packet p;
  p.rooms = {"settlement:s1", "campaign:c1"};
  CHECK(advanced(decode_api_traffic("socket.io#/#", pack(p))).campaign_id == "c1");
}

TEST_CASE("socket.io: another event, room, namespace or packet type is ignored", "[api_input]") {
  Packet other_event;
  other_event.event = "settlement_updated";
  CHECK(ignored(decode_api_traffic(kRoomChannel, pack(other_event))) ==
        "event \"settlement_updated\" is not world_time_changed");

  Packet other_room;
  other_room.rooms = {"settlement:s1"};
  CHECK(ignored(decode_api_traffic("socket.io#/#settlement:s1#", pack(other_room))) ==
        "world_time_changed not sent to a campaign:<id> room");
  other_room.rooms = {};
  CHECK(ignored(decode_api_traffic("socket.io#/#", pack(other_room))) ==
        "world_time_changed not sent to a campaign:<id> room");

  Packet other_nsp;
  other_nsp.nsp = "/admin";
  CHECK(ignored(decode_api_traffic("socket.io#/admin#campaign:c1#", pack(other_nsp))) ==
        "namespace \"/admin\" is not the API's (\"/\")");

  Packet ack;
  ack.type = 3;
  CHECK(ignored(decode_api_traffic(kRoomChannel, pack(ack))) == "packet type 3 is not an event (2)");

  CHECK(ignored(decode_api_traffic("socket.io-request#/#", "{\"type\":0}")) ==
        "Socket.IO adapter request/response traffic, not a broadcast");
}

TEST_CASE("socket.io: another event is ignored even when its data is not JSON-like", "[api_input]") {
  const std::string bytes = packed([](auto& pk) {
    pk.pack_array(3);
    pk.pack("AbC1eF");
    pk.pack_map(3);
    pk.pack("type"); pk.pack(2);
    pk.pack("data"); pk.pack_array(2); pk.pack("upload"); pk.pack_bin(2); pk.pack_bin_body("\x01\x02", 2);
    pk.pack("nsp"); pk.pack("/");
    pk.pack_map(1);
    pk.pack("rooms"); pk.pack(std::vector<std::string>{"campaign:c1"});
  });
  CHECK(ignored(decode_api_traffic(kRoomChannel, bytes)) == "event \"upload\" is not world_time_changed");
}

TEST_CASE("socket.io: a campaignId other than the room's is refused", "[api_input]") {
  Packet p;
  p.campaign = "c2";
  const ApiRefused r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message[1].data[1].payload.campaignId");
  CHECK(r.message == "\"c2\" differs from the room's campaign \"c1\"");
  CHECK(r.what() == "message[1].data[1].payload.campaignId: \"c2\" differs from the room's campaign \"c1\"");
}

TEST_CASE("socket.io: a bad or missing time is refused", "[api_input]") {
  Packet p;
  p.next = "2025-13-01T00:00:00.000Z";
  ApiRefused r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message[1].data[1].payload.newTime");
  CHECK(r.message.rfind("bad time \"2025-13-01T00:00:00.000Z\"", 0) == 0);

  p = Packet{};
  p.previous = "yesterday";
  r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message[1].data[1].payload.previousTime");
  CHECK(r.message.rfind("bad time \"yesterday\"", 0) == 0);

  const std::string no_previous = packed([](auto& pk) {
    pk.pack_array(3);
    pk.pack("AbC1eF");
    pk.pack_map(3);
    pk.pack("type"); pk.pack(2);
    pk.pack("data"); pk.pack_array(2); pk.pack("world_time_changed");
    pk.pack_map(1); pk.pack("payload");
    pk.pack_map(2); pk.pack("campaignId"); pk.pack("c1"); pk.pack("newTime"); pk.pack("2025-04-01T01:00:00.000Z");
    pk.pack("nsp"); pk.pack("/");
    pk.pack_map(1);
    pk.pack("rooms"); pk.pack(std::vector<std::string>{"campaign:c1"});
  });
  r = refused(decode_api_traffic(kRoomChannel, no_previous));
  CHECK(r.path == "message[1].data[1].payload.previousTime");
  CHECK(r.message == "required field is missing");
}

TEST_CASE("socket.io: a truncated packet is refused, at every length", "[api_input]") {
  const std::string whole = pack(Packet{});
  const ApiRefused r = refused(decode_api_traffic(kRoomChannel, whole.substr(0, whole.size() - 5)));
  CHECK(r.path == "message");
  CHECK(r.message == "truncated msgpack (" + std::to_string(whole.size() - 5) + " bytes end inside a value)");
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const ApiTraffic t = decode_api_traffic(kRoomChannel, whole.substr(0, n));
    INFO("first " << n << " bytes");
    REQUIRE(std::holds_alternative<ApiRefused>(t));
    CHECK(std::get<ApiRefused>(t).path == "message");
  }
}

TEST_CASE("socket.io: bytes that are not one msgpack packet are refused", "[api_input]") {
  // JSON text: '{' is msgpack's fixint 123, and the rest trails it.
  const std::string json_text = R"({"campaignId":"c1"})";
  ApiRefused r = refused(decode_api_traffic(kRoomChannel, json_text));
  CHECK(r.path == "message");
  CHECK(r.message == "18 bytes follow the first msgpack value (not one msgpack packet)");
  // 0xc1 is the one byte msgpack never uses.
  r = refused(decode_api_traffic(kRoomChannel, std::string("\xc1\x00", 2)));
  CHECK(r.path == "message");
  CHECK(r.message.rfind("not msgpack (", 0) == 0);
  // A packet and more.
  r = refused(decode_api_traffic(kRoomChannel, pack(Packet{}) + "x"));
  CHECK(r.message == "1 bytes follow the first msgpack value (not one msgpack packet)");
  // A few bytes declaring a huge array.
  r = refused(decode_api_traffic(kRoomChannel, std::string("\xdd\xff\xff\xff\xff", 5)));
  CHECK(r.path == "message");
  CHECK(r.message.rfind("msgpack container too large (", 0) == 0);
}

TEST_CASE("socket.io: the wrong top-level shape is refused", "[api_input]") {
  ApiRefused r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_map(1); pk.pack("uid"); pk.pack("AbC1eF");
  })));
  CHECK(r.path == "message");
  CHECK(r.message == "expected an array [uid, packet, options], got a map");

  r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_array(2); pk.pack("AbC1eF"); pk.pack_map(0);
  })));
  CHECK(r.path == "message");
  CHECK(r.message == "expected 3 elements [uid, packet, options], got 2");

  r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_array(3); pk.pack(7); pk.pack_map(0); pk.pack_map(0);
  })));
  CHECK(r.path == "message[0]");
  CHECK(r.message == "expected a string, got a number");

  r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_array(3); pk.pack("AbC1eF"); pk.pack("packet"); pk.pack_map(0);
  })));
  CHECK(r.path == "message[1]");
  CHECK(r.message == "expected a map (the packet), got a string");

  r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_array(3); pk.pack("AbC1eF");
    pk.pack_map(2); pk.pack("type"); pk.pack(2); pk.pack("nsp"); pk.pack("/");
    pk.pack_map(0);
  })));
  CHECK(r.path == "message[2].rooms");
  CHECK(r.message == "required field is missing");

  r = refused(decode_api_traffic(kRoomChannel, packed([](auto& pk) {
    pk.pack_array(3); pk.pack("AbC1eF");
    pk.pack_map(2); pk.pack("type"); pk.pack(2); pk.pack("nsp"); pk.pack("/");
    pk.pack_map(1); pk.pack("rooms"); pk.pack(std::vector<std::string>{"campaign:c1"});
  })));
  CHECK(r.path == "message[1].data");
  CHECK(r.message == "required field is missing");
}

TEST_CASE("socket.io: an event that is not a map with a payload map is refused", "[api_input]") {
  const auto with_event = [](auto pack_event_value) {
    return packed([&](auto& pk) {
      pk.pack_array(3); pk.pack("AbC1eF");
      pk.pack_map(3);
      pk.pack("type"); pk.pack(2);
      pk.pack("data"); pk.pack_array(2); pk.pack("world_time_changed"); pack_event_value(pk);
      pk.pack("nsp"); pk.pack("/");
      pk.pack_map(1); pk.pack("rooms"); pk.pack(std::vector<std::string>{"campaign:c1"});
    });
  };
  ApiRefused r = refused(decode_api_traffic(kRoomChannel, with_event([](auto& pk) { pk.pack("soon"); })));
  CHECK(r.path == "message[1].data[1]");
  CHECK(r.message == "expected an object, got a string");
  r = refused(decode_api_traffic(kRoomChannel, with_event([](auto& pk) {
    pk.pack_map(1); pk.pack("payload"); pk.pack_bin(1); pk.pack_bin_body("x", 1);
  })));
  CHECK(r.path == "message[1].data[1].payload");
  CHECK(r.message == "expected JSON-like data, got binary data");
  r = refused(decode_api_traffic(kRoomChannel, with_event([](auto& pk) {
    pk.pack_map(1); pk.pack(1); pk.pack("x");
  })));
  CHECK(r.path == "message[1].data[1]");
  CHECK(r.message == "map key is a number, not a string");
}

TEST_CASE("socket.io: a packet that contradicts its channel is refused", "[api_input]") {
  Packet p;
  p.rooms = {"campaign:c2"};
  ApiRefused r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message[2].rooms");
  CHECK(r.message == "does not name the channel's room \"campaign:c1\"");

  p = Packet{};
  p.nsp = "/admin";
  r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message[1].nsp");
  CHECK(r.message == "\"/admin\" differs from the channel's namespace \"/\"");

  r = refused(decode_api_traffic("socket.io#nohash", pack(Packet{})));
  CHECK(r.path == "channel");
  CHECK(r.message == "malformed channel \"socket.io#nohash\" (expected socket.io#<namespace>#[<room>#])");
}

TEST_CASE("socket.io: a packet over 1 MiB is refused", "[api_input]") {
  Packet p;
  p.uid = std::string(kMaxPayloadBytes, 'u');
  const ApiRefused r = refused(decode_api_traffic(kRoomChannel, pack(p)));
  CHECK(r.path == "message");
  CHECK(r.message.find("bytes exceeds the 1 MiB limit") != std::string::npos);
}

// --- entity.modified.{entityId} ----------------------------------------------

namespace {

std::string entity_json(const std::string& id, const std::string& type) {
  return R"({"entityModified":{"entityId":")" + id + R"(","entityType":")" + type +
         R"(","version":4,"modifiedBy":"u1","modifiedAt":"2025-04-01T01:00:00.000Z"}})";
}

}  // namespace

TEST_CASE("entity.modified: a settlement, structure or event decodes to an ApiEntityChanged", "[api_input]") {
  const ApiTraffic t = decode_api_traffic("entity.modified.s1", entity_json("s1", "settlement"));
  const auto& s = changed(t);
  CHECK(s.entity_id == "s1");
  CHECK(s.kind == EntityKind::Settlement);
  CHECK(s.version == 4);
  CHECK(s.modified_by == "u1");
  CHECK(s.modified_at == kApril1 + kHour);
  CHECK(changed(decode_api_traffic("entity.modified.st1", entity_json("st1", "structure"))).kind ==
        EntityKind::Structure);
  CHECK(changed(decode_api_entity_modified("entity.modified.e1", entity_json("e1", "event"))).kind ==
        EntityKind::Event);
}

TEST_CASE("entity.modified: the types Hourglass does not simulate are ignored", "[api_input]") {
  for (const char* type : {"campaign", "character", "kingdom", "location", "party", "encounter", "Settlement"}) {
    INFO(type);
    CHECK(ignored(decode_api_traffic("entity.modified.x1", entity_json("x1", type))) ==
          std::string("entity type \"") + type + "\" is not simulated");
  }
}

TEST_CASE("entity.modified: an entityId other than the channel's is refused", "[api_input]") {
  const ApiRefused r = refused(decode_api_traffic("entity.modified.s1", entity_json("s2", "settlement")));
  CHECK(r.path == "payload.entityModified.entityId");
  CHECK(r.message == "\"s2\" differs from the channel's entity \"s1\"");
}

TEST_CASE("entity.modified: bad JSON, a wrong shape or a missing field is refused", "[api_input]") {
  ApiRefused r = refused(decode_api_traffic("entity.modified.s1", "{\"entityModified\":"));
  CHECK(r.path == "payload");
  CHECK(r.message == "not valid JSON");

  r = refused(decode_api_traffic("entity.modified.s1", "[1]"));
  CHECK(r.path == "payload");
  CHECK(r.message == "expected an object, got an array");

  r = refused(decode_api_traffic("entity.modified.s1", R"({"entityId":"s1"})"));
  CHECK(r.path == "payload.entityModified");
  CHECK(r.message == "required field is missing");

  r = refused(decode_api_traffic("entity.modified.s1", R"({"entityModified":"s1"})"));
  CHECK(r.path == "payload.entityModified");
  CHECK(r.message == "expected an object, got a string");

  for (const char* field : {"entityId", "entityType", "version", "modifiedBy", "modifiedAt"}) {
    INFO(field);
    json doc = json::parse(entity_json("s1", "kingdom"));  // a missing field is refused for any type
    doc["entityModified"].erase(field);
    r = refused(decode_api_traffic("entity.modified.s1", doc.dump()));
    CHECK(r.path == std::string("payload.entityModified.") + field);
    CHECK(r.message == "required field is missing");
  }
}

TEST_CASE("entity.modified: a bad version or modifiedAt is refused", "[api_input]") {
  json doc = json::parse(entity_json("s1", "settlement"));
  doc["entityModified"]["version"] = -1;
  ApiRefused r = refused(decode_api_traffic("entity.modified.s1", doc.dump()));
  CHECK(r.path == "payload.entityModified.version");
  CHECK(r.message == "-1 is out of range [0, ...]");

  doc = json::parse(entity_json("s1", "settlement"));
  doc["entityModified"]["version"] = "4";
  r = refused(decode_api_traffic("entity.modified.s1", doc.dump()));
  CHECK(r.path == "payload.entityModified.version");
  CHECK(r.message == "expected a whole number, got a string");

  doc = json::parse(entity_json("s1", "settlement"));
  doc["entityModified"]["modifiedAt"] = "yesterday";
  r = refused(decode_api_traffic("entity.modified.s1", doc.dump()));
  CHECK(r.path == "payload.entityModified.modifiedAt");
  CHECK(r.message.rfind("bad time \"yesterday\"", 0) == 0);
}

TEST_CASE("entity.modified: over 1 MiB, or a channel without an id, is refused", "[api_input]") {
  json doc = json::parse(entity_json("s1", "settlement"));
  doc["padding"] = std::string(kMaxPayloadBytes, ' ');
  ApiRefused r = refused(decode_api_traffic("entity.modified.s1", doc.dump()));
  CHECK(r.path == "payload");
  CHECK(r.message == std::to_string(doc.dump().size()) + " bytes exceeds the 1 MiB limit");

  r = refused(decode_api_traffic("entity.modified.", entity_json("", "settlement")));
  CHECK(r.path == "channel");
  CHECK(r.message == "unknown channel \"entity.modified.\" (expected entity.modified.<entityId>)");
}

TEST_CASE("api traffic: a channel of neither kind is refused", "[api_input]") {
  const ApiRefused r = refused(decode_api_traffic("campaign.c1.worldTimeAdvanced", "{}"));
  CHECK(r.path == "channel");
  CHECK(r.message ==
        "unknown channel \"campaign.c1.worldTimeAdvanced\" (expected entity.modified.<entityId> or "
        "socket.io#/#<room>#)");
}
