#include "messages/dead_letter_codec.hpp"

#include <climits>

namespace hourglass::messages {
namespace {

std::string read_text(const json& obj, std::string_view key) {
  return read_string(require_member(obj, key, "$"), child_path("$", key), /*allow_empty=*/true);
}

}  // namespace

DeadLetterWrite read_dead_letter_write(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw InputError("", "`write` is not a JSON object");
  DeadLetterWrite w;
  // What the gateway adds is informative only: an odd value is shown, not refused.
  if (const json* reason = member(j, "reason")) w.reason = reason->is_string() ? reason->get<std::string>() : reason->dump();
  if (const json* attempts = member(j, "attempts"))
    if (const auto n = whole_number(*attempts); n && *n >= INT_MIN && *n <= INT_MAX) w.attempts = static_cast<int>(*n);
  w.kind = read_text(j, "kind");
  w.entity_id = read_text(j, "entityId");
  w.changes = expect_object(require_member(j, "changes", "$"), "$.changes");
  w.idempotency_key = read_text(j, "idempotencyKey");
  w.world_time = read_time(require_member(j, "worldTime", "$"), "$.worldTime");
  w.campaign_id = read_text(j, "campaignId");
  if (const json* seq = member(j, "seq")) {
    const auto n = whole_number(*seq);
    if (!n || *n < 0) throw InputError("$.seq", "must be a whole number >= 0");
    w.seq = static_cast<std::uint64_t>(*n);
  }
  return w;
}

}  // namespace hourglass::messages
