#include "support/scenario_generator.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/timer.hpp"

namespace hourglass::testing {

using nlohmann::json;
using sim::Duration;
using sim::WorldTime;

namespace {

constexpr Duration kMinute = sim::kMsPerMinute;
constexpr Duration kHour = 60 * kMinute;
constexpr Duration kDay = 24 * kHour;

// Ids chosen so that byte order, numeric order and case disagree.
const std::vector<std::string> kCampaignIds = {"c1", "c10", "c2", "C3", "c_4"};
const std::vector<std::string> kSettlementIds = {"s1", "s10", "s2", "S3", "s_4",
                                                 "s-5", "s11", "s20", "S", "s"};
const std::vector<std::string> kStructureIds = {"st1", "st10", "st2",  "ST3",  "st_4", "st-5",
                                                "st11", "st100", "St2", "st20", "st3"};
const std::vector<std::string> kEventIds = {"e1", "e10", "e2", "E3", "e_4", "e-5"};
const std::vector<std::string> kEffectIds = {"fx1", "fx10", "fx2", "FX3", "fx_4"};
const std::vector<std::string> kNames = {"Oakridge", "Fairhaven", "Dunmere",   "Ashford",
                                         "Greywold", "Cinderholm", "Brightwater", ""};
const std::vector<std::string> kTypes = {"farm", "mine", "temple"};
const std::vector<std::string> kStatuses = {"UNDER_CONSTRUCTION", "ACTIVE", "DAMAGED"};
const std::int64_t kCaps[] = {500, 2000, 8000, 25000, 100000};
const std::int64_t kLevelUp[] = {250, 1000, 4000, 12000};

// The wire forms of SPEC §1, mostly the canonical one.
std::string iso(Rng& rng, WorldTime t) {
  std::string s = sim::format_world_time(t);
  if (rng.chance(0.1)) return s.substr(0, s.size() - 1) + "+00:00";
  if (t % 1000 == 0 && rng.chance(0.3)) return s.substr(0, 19) + "Z";
  return s;
}

// A duration in [lo, hi]: whole minutes half of the time, else to the ms.
Duration length(Rng& rng, Duration lo, Duration hi) {
  if (rng.chance(0.5) && hi / kMinute >= std::max<Duration>(1, lo / kMinute))
    return rng.between(std::max<Duration>(1, lo / kMinute), hi / kMinute) * kMinute;
  return rng.between(lo, hi);
}

struct CampaignModel {
  std::string id;
  WorldTime clock = 0;
  std::vector<std::string> settlements;          // existing
  std::map<std::string, std::string> structures;  // existing: id -> settlement
  std::set<std::string> events, effects;         // created (may have fired since)
  int fresh = 0;
  int advances_left = 0;
  int modifications_left = 0;
};

// An id not in `taken`: from the pool when one is free, else a new one.
std::string fresh_id(Rng& rng, CampaignModel& c, const std::vector<std::string>& pool,
                     const std::set<std::string>& taken, const std::string& prefix) {
  std::vector<std::string> free;
  for (const auto& id : pool)
    if (!taken.count(id)) free.push_back(id);
  if (!free.empty() && rng.chance(0.6)) return rng.pick(free);
  ++c.fresh;
  static const std::vector<std::string> shapes = {"", "_", "-"};
  std::string p = prefix;
  if (rng.chance(0.3)) p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
  std::string id = p + rng.pick(shapes) + std::to_string(c.fresh + 19);
  while (taken.count(id)) id += "x";
  return id;
}

std::set<std::string> keys_of(const std::map<std::string, std::string>& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

json settlement_variables(Rng& rng) {
  json v = json::object();
  if (rng.chance(0.5)) {
    json rates = {{"food", rng.between(-2, 6)}, {"gold", rng.between(-1, 3)}};
    if (rng.chance(0.3)) rates["stone"] = rng.between(0, 2);
    v["generationRates"] = rates;
  }
  if (rng.chance(0.4)) v["populationGrowthIntervalMinutes"] = rng.pick(std::vector<int>{30, 45, 90, 100});
  if (rng.chance(0.4)) v["resourceGenerationIntervalMinutes"] = rng.pick(std::vector<int>{15, 45, 61, 90});
  if (rng.chance(0.3)) v["levelUpCheckIntervalMinutes"] = rng.pick(std::vector<int>{120, 240, 500});
  if (rng.chance(0.3)) v["populationGrowthRate"] = rng.pick(std::vector<double>{0.02, 0.005, 0.0, 0.013});
  if (rng.chance(0.1)) v["somethingElse"] = "free-form variables are ignored";
  return v;
}

json structure_variables(Rng& rng) {
  json v = json::object();
  if (rng.chance(0.4)) v["maintenanceIntervalMinutes"] = rng.pick(std::vector<int>{60, 90, 100});
  if (rng.chance(0.3)) v["upgradeIntervalMinutes"] = rng.pick(std::vector<int>{200, 300});
  if (rng.chance(0.3)) v["maintenanceCost"] = {{"gold", rng.between(0, 3)}};
  if (rng.chance(0.3)) v["produces"] = {{"food", rng.between(0, 4)}, {"gold", rng.between(-1, 2)}};
  if (rng.chance(0.2)) v["growthBonus"] = 0.01;
  if (rng.chance(0.2)) v["constructionMinutes"] = rng.pick(std::vector<int>{0, 30, 600});
  return v;
}

std::int64_t population_for(Rng& rng, int level) {
  const std::int64_t cap = kCaps[level - 1];
  const double r = static_cast<double>(rng.between(0, 999)) / 1000.0;
  if (r < 0.1) return 0;
  if (r < 0.2) return cap + rng.between(1, cap);  // above the cap
  if (r < 0.45 && level < 5) {                      // about to level up
    const std::int64_t up = kLevelUp[level - 1];
    return std::max<std::int64_t>(1, up + rng.between(-up / 20, up / 50));
  }
  return rng.between(1, cap);
}

json resources(Rng& rng) {
  const double r = static_cast<double>(rng.between(0, 99)) / 100.0;
  if (r < 0.1) return json::object();
  if (r < 0.2) return {{"gold", rng.between(0, 300)}};
  json out = {{"food", rng.between(0, 200)}, {"gold", rng.between(0, 300)}};
  if (rng.chance(0.25)) out["wood"] = rng.between(0, 50);
  return out;
}

json make_settlement(Rng& rng, const std::string& id, WorldTime clock) {
  const int level = static_cast<int>(rng.between(1, 5));
  json s = {{"id", id},
            {"name", rng.pick(kNames)},
            {"level", level},
            {"population", population_for(rng, level)},
            {"resources", resources(rng)}};
  if (rng.chance(0.85)) s["createdAt"] = iso(rng, clock - length(rng, 0, 20 * kDay));
  if (rng.chance(0.3)) s["variables"] = settlement_variables(rng);
  return s;
}

json make_structure(Rng& rng, const std::string& id, const std::string& settlement, WorldTime clock) {
  const std::string status = rng.pick(kStatuses);
  std::int64_t condition;
  if (rng.chance(0.15))
    condition = rng.between(0, 100);
  else if (status == "UNDER_CONSTRUCTION")
    condition = rng.chance(0.7) ? 0 : rng.between(0, 100);
  else if (status == "ACTIVE")
    condition = rng.between(50, 100);
  else
    condition = rng.between(0, 49);
  json s = {{"id", id},
            {"settlementId", settlement},
            {"type", rng.pick(kTypes)},
            {"level", rng.between(1, 3)},
            {"status", status},
            {"condition", condition}};
  if (rng.chance(0.8)) s["createdAt"] = iso(rng, clock - length(rng, 0, 8 * kDay));
  if (status == "UNDER_CONSTRUCTION") {
    if (rng.chance(0.5)) {
      const WorldTime at = rng.chance(0.6) ? clock + length(rng, kMinute, 3 * kDay)
                                           : clock - length(rng, 0, 2 * kDay);  // overdue
      s["constructionCompletesAt"] = iso(rng, at);
    }
  } else if (rng.chance(0.5)) {
    s["activeSince"] = iso(rng, clock - length(rng, 0, 5 * kDay));
  }
  if (rng.chance(0.2)) s["variables"] = structure_variables(rng);
  return s;
}

json make_event(Rng& rng, const std::string& id, WorldTime clock) {
  json e = {{"id", id}};
  const auto kind = rng.between(0, 2);
  if (kind == 0) {  // pending
    e["scheduledAt"] = iso(rng, clock + length(rng, 0, 3 * kDay));
    if (rng.chance(0.7)) e["isCompleted"] = false;
  } else if (kind == 1) {  // completed: never fires
    e["scheduledAt"] = iso(rng, clock + length(rng, -2 * kDay, 2 * kDay));
    e["isCompleted"] = true;
  } else {  // overdue: fires at load
    e["scheduledAt"] = iso(rng, clock - length(rng, 5 * kMinute + 1, 2 * kDay));
    e["isCompleted"] = false;
  }
  return e;
}

json make_effect(Rng& rng, const std::string& id, WorldTime clock) {
  return {{"id", id}, {"executeAt", iso(rng, clock + length(rng, -2 * kDay, 3 * kDay))}};
}

json inline_rules(Rng& rng) {
  return {{"version", "generated-tuned"},
          {"settlement",
           {{"populationGrowthRate", rng.pick(std::vector<double>{0.015, 0.02, 0.008})},
            {"populationGrowthIntervalMinutes", rng.pick(std::vector<int>{30, 45, 60, 90})},
            {"resourceGenerationIntervalMinutes", rng.pick(std::vector<int>{30, 45, 60, 75})},
            {"levelUpCheckIntervalMinutes", rng.pick(std::vector<int>{120, 240, 360})},
            {"baseGeneration", {{"food", 3}, {"gold", 1}, {"wood", 1}}}}},
          {"maintenance", {{"repairPerPayment", 7}, {"conditionLossPerMiss", 12}, {"damagedBelow", 40}}},
          {"events", {{"graceMinutes", rng.pick(std::vector<int>{1, 5, 10})}}}};
}

json message(const std::string& campaign, const std::string& kind, json payload) {
  return {{"channel", "campaign." + campaign + "." + kind}, {"payload", std::move(payload)}};
}

json advance(Rng& rng, CampaignModel& c, const GeneratorOptions& o) {
  WorldTime previous = c.clock;
  WorldTime next;
  if (rng.chance(0.06)) {
    next = c.clock - (rng.chance(0.5) ? 0 : length(rng, 1, 2 * kHour));  // duplicate or stale
  } else {
    const double r = static_cast<double>(rng.between(0, 99)) / 100.0;
    Duration d;
    if (r < 0.4)
      d = length(rng, 1, 3 * kHour);
    else if (r < 0.75)
      d = length(rng, 3 * kHour, 30 * kHour);
    else
      d = length(rng, 30 * kHour, std::max(o.max_advance, 30 * kHour + 1));
    next = c.clock + d;
    if (rng.chance(0.06)) previous = c.clock - length(rng, 1, kHour);  // a logged gap
    c.clock = next;
    --c.advances_left;
  }
  return message(c.id, "worldTimeAdvanced",
                 {{"campaignId", c.id}, {"previousTime", iso(rng, previous)}, {"newTime", iso(rng, next)}});
}

json modified(const CampaignModel& c, const std::string& type, const std::string& id,
              const std::string& op, json entity, Rng& rng) {
  json p = {{"campaignId", c.id}, {"entityType", type}, {"entityId", id}, {"operation", op}};
  if (!entity.is_null()) {
    if (rng.chance(0.3)) entity.erase("id");  // the message's entityId is the entity's id
    p["entity"] = std::move(entity);
  }
  return message(c.id, "entityModified", std::move(p));
}

json modify_settlement(Rng& rng, CampaignModel& c) {
  const auto op = rng.between(0, 9);
  std::set<std::string> taken(c.settlements.begin(), c.settlements.end());
  if (op < 3 || c.settlements.empty()) {
    std::string id = rng.chance(0.08) && !c.settlements.empty() ? rng.pick(c.settlements)  // exists: ignored
                                                               : fresh_id(rng, c, kSettlementIds, taken, "s");
    json e = make_settlement(rng, id, c.clock);
    if (!taken.count(id)) c.settlements.push_back(id);
    return modified(c, "Settlement", id, "CREATE", std::move(e), rng);
  }
  if (op < 8) {
    const bool missing = rng.chance(0.05);
    std::string id = missing ? fresh_id(rng, c, kSettlementIds, taken, "s") : rng.pick(c.settlements);
    json e = {{"id", id}};
    const int fields = static_cast<int>(rng.between(1, 3));
    for (int i = 0; i < fields; ++i) {
      switch (rng.between(0, 6)) {
        case 0: e["population"] = rng.chance(0.1) ? 0 : rng.between(1, 30000); break;
        case 1: e["level"] = rng.between(1, 5); break;
        case 2: e["resources"] = resources(rng); break;
        case 3: e["variables"] = rng.chance(0.2) ? json::object() : settlement_variables(rng); break;
        case 4: e["name"] = rng.pick(kNames); break;
        case 5: e["createdAt"] = iso(rng, c.clock - length(rng, 0, 3 * kDay)); break;
        default: e["population"] = rng.between(200, 1200); break;
      }
    }
    return modified(c, "Settlement", id, "UPDATE", std::move(e), rng);
  }
  const bool missing = rng.chance(0.1);
  std::string id = missing ? fresh_id(rng, c, kSettlementIds, taken, "s") : rng.pick(c.settlements);
  if (!missing) {
    c.settlements.erase(std::find(c.settlements.begin(), c.settlements.end(), id));
    for (auto it = c.structures.begin(); it != c.structures.end();)
      it = it->second == id ? c.structures.erase(it) : std::next(it);
  }
  return modified(c, "Settlement", id, "DELETE", json(), rng);
}

json modify_structure(Rng& rng, CampaignModel& c) {
  if (c.settlements.empty()) return modify_settlement(rng, c);
  const auto op = rng.between(0, 9);
  const std::set<std::string> taken = keys_of(c.structures);
  if (op < 3 || c.structures.empty()) {
    std::string id = rng.chance(0.06) && !c.structures.empty()
                         ? c.structures.begin()->first  // exists: ignored
                         : fresh_id(rng, c, kStructureIds, taken, "st");
    std::string home = rng.pick(c.settlements);
    if (rng.chance(0.05)) home = "nowhere";  // refused: no such settlement
    json e = make_structure(rng, id, home, c.clock);
    if (!taken.count(id) && home != "nowhere") c.structures[id] = home;
    return modified(c, "Structure", id, "CREATE", std::move(e), rng);
  }
  std::vector<std::string> ids(taken.begin(), taken.end());
  if (op < 8) {
    std::string id = rng.chance(0.05) ? fresh_id(rng, c, kStructureIds, taken, "st") : rng.pick(ids);
    json e = {{"id", id}};
    const int fields = static_cast<int>(rng.between(1, 3));
    for (int i = 0; i < fields; ++i) {
      switch (rng.between(0, 8)) {
        case 0: e["status"] = rng.pick(kStatuses); break;
        case 1: e["level"] = rng.between(1, 3); break;
        case 2: e["condition"] = rng.between(0, 100); break;
        case 3: e["type"] = rng.pick(kTypes); break;
        case 4: e["variables"] = rng.chance(0.2) ? json::object() : structure_variables(rng); break;
        case 5: {  // move to another settlement
          const std::string to = rng.pick(c.settlements);
          e["settlementId"] = to;
          if (c.structures.count(id)) c.structures[id] = to;
          break;
        }
        case 6:
          e["constructionCompletesAt"] = iso(rng, c.clock + length(rng, -kDay, 2 * kDay));
          break;
        case 7: e["activeSince"] = iso(rng, c.clock - length(rng, 0, 2 * kDay)); break;
        default: e["createdAt"] = iso(rng, c.clock - length(rng, 0, 4 * kDay)); break;
      }
    }
    return modified(c, "Structure", id, "UPDATE", std::move(e), rng);
  }
  const bool missing = rng.chance(0.1);
  std::string id = missing ? fresh_id(rng, c, kStructureIds, taken, "st") : rng.pick(ids);
  if (!missing) c.structures.erase(id);
  return modified(c, "Structure", id, "DELETE", json(), rng);
}

json modify_event(Rng& rng, CampaignModel& c) {
  const auto op = rng.between(0, 9);
  if (op < 4 || c.events.empty()) {
    std::string id = fresh_id(rng, c, kEventIds, c.events, "e");
    c.events.insert(id);
    json e = {{"id", id}, {"scheduledAt", iso(rng, c.clock + length(rng, -kDay, 2 * kDay))}};
    if (rng.chance(0.2)) e["isCompleted"] = rng.chance(0.5);
    return modified(c, "Event", id, "CREATE", std::move(e), rng);
  }
  std::vector<std::string> ids(c.events.begin(), c.events.end());
  std::string id = rng.pick(ids);
  if (op < 8) {
    json e = {{"id", id}};
    if (rng.chance(0.8)) e["scheduledAt"] = iso(rng, c.clock + length(rng, -kDay, 2 * kDay));
    if (rng.chance(0.4)) e["isCompleted"] = rng.chance(0.3);
    return modified(c, "Event", id, "UPDATE", std::move(e), rng);
  }
  c.events.erase(id);
  return modified(c, "Event", id, "DELETE", json(), rng);
}

json modify_effect(Rng& rng, CampaignModel& c) {
  const auto op = rng.between(0, 9);
  if (op < 4 || c.effects.empty()) {
    std::string id = fresh_id(rng, c, kEffectIds, c.effects, "fx");
    c.effects.insert(id);
    return modified(c, "Effect", id, "CREATE",
                    {{"id", id}, {"executeAt", iso(rng, c.clock + length(rng, -kDay, 2 * kDay))}}, rng);
  }
  std::vector<std::string> ids(c.effects.begin(), c.effects.end());
  std::string id = rng.pick(ids);
  if (op < 8)
    return modified(c, "Effect", id, "UPDATE",
                    {{"id", id}, {"executeAt", iso(rng, c.clock + length(rng, -kDay, 2 * kDay))}}, rng);
  c.effects.erase(id);
  return modified(c, "Effect", id, "DELETE", json(), rng);
}

json modification(Rng& rng, CampaignModel& c) {
  --c.modifications_left;
  const auto r = rng.between(0, 99);
  if (r < 25) return modify_settlement(rng, c);
  if (r < 62) return modify_structure(rng, c);
  if (r < 78) return modify_event(rng, c);
  if (r < 94) return modify_effect(rng, c);
  static const std::vector<std::string> ops = {"CREATE", "UPDATE", "DELETE"};
  const std::string op = rng.pick(ops);
  const std::string id = "enc" + std::to_string(rng.between(1, 9));
  json e = op == "DELETE" ? json() : json{{"id", id}, {"monsters", {"goblin", "wolf"}}};
  return modified(c, "Encounter", id, op, std::move(e), rng);
}

}  // namespace

json generate_scenario(std::uint64_t seed, const GeneratorOptions& o) {
  Rng rng(seed);
  json doc = {{"name", "generated-" + std::to_string(seed)},
              {"description", "tests/support/scenario_generator seed " + std::to_string(seed)}};
  if (rng.chance(o.inline_rules)) doc["rules"] = inline_rules(rng);

  std::vector<std::string> campaign_ids = kCampaignIds;
  rng.shuffle(campaign_ids);
  const int n_campaigns = static_cast<int>(rng.between(o.min_campaigns, o.max_campaigns));
  // 2024-01-01T00:00:00Z plus up to a year, to the ms.
  const WorldTime base = 1704067200000LL;
  std::vector<CampaignModel> models;
  json campaigns = json::array();
  for (int ci = 0; ci < n_campaigns; ++ci) {
    CampaignModel c;
    c.id = campaign_ids[static_cast<std::size_t>(ci)];
    c.clock = base + rng.between(0, 365 * kDay);
    if (rng.chance(0.3)) c.clock -= c.clock % kMinute;
    json cj = {{"id", c.id}, {"currentWorldTime", iso(rng, c.clock)}};

    std::vector<std::string> sids = kSettlementIds;
    rng.shuffle(sids);
    sids.resize(static_cast<std::size_t>(rng.between(2, 6)));
    json settlements = json::array();
    for (const auto& id : sids) {
      settlements.push_back(make_settlement(rng, id, c.clock));
      c.settlements.push_back(id);
    }
    cj["settlements"] = settlements;

    std::vector<std::string> stids = kStructureIds;
    rng.shuffle(stids);
    stids.resize(static_cast<std::size_t>(rng.between(1, 8)));
    json structures = json::array();
    for (const auto& id : stids) {
      const std::string home = rng.pick(sids);
      structures.push_back(make_structure(rng, id, home, c.clock));
      c.structures[id] = home;
    }
    cj["structures"] = structures;

    json events = json::array();
    std::vector<std::string> eids = kEventIds;
    rng.shuffle(eids);
    eids.resize(static_cast<std::size_t>(rng.between(0, 4)));
    for (const auto& id : eids) {
      events.push_back(make_event(rng, id, c.clock));
      c.events.insert(id);
    }
    if (!events.empty() || rng.chance(0.5)) cj["events"] = events;

    json effects = json::array();
    std::vector<std::string> fids = kEffectIds;
    rng.shuffle(fids);
    fids.resize(static_cast<std::size_t>(rng.between(0, 4)));
    for (const auto& id : fids) {
      effects.push_back(make_effect(rng, id, c.clock));
      c.effects.insert(id);
    }
    if (!effects.empty() || rng.chance(0.5)) cj["deferredEffects"] = effects;

    c.advances_left = static_cast<int>(rng.between(o.min_advances, o.max_advances));
    c.modifications_left = static_cast<int>(rng.between(o.min_modifications, o.max_modifications));
    campaigns.push_back(std::move(cj));
    models.push_back(std::move(c));
  }
  doc["campaigns"] = campaigns;

  json messages = json::array();
  for (;;) {
    std::int64_t total = 0;
    for (const auto& c : models) total += c.advances_left + c.modifications_left;
    if (total == 0) break;
    // Pick a pending unit of work uniformly: campaigns interleave.
    std::int64_t k = rng.between(0, total - 1);
    for (auto& c : models) {
      if (k < c.advances_left) {
        messages.push_back(advance(rng, c, o));
        break;
      }
      k -= c.advances_left;
      if (k < c.modifications_left) {
        messages.push_back(modification(rng, c));
        break;
      }
      k -= c.modifications_left;
    }
  }
  doc["messages"] = messages;
  return doc;
}

// --- splitting advances ---------------------------------------------------------

namespace {

struct TypeTimes {
  Duration construction = 2880 * kMinute;
  Duration maintenance = 120 * kMinute;
  Duration upgrade = 360 * kMinute;
};

struct Intervals {
  Duration growth = 60 * kMinute;
  Duration resource = 60 * kMinute;
  Duration level_up = 360 * kMinute;
  Duration grace = 5 * kMinute;
  std::map<std::string, TypeTimes> types = {
      {"farm", {2880 * kMinute, 120 * kMinute, 360 * kMinute}},
      {"mine", {4320 * kMinute, 120 * kMinute, 360 * kMinute}},
      {"temple", {10080 * kMinute, 240 * kMinute, 720 * kMinute}},
  };
};

Duration minutes(const json& v, Duration fallback) {
  if (!v.is_number()) return fallback;
  return static_cast<Duration>(std::llround(v.get<double>() * static_cast<double>(kMinute)));
}

Duration minutes_of(const json& obj, const char* key, Duration fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it == obj.end() ? fallback : minutes(*it, fallback);
}

// What the split needs of the rules: intervals. A rules path is not read
// (the split is then guided by the defaults, which is still a valid split).
Intervals read_intervals(const json& doc) {
  Intervals out;
  auto r = doc.find("rules");
  if (r == doc.end() || !r->is_object()) return out;
  if (auto s = r->find("settlement"); s != r->end()) {
    out.growth = minutes_of(*s, "populationGrowthIntervalMinutes", out.growth);
    out.resource = minutes_of(*s, "resourceGenerationIntervalMinutes", out.resource);
    out.level_up = minutes_of(*s, "levelUpCheckIntervalMinutes", out.level_up);
  }
  if (auto e = r->find("events"); e != r->end()) out.grace = minutes_of(*e, "graceMinutes", out.grace);
  if (auto st = r->find("structures"); st != r->end() && st->is_object()) {
    out.types.clear();
    for (auto it = st->begin(); it != st->end(); ++it) {
      TypeTimes t;  // missing fields: the default farm's
      t.construction = minutes_of(*it, "constructionMinutes", t.construction);
      t.maintenance = minutes_of(*it, "maintenanceIntervalMinutes", t.maintenance);
      t.upgrade = minutes_of(*it, "upgradeIntervalMinutes", t.upgrade);
      out.types[it.key()] = t;
    }
  }
  return out;
}

std::optional<WorldTime> time_of(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return sim::parse_world_time(it->get<std::string>());
}

struct Periodic {
  WorldTime anchor;
  Duration interval;
};

// The timers a campaign will (probably) have: enough to find real firing
// instants. Updates that move anchors are not followed; a candidate that is
// not a firing instant still gives a valid split.
struct CampaignTimers {
  WorldTime clock = 0;
  std::map<std::string, WorldTime> settlement_anchor;
  std::vector<Periodic> periodic;
  std::vector<WorldTime> one_shots;

