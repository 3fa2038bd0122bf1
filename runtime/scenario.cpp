#include "runtime/scenario.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "messages/entity_codec.hpp"
#include "messages/rules_codec.hpp"

namespace hourglass::runtime {
namespace {

using messages::child_path;
using messages::index_path;
using messages::InputError;
using nlohmann::json;

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

std::string dir_of(const std::string& file) {
  auto slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

json parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(where, std::string("not valid JSON: ") + e.what());
  }
}

sim::RulesPtr read_rules(const json& doc, const std::string& base_dir, const std::string& where) {
  const json* r = messages::member(doc, "rules");
  if (!r) return std::make_shared<const sim::Rules>(sim::Rules::defaults());
  if (r->is_string())
    return std::make_shared<const sim::Rules>(
        messages::load_rules_file(resolve(base_dir, r->get<std::string>())));
  return std::make_shared<const sim::Rules>(messages::parse_rules(*r, child_path(where, "rules")));
}

template <class Patch>
void check_unique(std::set<std::string>& seen, const Patch& p, const std::string& path) {
  if (!seen.insert(p.id).second) throw InputError(child_path(path, "id"), "duplicate id \"" + p.id + "\"");
}

actors::CampaignSeed read_campaign(const json& c, const std::string& path, const sim::Rules& rules) {
  messages::expect_object(c, path);
  actors::CampaignSeed seed;
  seed.id = messages::read_string(messages::require_member(c, "id", path), child_path(path, "id"));
  seed.clock = messages::read_time(messages::require_member(c, "currentWorldTime", path),
                                   child_path(path, "currentWorldTime"));
  auto each = [&](const char* key, auto read) {
    const json* list = messages::member(c, key);
    if (!list) return;
    const std::string at = child_path(path, key);
    messages::expect_array(*list, at);
    for (std::size_t i = 0; i < list->size(); ++i) read((*list)[i], index_path(at, i));
  };
  std::set<std::string> settlement_ids, structure_ids, event_ids, effect_ids;
  each("settlements", [&](const json& v, const std::string& at) {
    seed.settlements.push_back(messages::read_settlement(v, at, rules, true));
    check_unique(settlement_ids, seed.settlements.back(), at);
  });
  each("structures", [&](const json& v, const std::string& at) {
    seed.structures.push_back(messages::read_structure(v, at, rules, true));
    const auto& s = seed.structures.back();
    check_unique(structure_ids, s, at);
    if (!settlement_ids.count(*s.settlement_id))
      throw InputError(child_path(at, "settlementId"),
                       "settlement \"" + *s.settlement_id + "\" does not exist in campaign " + seed.id);
  });
  each("events", [&](const json& v, const std::string& at) {
    seed.events.push_back(messages::read_event(v, at, true));
    check_unique(event_ids, seed.events.back(), at);
  });
  each("deferredEffects", [&](const json& v, const std::string& at) {
    seed.effects.push_back(messages::read_effect(v, at, true));
    check_unique(effect_ids, seed.effects.back(), at);
  });
  return seed;
}

RecordedMessage read_message(const json& m, const std::string& where) {
  messages::expect_object(m, where);
  RecordedMessage out;
  out.where = where;
  out.channel = messages::read_string(messages::require_member(m, "channel", where),
                                      child_path(where, "channel"), true);
  auto it = m.find("payload");
  if (it == m.end()) throw InputError(child_path(where, "payload"), "required field is missing");
  out.payload = *it;
  return out;
}

std::vector<RecordedMessage> read_messages(const json& doc, const std::string& base_dir,
                                           const std::string& where) {
  std::vector<RecordedMessage> out;
  const json* m = messages::member(doc, "messages");
  if (!m) return out;
  const std::string path = child_path(where, "messages");
  if (m->is_string()) {
    const std::string file = resolve(base_dir, m->get<std::string>());
    std::istringstream lines(read_text_file(file));
    std::string line;
    for (std::size_t n = 1; std::getline(lines, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string at = file + ":" + std::to_string(n);
      out.push_back(read_message(parse_json(line, at), at));
    }
    return out;
  }
  messages::expect_array(*m, path);
  for (std::size_t i = 0; i < m->size(); ++i) out.push_back(read_message((*m)[i], index_path(path, i)));
  return out;
}

}  // namespace

std::string read_text_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, "cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Scenario parse_scenario(const json& doc, const std::string& base_dir, const std::string& where) {
  messages::expect_object(doc, where);
  Scenario s;
  if (const json* n = messages::member(doc, "name"))
    s.name = messages::read_string(*n, child_path(where, "name"), true);
  if (const json* d = messages::member(doc, "description"))
    s.description = messages::read_string(*d, child_path(where, "description"), true);
  s.rules = read_rules(doc, base_dir, where);
  const std::string path = child_path(where, "campaigns");
  const json& campaigns = messages::expect_array(messages::require_member(doc, "campaigns", where), path);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < campaigns.size(); ++i) {
    s.campaigns.push_back(read_campaign(campaigns[i], index_path(path, i), *s.rules));
    if (!ids.insert(s.campaigns.back().id).second)
      throw InputError(child_path(index_path(path, i), "id"), "duplicate campaign id");
  }
  s.messages = read_messages(doc, base_dir, where);
  return s;
}

Scenario load_scenario(const std::string& file) {
  const json doc = parse_json(read_text_file(file), file);
  return parse_scenario(doc, dir_of(file), file + ":$");
}

}  // namespace hourglass::runtime
