#include "runtime/tuning_scenario.hpp"

#include <algorithm>
#include <vector>

#include "messages/input_error.hpp"
#include "runtime/seeded_random.hpp"

namespace hourglass::runtime {
namespace {

using messages::InputError;
using nlohmann::json;

constexpr sim::Duration kMinute = sim::kMsPerMinute;
constexpr sim::Duration kDay = 24 * 60 * kMinute;
constexpr sim::WorldTime kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
const std::vector<std::string> kTypes = {"farm", "mine", "temple"};
const std::vector<std::string> kNames = {"Oakridge", "Fairhaven", "Dunmere",    "Ashford",
                                         "Greywold", "Cinderholm", "Brightwater", "Ironvale"};

void check_range(const std::string& flag, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value < lo || value > hi)
    throw InputError(flag, std::to_string(value) + " is out of range [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
}

// "s07" for 7 of 10..99: zero-padded, so byte order is numeric order.
std::string numbered(const std::string& prefix, int i, int count) {
  std::string digits = std::to_string(i);
  const std::size_t width = std::to_string(count).size();
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return prefix + digits;
}

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }

// Three in four start at level 1 below its level-up population (250), the
// rest at level 2 below its cap: every settlement has levels to reach.
json settlement(Rng& rng, int i, int count) {
  const bool second = rng.chance(0.25);
  return {{"id", numbered("s", i, count)},
          {"name", kNames[static_cast<std::size_t>(i - 1) % kNames.size()] + " " + std::to_string(i)},
          {"level", second ? 2 : 1},
          {"population", second ? rng.between(260, 900) : rng.between(50, 240)},
          {"resources", {{"food", rng.between(20, 200)}, {"gold", rng.between(20, 150)}}},
          {"createdAt", iso(kStart - rng.between(0, 1439) * kMinute)}};
}

// Mostly ACTIVE (built days ago, in fair condition); some still being built.
json structure(Rng& rng, const std::string& settlement_id, int j) {
  json s = {{"id", settlement_id + "-st" + std::to_string(j)},
            {"settlementId", settlement_id},
            {"type", rng.pick(kTypes)},
            {"level", 1}};
  if (rng.chance(0.15)) {
    s["status"] = "UNDER_CONSTRUCTION";
    s["condition"] = 0;
    s["createdAt"] = iso(kStart - rng.between(0, 2000) * kMinute);
  } else {
    s["status"] = "ACTIVE";
    s["condition"] = rng.between(60, 100);
    s["createdAt"] = iso(kStart - rng.between(3 * 1440, 30 * 1440) * kMinute);
  }
  return s;
}

std::string step_text(sim::Duration step) {
  if (step % kDay == 0) return std::to_string(step / kDay) + "d";
  if (step % (60 * kMinute) == 0) return std::to_string(step / (60 * kMinute)) + "h";
  return std::to_string(step / kMinute) + "m";
}

}  // namespace

sim::Duration parse_step(const std::string& text, const std::string& flag) {
  const std::string usage = "\"" + text + "\" is not a step: write a whole number and m, h or d (30m, 6h, 1d)";
  if (text.size() < 2 || text.size() > 9) throw InputError(flag, usage);
  const std::string number = text.substr(0, text.size() - 1);
  if (number.find_first_not_of("0123456789") != std::string::npos) throw InputError(flag, usage);
  const std::int64_t n = std::stoll(number);
  sim::Duration unit = 0;
  switch (text.back()) {
    case 'm': unit = kMinute; break;
    case 'h': unit = 60 * kMinute; break;
    case 'd': unit = kDay; break;
    default: throw InputError(flag, usage);
  }
  if (n < 1 || n * unit > 30 * kDay) throw InputError(flag, "\"" + text + "\" is out of range [1m, 30d]");
  return n * unit;
}

json generate_tuning_scenario(const TuningScenarioShape& shape) {
  check_range("--settlements", shape.settlements, 1, kMaxSettlements);
  check_range("--structures", shape.structures, 0, kMaxStructures);
  check_range("--days", shape.days, 1, kMaxDays);
  check_range("--step (minutes)", shape.step / kMinute, 1, 30 * 1440);
  const sim::WorldTime end = kStart + shape.days * kDay;
  const std::int64_t advances = (end - kStart + shape.step - 1) / shape.step;
  if (advances > kMaxAdvances)
    throw InputError("--step", step_text(shape.step) + " over " + std::to_string(shape.days) + " days makes " +
                                   std::to_string(advances) + " advances; at most " + std::to_string(kMaxAdvances));

  Rng rng(shape.seed);
  json settlements = json::array(), structures = json::array();
  for (int i = 1; i <= shape.settlements; ++i) {
    settlements.push_back(settlement(rng, i, shape.settlements));
    const std::string id = settlements.back()["id"];
    for (int j = 1; j <= shape.structures; ++j) structures.push_back(structure(rng, id, j));
  }
  json messages = json::array();
  for (sim::WorldTime t = kStart; t < end;) {
    const sim::WorldTime next = std::min(end, t + shape.step);
    messages.push_back({{"channel", "campaign.gen.worldTimeAdvanced"},
                        {"payload", {{"campaignId", "gen"}, {"previousTime", iso(t)}, {"newTime", iso(next)}}}});
    t = next;
  }
  const std::string args = "--settlements " + std::to_string(shape.settlements) + " --structures " +
                           std::to_string(shape.structures) + " --days " + std::to_string(shape.days) + " --step " +
                           step_text(shape.step) + " --seed " + std::to_string(shape.seed);
  return {{"name", "generated-" + std::to_string(shape.settlements) + "x" + std::to_string(shape.structures) + "-" +
                       std::to_string(shape.days) + "d-seed" + std::to_string(shape.seed)},
          {"description", "Generated by `hourglass scenario generate " + args +
                              "` for tuning: one campaign, default rules, small settlements with farms, mines and "
                              "temples, and a world-time advance every " + step_text(shape.step) + "."},
          {"campaigns",
           json::array({{{"id", "gen"},
                         {"currentWorldTime", iso(kStart)},
                         {"settlements", std::move(settlements)},
                         {"structures", std::move(structures)},
                         {"events", json::array()},
                         {"deferredEffects", json::array()}}})},
          {"messages", std::move(messages)}};
}

}  // namespace hourglass::runtime
