#include "messages/record_json.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sim/time.hpp"

namespace hourglass::messages {
namespace {

// JSON text of a string's characters, without the quotes. Most ids need no
// escaping: a string is checked, then goes out in one copy. The check looks
// at eight bytes at a time: a byte below 0x20, a '"' or a '\\' in the word is
// found with the classic "has a byte less than n" bit trick (exact for
// n <= 128: bytes 0x80 and up never match, as UTF-8 must not).
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

bool word_needs_escape(std::uint64_t w) {
  const std::uint64_t control = (w - kOnes * 0x20) & ~w;
  const std::uint64_t quote = ((w ^ (kOnes * '"')) - kOnes) & ~(w ^ (kOnes * '"'));
  const std::uint64_t backslash = ((w ^ (kOnes * '\\')) - kOnes) & ~(w ^ (kOnes * '\\'));
  return ((control | quote | backslash) & kHighs) != 0;
}

std::uint64_t load_word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

std::uint32_t load_half(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

bool is_special(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

// Whether a string of 8 bytes or more needs escaping, a word at a time.
bool long_needs_escape(std::string_view s) {
  const std::size_t n = s.size();
  for (std::size_t i = 0; i + 8 < n; i += 8)
    if (word_needs_escape(load_word(s.data() + i))) return true;
  return word_needs_escape(load_word(s.data() + n - 8));  // the last 8, overlapping
}

// Copies a string of up to 16 bytes with at most two loads and two stores of
// the widest size that fits (overlapping in the middle), reading and writing
// only its bytes: ids, names and prefixes are that short, and a call to
// memcpy costs more than the copy.
char* put_short(char* out, const char* s, std::size_t n) {
  if (n >= 8) {
    const std::uint64_t a = load_word(s), b = load_word(s + n - 8);
    std::memcpy(out, &a, 8);
    std::memcpy(out + n - 8, &b, 8);
  } else if (n >= 4) {
    const std::uint32_t a = load_half(s), b = load_half(s + n - 4);
    std::memcpy(out, &a, 4);
    std::memcpy(out + n - 4, &b, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = s[i];
  }
  return out + n;
}

// Whether a string of up to 16 bytes needs escaping: its bytes gathered in
// one or two words (overlapping; a repeated byte changes nothing) for the
// word test.
bool short_needs_escape(const char* s, std::size_t n) {
  if (n >= 8) return word_needs_escape(load_word(s)) || word_needs_escape(load_word(s + n - 8));
  if (n >= 4) return word_needs_escape(std::uint64_t{load_half(s)} | std::uint64_t{load_half(s + n - 4)} << 32);
  for (std::size_t i = 0; i < n; ++i)
    if (is_special(s[i])) return true;
  return false;
}

char* put_escaped_slowly(char* out, std::string_view s);

// What a string may write past its escaped text: the 16-byte stores of
// put_plain16 (overwritten by what follows).
constexpr std::size_t kOverwrite = 16;

#if defined(__SSE2__)
// A string of up to 16 bytes (ids, names, statuses: most of a record's
// strings) that needs no escaping, checked and copied as one 16-byte vector:
// one load, three compares, one store, where the word-at-a-time path below
// takes thirty-odd instructions. It reads the bytes after the string too
// (not looked at; only when they lie in the same page, so the read cannot
// fault) and writes up to kOverwrite bytes, which the caller's room covers.
// False, having written nothing, when the string needs escaping or sits at
// the end of a page.
bool put_plain16(char*& out, const char* s, std::size_t n) {
  constexpr std::uintptr_t kPage = 4096;
  if ((reinterpret_cast<std::uintptr_t>(s) & (kPage - 1)) > kPage - 16) return false;
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  // A control byte is below 0x20 unsigned: flipping the top bit makes that a
  // signed compare against 0x20 ^ 0x80.
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  const __m128i control = _mm_cmplt_epi8(_mm_xor_si128(v, flip), _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80)));
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  const auto special = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))));
  if ((special & ((1u << n) - 1)) != 0) return false;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
  out += n;
  return true;
}
#endif

