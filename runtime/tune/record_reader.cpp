#include "runtime/tune/record_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "runtime/tune/json_scan.hpp"

namespace hourglass::runtime::tune {
namespace {

// By first letter and length, then one comparison to be sure.
bool kind_of(const JsonToken& token, sim::RecordKind& out) {
  using K = sim::RecordKind;
  const std::string_view t = token.raw;
  if (token.escaped || t.empty()) return false;
  K k;
  switch (t[0]) {
    case 'R': k = K::ResourceGeneration; break;
    case 'P': k = K::PopulationGrowth; break;
    case 'L': k = K::LevelUp; break;
    case 'C': k = K::ConstructionComplete; break;
    case 'M': k = t.size() == 16 ? K::MaintenancePaid : K::MaintenanceMissed; break;
    case 'U': k = K::UpgradeAvailable; break;
    case 'E': k = K::EventExpired; break;
    case 'D': k = K::DeferredEffect; break;
    default: return false;
  }
  if (!same_text(t, sim::kind_name(k))) return false;
  out = k;
  return true;
}

// Records come in runs of one instant: each instant is parsed once.
bool read_time(std::string_view text, RecordLine& out) {
  if (text.empty() || !same_text(text, out.time_cache_text)) {
    const auto t = sim::parse_world_time(text);
    if (!t) return false;
    out.time_cache_text.assign(text.data(), text.size());
    out.time_cache_value = *t;
  }
  out.time = out.time_cache_value;
  out.world_time = text;
  return true;
}

bool read_any_layout(std::string_view line, RecordLine& out);

// The token's text: the raw view, or decoded into `storage`.
std::string_view text_of(const JsonToken& token, std::string& storage) {
  if (!token.escaped) return token.raw;
  storage = token.text();
  return storage;
}

// Reads the line the way the engine writes it (messages/record_json.cpp):
// campaignId, worldTime, kind, entityType, entityId, changes, then optional
// settlementId and settlementChanges or cost; no escapes. False sends the
// line to the general scan, which accepts any member order.
class EngineLayout {
 public:
  explicit EngineLayout(std::string_view line) : s_(line) {}

  bool read(RecordLine& out) {
    std::string_view campaign, time, entity;
    if (!literal("{\"campaignId\":\"") || !plain(campaign) || !literal(",\"worldTime\":\"") || !world_time(time) ||
        !literal(",\"kind\":\"") || !kind_and_type(out.kind) || !plain(entity) || !literal(",\"changes\":") ||
        !object(out.changes))
      return false;
    out.settlement_id = {};
    out.settlement_changes = {};
    std::string_view ignored;
    if (literal(",\"settlementId\":\"") && !plain(out.settlement_id)) return false;
    if (literal(",\"settlementChanges\":")) {
      if (!object(out.settlement_changes)) return false;
    } else if (literal(",\"cost\":")) {
      if (!object(ignored)) return false;
    }
    if (!literal("}") || pos_ != s_.size() || !read_time(time, out)) return false;
    out.campaign_id = campaign;
    out.entity_id = entity;
    return true;
  }

