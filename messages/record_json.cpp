#include "messages/record_json.hpp"

#include <charconv>

#include "sim/time.hpp"

namespace hourglass::messages {
namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// The characters of a JSON string literal, without the quotes.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
      }
    } else {
      out += c;  // UTF-8 passes through: inputs were valid JSON, hence valid UTF-8
    }
  }
}

void append_key(std::string& out, std::string_view prefix, std::string_view name) {
  out += '"';
  out += prefix;
  append_escaped(out, name);  // resource names are the only free text in keys
  out += "\":";
}

void append_fields(std::string& out, const sim::FieldList& fields) {
  out += '{';
  bool first = true;
  for (const sim::Field& f : fields) {
    if (!first) out += ',';
    first = false;
    append_key(out, f.prefix, f.name);
    if (f.text && f.literal)
      out += f.text;
    else if (f.text)
      append_json_string(out, f.text);
    else
      append_int(out, f.number);
  }
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

void append_record_json(std::string& out, std::string_view campaign_id, const sim::RecordView& r) {
  out += "{\"campaignId\":";
  append_json_string(out, campaign_id);
  out += ",\"worldTime\":\"";
  char buf[32];
  char* end = sim::write_world_time(r.time, buf);
  out.append(buf, end);
  out += "\",\"kind\":\"";
  out += sim::kind_name(r.kind);
  out += "\",\"entityType\":\"";
  out += sim::entity_type_name(sim::entity_type_of(r.kind));
  out += "\",\"entityId\":";
  append_json_string(out, r.entity_id);
  out += ",\"changes\":";
  append_fields(out, r.changes);
  if (!r.settlement_id.empty()) {
    out += ",\"settlementId\":";
    append_json_string(out, r.settlement_id);
  }
  if (r.has_settlement_changes) {
    out += ",\"settlementChanges\":";
    append_fields(out, r.settlement_changes);
  }
  if (r.has_cost) {
    out += ",\"cost\":";
    append_fields(out, r.cost);
  }
  out += "}\n";
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
  append_int(key, r.time);
  return key;
}

void BatchWriter::record(const sim::RecordView& r) {
  auto& groups = batch_->groups;
  if (groups.empty() || groups.back().time != r.time) groups.push_back({r.time, 0});
  append_record_json(batch_->text, campaign_id_, r);
  groups.back().end = batch_->text.size();
  ++batch_->records;
}

}  // namespace hourglass::messages