char* put_escaped(char* out, std::string_view s) {
  const std::size_t n = s.size();
#if defined(__SSE2__)
  if (n <= 16 && put_plain16(out, s.data(), n)) return out;
#endif
  if (n <= 16) {
    if (short_needs_escape(s.data(), n)) return put_escaped_slowly(out, s);
    return put_short(out, s.data(), n);
  }
  if (long_needs_escape(s)) return put_escaped_slowly(out, s);
  std::memcpy(out, s.data(), n);
  return out + n;
}

char* put_escaped_slowly(char* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *out++ = '\\';
      *out++ = c;
    } else if (c == '\n') {
      *out++ = '\\';
      *out++ = 'n';
    } else if (c == '\r') {
      *out++ = '\\';
      *out++ = 'r';
    } else if (c == '\t') {
      *out++ = '\\';
      *out++ = 't';
    } else if (u < 0x20) {
      std::memcpy(out, "\\u00", 4);
      out[4] = kHex[u >> 4];
      out[5] = kHex[u & 0xF];
      out += 6;
    } else {
      *out++ = c;  // UTF-8 passes through: inputs were valid JSON, hence valid UTF-8
    }
  }
  return out;
}

template <std::size_t N>
char* put(char* out, const char (&literal)[N]) {
  std::memcpy(out, literal, N - 1);
  return out + N - 1;
}

