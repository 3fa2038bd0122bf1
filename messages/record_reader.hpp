// Reading one SPEC §4 record line back into a typed record (the writer is
// messages/record_json). Used where records come in as text: the service
// gateway coalesces the records of an advance into API writes.
#pragma once

#include <string_view>

#include "messages/json_read.hpp"
#include "sim/record.hpp"

namespace hourglass::messages {

// Throws InputError naming the field ($.kind, $.changes.population...).
// `changes` (and `settlementChanges`) may hold only the keys the record's
// entity has, with values of their type: population, level, resources.<r>
// (whole numbers) for a settlement; status (text), condition (whole) for a
// structure; isCompleted (boolean) for an event; nothing for an effect.
// MAINTENANCE_PAID needs settlementId and settlementChanges. Other fields
// are ignored.
sim::OwnedRecord read_record_line(std::string_view line);

}  // namespace hourglass::messages
