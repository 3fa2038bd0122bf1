// A Redis stream entry id, "<ms>-<seq>", as the two numbers it is. Ids must
// be compared as numbers: as text "10-0" sorts before "9-0" and "5-10"
// before "5-2". The registry uses the order to skip stream entries a
// campaign's checkpoint already applied.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

namespace hourglass::io {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  // "<ms>-<seq>", both decimal 64-bit numbers; a bare "<ms>" (which Redis
  // accepts in ranges) is refused: an entry's id always has both parts.
  // Throws std::invalid_argument quoting the text.
  static StreamId parse(std::string_view text);
  std::string to_string() const;

  friend bool operator<(const StreamId& a, const StreamId& b) { return std::tie(a.ms, a.seq) < std::tie(b.ms, b.seq); }
  friend bool operator==(const StreamId& a, const StreamId& b) { return a.ms == b.ms && a.seq == b.seq; }
  friend bool operator!=(const StreamId& a, const StreamId& b) { return !(a == b); }
};

// parse(a) < parse(b); throws std::invalid_argument when either is malformed.
bool stream_id_before(std::string_view a, std::string_view b);

}  // namespace hourglass::io
