#include "actors/errors.hpp"

namespace hourglass::actors {

const char* to_string(hourglass_errc code) {
  switch (code) {
    case hourglass_errc::campaign_failed: return "campaign_failed";
    case hourglass_errc::bootstrap_failed: return "bootstrap_failed";
    case hourglass_errc::api_unavailable: return "api_unavailable";
    case hourglass_errc::api_refused: return "api_refused";
    case hourglass_errc::bad_api_reply: return "bad_api_reply";
    case hourglass_errc::entity_not_found: return "entity_not_found";
    case hourglass_errc::fetch_failed: return "fetch_failed";
    case hourglass_errc::quarantined: return "quarantined";
    case hourglass_errc::store_failed: return "store_failed";
    case hourglass_errc::bad_checkpoint: return "bad_checkpoint";
    case hourglass_errc::redis_refused: return "redis_refused";
    case hourglass_errc::ownership_refused: return "ownership_refused";
    case hourglass_errc::fenced: return "fenced";
  }
  return "unknown_hourglass_error";
}

caf::error make_error(hourglass_errc code, std::string context) {
  return caf::error(static_cast<std::uint8_t>(code), kErrorCategory, caf::make_message(std::move(context)));
}

caf::error make_error(hourglass_errc code, std::string context, const caf::error& cause) {
  return caf::error(static_cast<std::uint8_t>(code), kErrorCategory, caf::make_message(std::move(context), cause));
}

caf::error cause_of(const caf::error& err) {
  if (err.category() != kErrorCategory || !err.context().match_elements<std::string, caf::error>()) return {};
  return err.context().get_as<caf::error>(1);
}

const char* to_string(failure_class c) {
  switch (c) {
    case failure_class::transient: return "transient";
    case failure_class::refused: return "refused";
    case failure_class::bad_input: return "bad_input";
    case failure_class::campaign_keys: return "campaign_keys";
    case failure_class::failed: return "failed";
    case failure_class::fenced: return "fenced";
  }
  return "unknown";
}

failure_class classify(const caf::error& err) {
  if (err.category() != kErrorCategory) return failure_class::failed;  // CAF's own: an actor died
  if (const caf::error cause = cause_of(err)) return classify(cause);
  switch (static_cast<hourglass_errc>(err.code())) {
    case hourglass_errc::api_unavailable: return failure_class::transient;
    case hourglass_errc::api_refused:
    case hourglass_errc::entity_not_found:
    case hourglass_errc::quarantined:
    case hourglass_errc::ownership_refused: return failure_class::refused;
    case hourglass_errc::bad_api_reply:
    case hourglass_errc::bad_checkpoint: return failure_class::bad_input;
    case hourglass_errc::redis_refused: return failure_class::campaign_keys;
    case hourglass_errc::fenced: return failure_class::fenced;
    case hourglass_errc::campaign_failed:
    case hourglass_errc::bootstrap_failed:
    case hourglass_errc::fetch_failed:
    case hourglass_errc::store_failed: return failure_class::failed;
  }
  return failure_class::failed;
}

bool is(const caf::error& err, hourglass_errc code) {
  return err.category() == kErrorCategory && err.code() == static_cast<std::uint8_t>(code);
}

namespace {

// "code: text" and, for a wrapped cause, ": <its rendering>".
std::string render(std::uint8_t code, const caf::message& context) {
  std::string out = to_string(static_cast<hourglass_errc>(code));
  if (context.match_elements<std::string>()) return out + ": " + context.get_as<std::string>(0);
  if (!context.match_elements<std::string, caf::error>()) return out;
  out += ": " + context.get_as<std::string>(0);
  const auto& cause = context.get_as<caf::error>(1);
  if (cause.category() == kErrorCategory) return out + ": " + render(cause.code(), cause.context());
  return cause ? out + ": " + caf::to_string(cause) : out;
}

}  // namespace

void add_error_rendering(caf::actor_system_config& cfg) {
  cfg.add_error_category(kErrorCategory,
                         [](std::uint8_t code, caf::atom_value, const caf::message& context) { return render(code, context); });
}

}  // namespace hourglass::actors
