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
  }
  return "unknown_hourglass_error";
}

caf::error make_error(hourglass_errc code, std::string context) {
  return caf::error(static_cast<std::uint8_t>(code), kErrorCategory, caf::make_message(std::move(context)));
}

bool is(const caf::error& err, hourglass_errc code) {
  return err.category() == kErrorCategory && err.code() == static_cast<std::uint8_t>(code);
}

void add_error_rendering(caf::actor_system_config& cfg) {
  cfg.add_error_category(kErrorCategory, [](std::uint8_t code, caf::atom_value, const caf::message& context) {
    std::string out = to_string(static_cast<hourglass_errc>(code));
    if (context.match_elements<std::string>()) out += ": " + context.get_as<std::string>(0);
    return out;
  });
}

}  // namespace hourglass::actors
