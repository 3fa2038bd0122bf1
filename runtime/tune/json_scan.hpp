// A small, allocation-free scanner for the JSON objects of record lines
// (SPEC §4): members whose values are strings, numbers, literals or objects
// (passed whole, and checked when they are scanned themselves); plus the
// short-text comparisons the tune's readers share. A year-long sweep reads
// millions of records, and a DOM parser (~50x slower here) would spend most
// of the tune's time on them; this reads them in place.
#pragma once

#include <cstdint>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

namespace hourglass::runtime::tune {

// Equality of short texts (keys, ids, times) without a call to memcmp,
// which costs more than the comparison itself at these lengths.
inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  std::size_t n = a.size();
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    std::uint64_t u, v;
    std::memcpy(&u, x, 8);  // one load each
    std::memcpy(&v, y, 8);
    if (u != v) return false;
  }
  for (; n > 0; --n, ++x, ++y)
    if (*x != *y) return false;
  return true;
}

// -1, 0 or 1 as the byte order of `a` and `b` (std::string's order), inline:
// ids are short, and lookups run for every record.
inline int byte_compare(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

struct JsonToken {
  enum class Type { String, Number, Literal, Object } type = Type::Literal;
  // String: the text between the quotes, escapes not decoded; Number and
  // Literal: the token; Object: the whole "{...}" text.
  std::string_view raw;
  bool escaped = false;     // a String holding backslash escapes
  std::int64_t number = 0;  // Number, when integral
  bool integral = false;

  // A String's decoded text (other types: `raw`).
  std::string text() const;
  // Compares a String with plain text without decoding when possible.
  bool equals(std::string_view plain) const { return escaped ? text() == plain : same_text(raw, plain); }
};

namespace detail {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ == s_.size();
  }
  bool take(char c) {
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool string(JsonToken& out) {
    if (!take('"')) return false;
    const std::size_t start = pos_;
    out = JsonToken{};
    out.type = JsonToken::Type::String;
    std::size_t end = pos_;
    for (; end < s_.size(); ++end) {
      const char c = s_[end];
      if (c == '"') break;
      if (c == '\\') {
        out.escaped = true;
        ++end;
      }
    }
    if (end >= s_.size()) return false;
    out.raw = s_.substr(start, end - start);
    pos_ = end + 1;
    return true;
  }

  bool value(JsonToken& out) {
    skip_space();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') return string(out);
    if (c == '{') return object(out);
    out = JsonToken{};
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' && s_[pos_] != ' ' &&
           s_[pos_] != '\t' && s_[pos_] != '\n' && s_[pos_] != '\r')
      ++pos_;
    out.raw = s_.substr(start, pos_ - start);
    if (out.raw == "true" || out.raw == "false" || out.raw == "null") {
      out.type = JsonToken::Type::Literal;
      return true;
    }
    out.type = JsonToken::Type::Number;
    if (out.raw.empty() || !(out.raw[0] == '-' || (out.raw[0] >= '0' && out.raw[0] <= '9'))) return false;
    const auto [end, ec] = std::from_chars(out.raw.data(), out.raw.data() + out.raw.size(), out.number);
    out.integral = ec == std::errc() && end == out.raw.data() + out.raw.size();
    return true;
  }

  // Skips a nested object (strings and nested objects within it included);
  // `out` spans it. Its members are checked when it is scanned itself.
  bool object(JsonToken& out) {
    const std::size_t start = pos_;
    int open = 0;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '"') {
        JsonToken ignored;
        if (!string(ignored)) return false;
        continue;
      }
      ++pos_;
      if (c == '{') ++open;
      if (c == '}' && --open == 0) {
        out = JsonToken{};
        out.type = JsonToken::Type::Object;
        out.raw = s_.substr(start, pos_ - start);
        return true;
      }
    }
    return false;
  }

  template <class Visit>
  bool members(const Visit& visit) {
    if (!take('{')) return false;
    if (take('}')) return true;
    do {
      JsonToken key, val;
      if (!string(key) || !take(':') || !value(val)) return false;
      visit(key, val);
    } while (take(','));
    return take('}');
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace detail

// Calls `visit(key, value)` for each member of the object `text` (leading and
// trailing whitespace allowed). Returns false, having visited the members
// before the fault, when `text` is not such an object. A template, so that
// the visitor inlines: this runs for every member of every record.
template <class Visit>
bool scan_object(std::string_view text, const Visit& visit) {
  detail::Scanner scanner(text);
  return scanner.members(visit) && scanner.at_end();
}

}  // namespace hourglass::runtime::tune
