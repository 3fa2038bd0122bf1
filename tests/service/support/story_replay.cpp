#include "tests/service/support/story_replay.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "actors/record_sink.hpp"
#include "messages/record_reader.hpp"
#include "runtime/replay.hpp"
#include "runtime/scenario.hpp"
#include "sim/time.hpp"
#include "tests/service/support/fake_campaign_api.hpp"

namespace hourglass::service::testing {

using nlohmann::json;

ReplayExpectation replay_story(const json& doc, const std::string& base_dir) {
  // The replay logs what it refuses and ignores; the drills report what differs.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  struct Restore {
    spdlog::level::level_enum level;
    ~Restore() { spdlog::set_level(level); }
  } restore{level};
  const runtime::Scenario scenario = runtime::parse_scenario(doc, base_dir, "$");
  auto records = std::make_shared<actors::StringOutput>();
  runtime::ReplayOptions options;
  options.threads = 2;
  options.output = records;
  options.dead_letters = std::make_shared<actors::StringOutput>();
  options.want_state = true;
  ReplayExpectation out;
  out.state = runtime::run_replay(scenario, options).state;
  std::istringstream lines(records->text());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const sim::OwnedRecord r = messages::read_record_line(line);
    if (r.kind == sim::RecordKind::DeferredEffect) ++out.effect_runs[r.entity_id];
    out.records[r.campaign_id] += line + "\n";
  }
  return out;
}

void seed_fake_from(FakeCampaignApi& api, const json& doc) {
  for (const json& c : doc.at("campaigns")) {
    const std::string id = c.at("id").get<std::string>();
    api.add_campaign(id, sim::parse_world_time(c.at("currentWorldTime").get<std::string>()));
    api.add_kingdom(id, "k-" + id);
    for (const json& s : c.value("settlements", json::array())) api.apply_entity_change(id, "Settlement", "CREATE", s);
    for (const json& s : c.value("structures", json::array())) api.apply_entity_change(id, "Structure", "CREATE", s);
    for (const json& e : c.value("events", json::array())) api.apply_entity_change(id, "Event", "CREATE", e);
  }
}

ReplayDifferences compare_with_replay(const FakeCampaignApi& api, const ReplayExpectation& expected,
                                      const std::set<std::string>& effects) {
  ReplayDifferences d;
  auto lost = [&](std::string what) { d.lost.push_back(std::move(what)); };
  for (const sim::CampaignSnapshot& c : expected.state) {
    for (const sim::Settlement& s : c.settlements) {
      ++d.entities_checked;
      const json got = api.settlement(s.id);
      const json& v = got["variables"];
      if (got["level"] != s.level) lost("settlement " + s.id + " level: replay " + std::to_string(s.level) + ", API " + got["level"].dump());
      if (!v.contains("population") || v["population"].get<double>() != static_cast<double>(s.population))
        lost("settlement " + s.id + " population: replay " + std::to_string(s.population) + ", API " + v.value("population", json()).dump());
      for (const auto& [name, amount] : s.resources) {
        const json r = v.contains("resources") ? v["resources"].value(name, json()) : json();
        if (!r.is_number() || r.get<double>() != static_cast<double>(amount))
          lost("settlement " + s.id + " resources." + name + ": replay " + std::to_string(amount) + ", API " + r.dump());
      }
    }
    for (const sim::Structure& s : c.structures) {
      ++d.entities_checked;
      const json v = api.structure(s.id)["variables"];
      if (v.value("status", json()) != sim::status_name(s.status))
        lost("structure " + s.id + " status: replay " + sim::status_name(s.status) + ", API " + v.value("status", json()).dump());
      if (!v.contains("condition") || v["condition"].get<double>() != static_cast<double>(s.condition))
        lost("structure " + s.id + " condition: replay " + std::to_string(s.condition) + ", API " + v.value("condition", json()).dump());
    }
    for (const sim::Event& e : c.events) {
      ++d.entities_checked;
      const bool done = api.event(e.id).value("isCompleted", false);
      if (done != e.completed) lost("event " + e.id + " isCompleted: replay " + (e.completed ? "true" : "false") + ", API " + (done ? "true" : "false"));
    }
  }
  for (const std::string& fx : effects) {
    ++d.effects_checked;
    const auto it = expected.effect_runs.find(fx);
    const int want = it == expected.effect_runs.end() ? 0 : it->second;
    const int got = api.effect_executions(fx);
    if (got > want) {
      std::string when;  // the API's wall clock of each execution: to set beside the logs
      for (const json& e : api.effect_execution_log(fx)) when += (when.empty() ? "" : ", ") + e.value("executedAt", "?");
      d.doubled.push_back("effect " + fx + " executed " + std::to_string(got) + " times (at " + when + "), the replay " +
                          std::to_string(want));
    }
    if (got < want) lost("effect " + fx + " executed " + std::to_string(got) + " times, the replay " + std::to_string(want));
  }
  for (const std::string& key : api.keys_applied_more_than_once())
    d.doubled.push_back("write " + key + " applied " + std::to_string(api.applications(key)) + " times");
  return d;
}

}  // namespace hourglass::service::testing
