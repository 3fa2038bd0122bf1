// Hourglass's own errors: one enum for every failure an actor reports to
// another, so that a supervisor decides on a code, never on a text. The text
// (the context) says what failed and why, for logs and dead letters.
//
// CAF carries them as caf::error(code, kErrorCategory, context); every actor
// system Hourglass makes registers `add_error_rendering` so that
// system.render(err) reads "campaign_failed: campaign c1 failed: ...".
#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <string>

namespace hourglass::actors {

enum class hourglass_errc : std::uint8_t {
  campaign_failed = 1,  // a campaign actor failed while it handled a message
  bootstrap_failed,     // a campaign's state could not be read from the API
  api_unavailable,      // the API did not answer (transport, timeout, 5xx): it may later
  api_refused,          // the API answered with an error (4xx, GraphQL errors)
  bad_api_reply,        // the API's reply is not what the SPEC says (shape, an invalid entity)
  entity_not_found,     // the API does not know the entity, or the campaign has no world time
  fetch_failed,         // an entity a message names could not be read from the API
  quarantined,          // the campaign failed too often; its messages are refused
  store_failed,         // Redis did not take or give a checkpoint or outbox (down, refused)
  bad_checkpoint,       // a campaign's checkpoint cannot be read (corrupt, a newer version)
};

// The category atom of these errors.
inline constexpr caf::atom_value kErrorCategory = caf::atom("hourglass");

// "campaign_failed", ... (the enumerator's name).
const char* to_string(hourglass_errc code);

caf::error make_error(hourglass_errc code, std::string context);

// Whether `err` is Hourglass's `code`.
bool is(const caf::error& err, hourglass_errc code);

// Registers the renderer of kErrorCategory on `cfg`.
void add_error_rendering(caf::actor_system_config& cfg);

}  // namespace hourglass::actors
