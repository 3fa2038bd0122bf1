// A gateway dead letter's `write` field read back: the coalesced write as
// io::write_to_json wrote it, plus the gateway's `reason` and `attempts`
// (io/dead_letters.hpp tells the story). The write's kind stays a name here:
// io::EntityWrite::Kind is the io layer's, and so is its name table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "messages/json_read.hpp"

namespace hourglass::messages {

struct DeadLetterWrite {
  std::string campaign_id;
  std::string kind;  // an io::EntityWrite::Kind name: Settlement, Structure, ExpireEvent, ExecuteEffect
  std::string entity_id;
  json changes = json::object();
  std::string idempotency_key;
  sim::WorldTime world_time = 0;
  std::uint64_t seq = 0;       // its outbox sequence number; 0 when the entry has none
  std::string reason;          // the last failure; empty when the entry has none
  std::optional<int> attempts;  // API calls made so far; nullopt when the entry does not say (or not whole)
};

// Throws InputError: "`write` is not a JSON object", or naming the field
// ($.kind, $.worldTime...).
DeadLetterWrite read_dead_letter_write(std::string_view text);

}  // namespace hourglass::messages