  void add_periodic(WorldTime anchor, Duration interval) {
    if (interval > 0) periodic.push_back({anchor, interval});
  }

  void add_settlement(const json& s, const Intervals& iv) {
    if (!s.is_object() || !s.contains("id") || !s["id"].is_string()) return;
    const WorldTime anchor = time_of(s, "createdAt").value_or(clock);
    settlement_anchor[s["id"].get<std::string>()] = anchor;
    const json vars = s.value("variables", json::object());
    add_periodic(anchor, minutes_of(vars, "resourceGenerationIntervalMinutes", iv.resource));
    add_periodic(anchor, minutes_of(vars, "populationGrowthIntervalMinutes", iv.growth));
    add_periodic(anchor, minutes_of(vars, "levelUpCheckIntervalMinutes", iv.level_up));
  }

  void update_settlement(const json& s, const Intervals& iv) {
    if (!s.is_object() || !s.contains("variables")) return;
    auto it = settlement_anchor.find(s.value("id", std::string()));
    if (it == settlement_anchor.end()) return;
    const json& vars = s["variables"];
    add_periodic(it->second, minutes_of(vars, "resourceGenerationIntervalMinutes", iv.resource));
    add_periodic(it->second, minutes_of(vars, "populationGrowthIntervalMinutes", iv.growth));
  }

