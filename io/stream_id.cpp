#include "io/stream_id.hpp"

#include <charconv>
#include <stdexcept>

namespace hourglass::io {
namespace {

// A whole decimal number of at least one digit (no sign, no spaces).
bool parse_part(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

StreamId StreamId::parse(std::string_view text) {
  const auto dash = text.find('-');
  StreamId id;
  if (dash == std::string_view::npos || !parse_part(text.substr(0, dash), id.ms) ||
      !parse_part(text.substr(dash + 1), id.seq)) {
    throw std::invalid_argument("not a stream entry id (<ms>-<seq>): \"" + std::string(text) + "\"");
  }
  return id;
}

std::string StreamId::to_string() const { return std::to_string(ms) + "-" + std::to_string(seq); }

bool stream_id_before(std::string_view a, std::string_view b) { return StreamId::parse(a) < StreamId::parse(b); }

}  // namespace hourglass::io
