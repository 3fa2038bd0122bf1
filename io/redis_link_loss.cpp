#include "io/redis_link_loss.hpp"

#include <charconv>

namespace hourglass::io {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

bool grew(const std::optional<std::uint64_t>& before, const std::optional<std::uint64_t>& after) {
  return before && after && *after > *before;
}

std::string count_change(const char* field, std::uint64_t before, std::uint64_t after) {
  return std::string("INFO stats ") + field + " went from " + std::to_string(before) + " to " + std::to_string(after);
}

}  // namespace

RedisServerInfo parse_redis_info(std::string_view info) {
  RedisServerInfo out;
  while (!info.empty()) {
    const std::size_t eol = info.find('\n');
    std::string_view line = info.substr(0, eol);
    info = eol == std::string_view::npos ? std::string_view() : info.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (line.empty() || line.front() == '#' || colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon), value = line.substr(colon + 1);
    if (key == "run_id")
      out.run_id = std::string(value);
    else if (key == "evicted_clients")
      out.evicted_clients = number(value);
    else if (key == "client_output_buffer_limit_disconnections")
      out.output_buffer_limit_disconnections = number(value);
  }
  return out;
}

const char* to_string(LinkLossCause cause) {
  switch (cause) {
    case LinkLossCause::network: return "network";
    case LinkLossCause::server_restarted: return "server_restarted";
    case LinkLossCause::output_buffer_limit: return "output_buffer_limit";
    case LinkLossCause::client_evicted: return "client_evicted";
    case LinkLossCause::closed_by_server: return "closed_by_server";
    default: return "unknown";
  }
}

LinkLossVerdict explain_link_loss(const RedisServerInfo& before, const RedisServerInfo& after, bool closed_by_server) {
  if (before.run_id.empty() || after.run_id.empty())
    return {LinkLossCause::unknown, false, "INFO could not be read before and after the loss"};
  if (before.run_id != after.run_id)
    return {LinkLossCause::server_restarted, false, "redis-server restarted (run_id " + before.run_id + " -> " + after.run_id + ")"};
  const auto& obl_before = before.output_buffer_limit_disconnections;
  const auto& obl_after = after.output_buffer_limit_disconnections;
  if (grew(obl_before, obl_after))
    return {LinkLossCause::output_buffer_limit, false,
            count_change("client_output_buffer_limit_disconnections", *obl_before, *obl_after)};
  if (grew(before.evicted_clients, after.evicted_clients))
    return {LinkLossCause::client_evicted, false,
            count_change("evicted_clients", *before.evicted_clients, *after.evicted_clients) +
                " (maxmemory-clients)"};
  if (!closed_by_server) return {LinkLossCause::network, false, "the connection broke; Redis kept running"};
  if (obl_before && obl_after)  // counted, and not this time
    return {LinkLossCause::closed_by_server, false,
            "Redis closed the connection while it kept running, not for its output buffer limit (" +
                count_change("client_output_buffer_limit_disconnections", *obl_before, *obl_after) + ")"};
  return {LinkLossCause::output_buffer_limit, true,
          "Redis closed the connection while it kept running (same run_id) and evicted no client; this Redis does "
          "not count output buffer disconnections (INFO stats client_output_buffer_limit_disconnections), so the "
          "cause is inferred: its output buffer limit (client-output-buffer-limit pubsub), or a CLIENT KILL"};
}

}  // namespace hourglass::io