  void add_structure(const json& s, const Intervals& iv) {
    if (!s.is_object() || !s.contains("type") || !s["type"].is_string()) return;
    auto type = iv.types.find(s["type"].get<std::string>());
    if (type == iv.types.end()) return;
    const json vars = s.value("variables", json::object());
    const TypeTimes& t = type->second;
    const Duration maintenance = minutes_of(vars, "maintenanceIntervalMinutes", t.maintenance);
    const Duration upgrade = minutes_of(vars, "upgradeIntervalMinutes", t.upgrade);
    const WorldTime created = time_of(s, "createdAt").value_or(clock);
    WorldTime anchor;
    if (s.value("status", std::string()) == "UNDER_CONSTRUCTION") {
      WorldTime due = time_of(s, "constructionCompletesAt")
                          .value_or(created + minutes_of(vars, "constructionMinutes", t.construction));
      if (due > clock) one_shots.push_back(due);
      anchor = std::max(due, clock);
    } else {
      anchor = time_of(s, "activeSince").value_or(created);
    }
    add_periodic(anchor, maintenance);
    add_periodic(anchor, upgrade);
  }

  void add_event(const json& e, const Intervals& iv) {
    if (!e.is_object() || e.value("isCompleted", false)) return;
    if (auto at = time_of(e, "scheduledAt")) one_shots.push_back(*at + iv.grace);
  }