 private:
  template <std::size_t N>
  bool literal(const char (&text)[N]) {
    if (s_.size() - pos_ < N - 1 || !same_text(s_.substr(pos_, N - 1), std::string_view(text, N - 1))) return false;
    pos_ += N - 1;
    return true;
  }
  bool literal(std::string_view text) {
    if (s_.size() - pos_ < text.size() || !same_text(s_.substr(pos_, text.size()), text)) return false;
    pos_ += text.size();
    return true;
  }
  // The engine's times have 24 characters (read_time checks the rest).
  bool world_time(std::string_view& out) {
    if (s_.size() - pos_ > 24 && s_[pos_ + 24] == '"') {
      out = s_.substr(pos_, 24);
      pos_ += 25;
      return true;
    }
    return plain(out);
  }
  // `KIND","entityType":"TYPE","entityId":"`, the kind told by its first
  // letter (and length), then compared whole with what the engine writes.
  bool kind_and_type(sim::RecordKind& kind) {
    static const auto tails = [] {
      std::array<std::string, 9> t;
      for (std::size_t i = 0; i < t.size(); ++i) {
        const auto k = static_cast<sim::RecordKind>(i);
        t[i] = std::string(sim::kind_name(k)) + "\",\"entityType\":\"" +
               sim::entity_type_name(sim::entity_type_of(k)) + "\",\"entityId\":\"";
      }
      return t;
    }();
    JsonToken probe;
    probe.raw = s_.substr(pos_, std::min<std::size_t>(s_.size() - pos_, 20));
    const std::size_t quote = probe.raw.find('"');
    if (quote == std::string_view::npos) return false;
    probe.raw = probe.raw.substr(0, quote);
    return kind_of(probe, kind) && literal(tails[static_cast<std::size_t>(kind)]);
  }
  // A string's text up to its closing quote; false on an escape.
  bool plain(std::string_view& out) {
    const std::size_t start = pos_;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (c == '"') {
        out = s_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\') return false;
    }
    return false;
  }
  // A flat object: up to the first '}', with an even number of quotes, no
  // escape and no nested object before it (else the general scan decides).
  bool object(std::string_view& out) {
    if (pos_ >= s_.size() || s_[pos_] != '{') return false;
    const char* begin = s_.data() + pos_;
    const void* close = std::memchr(begin, '}', s_.size() - pos_);
    if (!close) return false;
    const char* end = static_cast<const char*>(close) + 1;
    unsigned quotes = 0, odd = 0;
    for (const char* p = begin + 1; p < end; ++p) {
      quotes += *p == '"';
      odd |= static_cast<unsigned>(*p == '\\' || *p == '{');
    }
    if (odd || quotes % 2 != 0) return false;
    out = std::string_view(begin, static_cast<std::size_t>(end - begin));
    pos_ += out.size();
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

bool read_record_line(std::string_view line, RecordLine& out) {
  if (EngineLayout(line).read(out)) return true;
  return read_any_layout(line, out);
}

namespace {

bool read_any_layout(std::string_view line, RecordLine& out) {
  using Type = JsonToken::Type;
  bool has_time = false, has_kind = false, has_campaign = false, has_entity = false, has_changes = false;
  out.settlement_id = {};
  out.settlement_changes = {};
  bool ok = true;
  const bool shaped = scan_object(line, [&](const JsonToken& key, const JsonToken& value) {
    if (key.escaped) return;  // no field of a record needs an escape
    const std::string_view k = key.raw;
    if (k == "worldTime") {
      has_time = value.type == Type::String && !value.escaped && read_time(value.raw, out);
      ok = ok && has_time;
    } else if (k == "kind") {
      has_kind = value.type == Type::String && kind_of(value, out.kind);
    } else if (k == "campaignId" && value.type == Type::String) {
      out.campaign_id = text_of(value, out.decoded_campaign), has_campaign = true;
    } else if (k == "entityId" && value.type == Type::String) {
      out.entity_id = text_of(value, out.decoded_entity), has_entity = true;
    } else if (k == "settlementId" && value.type == Type::String) {
      out.settlement_id = text_of(value, out.decoded_settlement);
    } else if (k == "changes" && value.type == Type::Object) {
      out.changes = value.raw, has_changes = true;
    } else if (k == "settlementChanges" && value.type == Type::Object) {
      out.settlement_changes = value.raw;
    }
  });
  return shaped && ok && has_time && has_kind && has_campaign && has_entity && has_changes;
}

}  // namespace

void RecordReader::write(std::string_view jsonl) {
  std::size_t start = 0;
  for (std::size_t nl = jsonl.find('\n'); nl != std::string_view::npos; nl = jsonl.find('\n', start)) {
    if (partial_.empty()) {
      line(jsonl.substr(start, nl - start));
    } else {
      partial_.append(jsonl.substr(start, nl - start));
      line(partial_);
      partial_.clear();
    }
    start = nl + 1;
  }
  partial_.append(jsonl.substr(start));
}

void RecordReader::flush() {
  if (!partial_.empty()) line(partial_);
  partial_.clear();
}

void RecordReader::line(std::string_view text) {
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
  if (!read_record_line(text, current_)) {
    ++bad_lines_;
    return;
  }
  ++records_;
  for (RecordConsumer* consumer : consumers_) consumer->on_record(current_);
}

}  // namespace hourglass::runtime::tune
