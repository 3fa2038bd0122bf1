#include "io/cluster_slots.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace hourglass::io {
namespace {

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as in the
// Redis Cluster specification's crc16.c.
std::uint16_t crc16(std::string_view data) {
  std::uint16_t crc = 0;
  for (const unsigned char byte : data) {
    crc ^= static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021) : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool one_of(const std::string& name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

int cluster_key_slot(std::string_view key) {
  const auto open = key.find('{');
  if (open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key) % kClusterSlots;
}

std::vector<std::string_view> command_keys(const std::vector<std::string_view>& args) {
  if (args.size() < 2) return {};
  const std::string name = upper(args[0]);
  if (one_of(name, {"PING", "INFO", "PUBLISH", "SCRIPT", "CONFIG", "CLUSTER", "ASKING", "AUTH", "SELECT", "MULTI",
                    "EXEC", "DISCARD", "UNWATCH", "TIME", "ECHO", "CLIENT", "COMMAND", "DBSIZE", "FLUSHALL",
                    "FLUSHDB", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "HELLO", "WAIT", "READONLY",
                    "READWRITE", "MEMORY", "SLOWLOG", "LATENCY"})) {
    return {};
  }
  if (one_of(name, {"EVALSHA", "EVAL", "EVALSHA_RO", "EVAL_RO", "FCALL", "FCALL_RO"})) {
    const auto numkeys = args.size() > 2 ? to_int(args[2]) : std::nullopt;
    if (!numkeys || *numkeys < 0 || args.size() < 3 + static_cast<std::size_t>(*numkeys)) return {};
    return {args.begin() + 3, args.begin() + 3 + *numkeys};
  }
  if (one_of(name, {"XREAD", "XREADGROUP"})) {
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (upper(args[i]) != "STREAMS") continue;
      const std::size_t streams = (args.size() - i - 1) / 2;  // then as many ids
      return {args.begin() + static_cast<std::ptrdiff_t>(i + 1),
              args.begin() + static_cast<std::ptrdiff_t>(i + 1 + streams)};
    }
    return {};
  }
  if (one_of(name, {"XGROUP", "XINFO", "OBJECT"})) {
    return args.size() > 2 ? std::vector<std::string_view>{args[2]} : std::vector<std::string_view>{};
  }
  if (one_of(name, {"DEL", "UNLINK", "EXISTS", "WATCH", "MGET", "TOUCH"})) return {args.begin() + 1, args.end()};
  return {args[1]};
}

std::optional<int> common_slot(const std::vector<std::string_view>& keys) {
  std::optional<int> slot;
  std::string_view first;
  for (const auto key : keys) {
    const int s = cluster_key_slot(key);
    if (!slot) {
      slot = s;
      first = key;
    } else if (*slot != s) {
      throw std::invalid_argument("keys \"" + std::string(first) + "\" (slot " + std::to_string(*slot) + ") and \"" +
                                  std::string(key) + "\" (slot " + std::to_string(s) +
                                  ") are in different hash slots; on a Redis Cluster one command or transaction "
                                  "takes keys of one slot only (give them the same {hash tag})");
    }
  }
  return slot;
}

std::optional<ClusterRedirect> parse_cluster_redirect(std::string_view reply) {
  ClusterRedirect r;
  if (reply.rfind("MOVED ", 0) == 0) {
    reply.remove_prefix(6);
  } else if (reply.rfind("ASK ", 0) == 0) {
    r.ask = true;
    reply.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = reply.find(' ');
  const auto colon = reply.rfind(':');
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space) return std::nullopt;
  const auto slot = to_int(reply.substr(0, space));
  const auto port = to_int(reply.substr(colon + 1));
  if (!slot || *slot < 0 || *slot >= kClusterSlots || !port || *port <= 0 || *port > 65535) return std::nullopt;
  r.slot = *slot;
  r.host = std::string(reply.substr(space + 1, colon - space - 1));
  r.port = *port;
  return r;
}

}  // namespace hourglass::io
