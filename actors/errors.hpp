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
  // Redis answered a command on one campaign's keys with an error of its own
  // (WRONGTYPE, a script's refusal): that campaign's keys are wrong, not
  // Redis; trying again gets the same answer, so the campaign is quarantined.
  redis_refused,
  ownership_refused,    // a message names an entity of another campaign
  // The campaign's fence holds a higher partition token than the session's:
  // another instance claimed the campaign (io/checkpoint_store: claim). Its
  // claim or commit wrote nothing; the session stops and never retries.
  fenced,
};

// What a supervisor does about a failure: the one table every actor
// consults (docs/operations.md, "Failure classes"), so that an API outage is
// waited out the same way for reads and writes, and only a verdict is
// dead-lettered.
enum class failure_class : std::uint8_t {
  transient,      // unavailable, timeout, 5xx, reset, a reply cut short: wait (backoff), keep the message
  refused,        // the API refused it (4xx, GraphQL error, not found): dead-letter with the reason
  bad_input,      // the input or an API entity is invalid: dead-letter with the reason
  campaign_keys,  // Redis refused this campaign's keys: quarantine the campaign only
  failed,         // the campaign itself failed (a bug, a fault): restart it from its checkpoint
  fenced,         // another instance owns the campaign now: stop at once, never retry, drop it
};

const char* to_string(failure_class c);

// The class of `err`, by its code — and, for an error that wraps another
// (fetch_failed, bootstrap_failed), by its cause's.
failure_class classify(const caf::error& err);

// The category atom of these errors.
inline constexpr caf::atom_value kErrorCategory = caf::atom("hourglass");

// "campaign_failed", ... (the enumerator's name).
const char* to_string(hourglass_errc code);

caf::error make_error(hourglass_errc code, std::string context);
// The same, wrapping the error that caused it: `cause` travels beside the
// text (cause_of), so a supervisor can branch on it; rendered after the text.
caf::error make_error(hourglass_errc code, std::string context, const caf::error& cause);
// The error `err` wraps (none when it wraps none).
caf::error cause_of(const caf::error& err);

// Whether `err` is Hourglass's `code`.
bool is(const caf::error& err, hourglass_errc code);

// Registers the renderer of kErrorCategory on `cfg`.
void add_error_rendering(caf::actor_system_config& cfg);

}  // namespace hourglass::actors