  void add_effect(const json& e) {
    if (auto at = time_of(e, "executeAt")) one_shots.push_back(*at);
  }

  // Due instants strictly inside (clock, until).
  std::vector<WorldTime> candidates(Rng& rng, WorldTime until) const {
    std::vector<WorldTime> out;
    for (const Periodic& p : periodic) {
      const WorldTime first = sim::first_due_after(p.anchor, p.interval, clock);
      if (first >= until) continue;
      out.push_back(first);
      const std::int64_t more = (until - 1 - first) / p.interval;
      if (more > 0) out.push_back(first + rng.between(1, more) * p.interval);
    }
    for (WorldTime t : one_shots)
      if (t > clock && t < until) out.push_back(t);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
};

std::optional<std::string> campaign_of_channel(const std::string& channel, const std::string& suffix) {
  const std::string prefix = "campaign.";
  if (channel.size() <= prefix.size() + suffix.size()) return std::nullopt;
  if (channel.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (channel.compare(channel.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  return channel.substr(prefix.size(), channel.size() - prefix.size() - suffix.size());
}

}  // namespace

json split_advances(const json& scenario, std::uint64_t seed, SplitMode mode, SplitReport* report) {
  Rng rng(seed ^ 0x5eed5a1177ULL);
  SplitReport local;
  SplitReport& rep = report ? *report : local;
  rep = SplitReport{};
  const Intervals iv = read_intervals(scenario);

  std::map<std::string, CampaignTimers> timers;
  for (const json& c : scenario.at("campaigns")) {
    CampaignTimers& t = timers[c.at("id").get<std::string>()];
    t.clock = *sim::parse_world_time(c.at("currentWorldTime").get<std::string>());
    for (const json& s : c.value("settlements", json::array())) t.add_settlement(s, iv);
    for (const json& s : c.value("structures", json::array())) t.add_structure(s, iv);
    for (const json& e : c.value("events", json::array())) t.add_event(e, iv);
    for (const json& e : c.value("deferredEffects", json::array())) t.add_effect(e);
  }

  json out = scenario;
  auto found = scenario.find("messages");
  if (found == scenario.end()) return out;
  if (!found->is_array()) throw std::invalid_argument("split_advances: messages must be inline");
  json messages = json::array();
  for (const json& m : *found) {
    const std::string channel = m.value("channel", std::string());
    const json& payload = m.contains("payload") ? m["payload"] : json();
    if (auto id = campaign_of_channel(channel, ".entityModified");
        id && timers.count(*id) && payload.is_object() && payload.contains("entity")) {
      CampaignTimers& t = timers[*id];
      const std::string type = payload.value("entityType", std::string());
      const std::string op = payload.value("operation", std::string());
      json entity = payload["entity"];
      if (entity.is_object() && payload.contains("entityId")) entity["id"] = payload["entityId"];
      if (op == "CREATE" && type == "Settlement") t.add_settlement(entity, iv);
      if (op == "UPDATE" && type == "Settlement") t.update_settlement(entity, iv);
      if (op == "CREATE" && type == "Structure") t.add_structure(entity, iv);
      if (type == "Event") t.add_event(entity, iv);
      if (type == "Effect") t.add_effect(entity);
    }
    auto id = campaign_of_channel(channel, ".worldTimeAdvanced");
    if (!id || !timers.count(*id) || !payload.is_object() || !payload.contains("newTime") ||
        !payload["newTime"].is_string() || payload.value("campaignId", json()) != json(*id)) {
      messages.push_back(m);
      continue;
    }
    auto target = sim::parse_world_time(payload["newTime"].get<std::string>());
    CampaignTimers& t = timers[*id];
    if (!target || *target <= t.clock) {
      messages.push_back(m);
      continue;
    }
    ++rep.advances_seen;
    std::vector<WorldTime> points;
    if (*target - t.clock >= 2) {
      if (mode == SplitMode::RandomInstants) {
        const auto n = rng.between(1, 4);
        for (std::int64_t i = 0; i < n; ++i) points.push_back(rng.between(t.clock + 1, *target - 1));
        if (rng.chance(0.15)) points.push_back(t.clock + 1);
        if (rng.chance(0.15)) points.push_back(*target - 1);
      } else {
        std::vector<WorldTime> due = t.candidates(rng, *target);
        rng.shuffle(due);
        due.resize(std::min<std::size_t>(due.size(), static_cast<std::size_t>(rng.between(1, 4))));
        points = due;
      }
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    if (points.empty()) {
      messages.push_back(m);
      t.clock = *target;
      continue;
    }
    ++rep.advances_split;
    json previous = payload.contains("previousTime") ? payload["previousTime"] : json();
    for (WorldTime p : points) {
      json piece = m;
      piece["payload"]["previousTime"] = previous;
      piece["payload"]["newTime"] = sim::format_world_time(p);
      previous = piece["payload"]["newTime"];
      messages.push_back(std::move(piece));
      rep.points.push_back({*id, p});
    }
    json last = m;
    last["payload"]["previousTime"] = previous;
    messages.push_back(std::move(last));
    t.clock = *target;
  }
  out["messages"] = std::move(messages);
  return out;
}

json without_messages(const json& scenario) {
  json out = scenario;
  out.erase("messages");
  return out;
}

}  // namespace hourglass::testing