char* put(char* out, std::string_view s) {
  if (s.size() <= 16) return put_short(out, s.data(), s.size());
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

char* put_int(char* out, std::int64_t v) { return std::to_chars(out, out + 24, v).ptr; }

// An upper bound of the bytes a string may write (\u00XX is 6 a byte).
std::size_t escaped_bound(std::string_view s) { return 6 * s.size() + kOverwrite; }

std::size_t fields_bound(const sim::FieldList& fields) {
  std::size_t n = 2;
  for (const sim::Field& f : fields)
    n += escaped_bound(f.prefix) + escaped_bound(f.name) + 32 +
         (f.text ? escaped_bound(f.text) : 0);
  return n;
}

char* put_fields(char* out, const sim::FieldList& fields) {
  *out++ = '{';
  for (std::size_t i = 0; i < fields.size; ++i) {
    const sim::Field& f = fields.data[i];
    if (i > 0) *out++ = ',';
    *out++ = '"';
    out = put(out, f.prefix);
    out = put_escaped(out, f.name);  // resource names are the only free text in keys
    out = put(out, "\":");
    if (f.text && f.literal) {
      out = put(out, std::string_view(f.text));
    } else if (f.text) {
      *out++ = '"';
      out = put_escaped(out, f.text);
      *out++ = '"';
    } else {
      out = put_int(out, f.number);
    }
  }
  *out++ = '}';
  return out;
}

// `","kind":"K","entityType":"T","entityId":"` for each kind, joined once,
// in storage padded so that it is copied as one block of kKindBlock bytes.
constexpr std::size_t kKindBlock = 80;
struct KindText {
  char text[kKindBlock];
  std::size_t size;
};

const KindText& kind_literal(sim::RecordKind k) {
  static const auto table = [] {
    std::array<KindText, sim::kRecordKindCount> t{};
    for (std::size_t i = 0; i < t.size(); ++i) {
      const auto kind = static_cast<sim::RecordKind>(i);
      const std::string text = std::string("\",\"kind\":\"") + sim::kind_name(kind) + "\",\"entityType\":\"" +
                               sim::entity_type_name(sim::entity_type_of(kind)) + "\",\"entityId\":\"";
      if (text.size() > kKindBlock) throw std::logic_error("record kind literal longer than its block");
      std::memcpy(t[i].text, text.data(), text.size());
      t[i].size = text.size();
    }
    return t;
  }();
  return table[static_cast<std::size_t>(k)];
}

// Copies the first `n` bytes of `block` (N readable bytes, n <= N) as one
// fixed-size copy, which the compiler makes a few vector moves; the caller's
// room at `out` counts the N.
template <std::size_t N>
char* put_block(char* out, const char* block, std::size_t n) {
  std::memcpy(out, block, N);
  return out + n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const std::size_t start = out.size();
  out.resize(start + escaped_bound(s) + 2);
  char* p = out.data() + start;
  *p++ = '"';
  p = put_escaped(p, s);
  *p++ = '"';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

RecordJsonWriter::RecordJsonWriter(std::string_view campaign_id) {
  prefix_ = "{\"campaignId\":";
  append_json_string(prefix_, campaign_id);
  prefix_ += ",\"worldTime\":\"";
  padded_ = prefix_.size() + sizeof(time_text_) <= kHeadBlock;
  if (padded_) std::memcpy(head_, prefix_.data(), prefix_.size());
}

void RecordJsonWriter::append(sim::TextBuffer& out, const sim::RecordView& r) {
  if (r.time != cached_time_) {
    const std::int64_t day = sim::day_of(r.time);
    if (day != cached_day_) {
      date_length_ = static_cast<std::size_t>(sim::write_date(day, time_text_) - time_text_);
      cached_day_ = day;
    }
    char* end = sim::write_time_of_day(r.time - day * sim::kMsPerDay, time_text_ + date_length_);
    time_length_ = static_cast<std::size_t>(end - time_text_);
    cached_time_ = r.time;
    if (padded_) {
      std::memcpy(head_ + prefix_.size(), time_text_, time_length_);
      head_length_ = prefix_.size() + time_length_;
    }
  }
  const KindText& kind = kind_literal(r.kind);
  const std::size_t bound = prefix_.size() + time_length_ + kHeadBlock + kKindBlock +
                            escaped_bound(r.entity_id) + escaped_bound(r.settlement_id) +
                            fields_bound(r.changes) + fields_bound(r.settlement_changes) +
                            fields_bound(r.cost) + 96;
  char* p = out.reserve_tail(bound);
  if (padded_) {
    p = put_block<kHeadBlock>(p, head_, head_length_);
  } else {
    p = put(p, prefix_);
    p = put(p, std::string_view(time_text_, time_length_));
  }
  p = put_block<kKindBlock>(p, kind.text, kind.size);
  p = put_escaped(p, r.entity_id);
  p = put(p, "\",\"changes\":");
  p = put_fields(p, r.changes);
  if (!r.settlement_id.empty()) {
    p = put(p, ",\"settlementId\":\"");
    p = put_escaped(p, r.settlement_id);
    *p++ = '"';
  }
  if (r.has_settlement_changes) {
    p = put(p, ",\"settlementChanges\":");
    p = put_fields(p, r.settlement_changes);
  }
  if (r.has_cost) {
    p = put(p, ",\"cost\":");
    p = put_fields(p, r.cost);
  }
  p = put(p, "}\n");
  out.commit(p);
}

void append_record_json(std::string& out, std::string_view campaign_id, const sim::RecordView& r) {
  sim::TextBuffer line;
  RecordJsonWriter(campaign_id).append(line, r);
  out += line.view();
}

std::string idempotency_key(std::string_view campaign_id, const sim::RecordView& r) {
  std::string key(campaign_id);
  key += ':';
  key += sim::entity_type_name(sim::entity_type_of(r.kind));
  key += ':';
  key += r.entity_id;
  key += ':';
  key += sim::kind_name(r.kind);
  key += ':';
  key += std::to_string(r.time);
  return key;
}

void BatchWriter::record(const sim::RecordView& r) {
  ++batch_->records;
  if (untexted_) ++batch_->untexted;
  if (changes_) batch_->changes.add(r);
  if (!text_) return;
  auto& groups = batch_->groups;
  if (groups.empty() || groups.back().time != r.time) {
    const bool minute = r.time % sim::kMsPerMinute == 0;
    batch_->whole_minutes = groups.empty() ? minute : batch_->whole_minutes && minute;
    groups.push_back({r.time, 0});
  }
  writer_.append(batch_->text, r);
  groups.back().end = batch_->text.size();
}

}  // namespace hourglass::messages
