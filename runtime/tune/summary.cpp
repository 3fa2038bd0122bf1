#include "runtime/tune/summary.hpp"

#include <optional>
#include <set>

namespace hourglass::runtime::tune {
namespace {

constexpr const char* kMissing = "\u2013";  // en dash
using Value = std::optional<std::int64_t>;

const sim::Settlement* final_settlement(const VariantResult& r, const EntityKey& key) {
  for (const sim::CampaignSnapshot& c : r.state) {
    if (c.id != key.campaign) continue;
    for (const sim::Settlement& s : c.settlements)
      if (s.id == key.id) return &s;
  }
  return nullptr;
}

const SettlementTimeline* timeline(const VariantResult& r, const EntityKey& key) {
  auto it = r.timelines.settlements.find(key);
  return it == r.timelines.settlements.end() ? nullptr : &it->second;
}

// The values of one settlement under one rule set, in column order.
std::vector<Value> metric_values(const VariantResult& r, const EntityKey& key, const std::vector<std::string>& resources) {
  std::vector<Value> values;
  const sim::Settlement* s = final_settlement(r, key);
  values.push_back(s ? Value(s->population) : std::nullopt);
  values.push_back(s ? Value(s->level) : std::nullopt);
  for (const std::string& name : resources) values.push_back(s ? Value(s->resources.get(name)) : std::nullopt);
  const SettlementTimeline* t = timeline(r, key);
  for (auto counter : {&SettlementTimeline::maintenance_paid, &SettlementTimeline::maintenance_missed,
                       &SettlementTimeline::upgrade_notices})
    values.push_back(t ? Value(static_cast<std::int64_t>(t->*counter)) : std::nullopt);
  return values;
}

// The milestone and goal cells of one row (see summary_table).
void append_outcomes(const VariantResult& r, const EntityKey& key, const OutcomeSpec& spec,
                     std::vector<std::string>& row, std::vector<std::string>& classes) {
  const SettlementTimeline* t = timeline(r, key);
  const std::size_t columns = static_cast<std::size_t>(spec.top_level - 1) + spec.resources.size();
  if (!t) {
    row.insert(row.end(), columns + (spec.goals.empty() ? 0 : 1), kMissing);
    return;
  }
  const SettlementOutcome o = settlement_outcome(key, *t, spec);
  for (const auto* days : {&o.level_days, &o.zero_days})
    for (const std::optional<double>& d : *days) row.push_back(d ? day_text(*d) : kMissing);
  if (spec.goals.empty()) return;
  std::string missed;
  for (std::size_t g = 0; g < spec.goals.size(); ++g)
    if (!o.goals[g]) missed += (missed.empty() ? "fail: " : "; ") + spec.goals[g].text;
  classes.resize(row.size());
  classes.push_back(missed.empty() ? "pass" : "fail");
  row.push_back(missed.empty() ? "pass" : missed);
}

std::string signed_text(std::int64_t d) { return d > 0 ? "+" + std::to_string(d) : std::to_string(d); }

// "population +120, gold -4"; "same" when nothing differs.
std::string differences(const std::vector<Value>& values, const std::vector<Value>& base,
                        const std::vector<std::string>& names) {
  if (!values[0] || !base[0]) return kMissing;
  std::string out;
  for (std::size_t m = 0; m < values.size(); ++m) {
    if (!values[m] || !base[m] || *values[m] == *base[m]) continue;
    out += (out.empty() ? "" : ", ") + names[m] + " " + signed_text(*values[m] - *base[m]);
  }
  return out.empty() ? "same" : out;
}

}  // namespace

std::vector<EntityKey> settlement_keys(const std::vector<VariantResult>& results) {
  std::set<EntityKey, EntityLess> keys;
  for (const VariantResult& r : results)
    for (const auto& entry : r.timelines.settlements) keys.insert(entry.first);
  return {keys.begin(), keys.end()};
}

std::vector<std::string> resource_names(const EntityKey& key, const std::vector<VariantResult>& results) {
  std::set<std::string> names;
  for (const VariantResult& r : results) {
    if (const SettlementTimeline* t = timeline(r, key))
      for (const auto& entry : t->resources) names.insert(entry.first);
    if (const sim::Settlement* s = final_settlement(r, key))
      for (const auto& entry : s->resources) names.insert(entry.first);
  }
  return {names.begin(), names.end()};
}

report::Table summary_table(const std::vector<std::string>& labels, const std::vector<VariantResult>& results,
                            const OutcomeSpec* outcomes) {
  const std::vector<EntityKey> keys = settlement_keys(results);
  std::set<std::string> all_resources;
  for (const EntityKey& key : keys)
    for (const std::string& name : resource_names(key, results)) all_resources.insert(name);
  const std::vector<std::string> resources(all_resources.begin(), all_resources.end());

  std::vector<std::string> metrics = {"population", "level"};
  metrics.insert(metrics.end(), resources.begin(), resources.end());
  metrics.insert(metrics.end(), {"paid", "missed", "upgrades"});
  report::Table table;
  table.header = {"Settlement", "Rule set"};
  table.header.insert(table.header.end(), metrics.begin(), metrics.end());
  if (outcomes) {
    for (int level = 2; level <= outcomes->top_level; ++level) table.header.push_back("day level " + std::to_string(level));
    for (const std::string& name : outcomes->resources) table.header.push_back("day " + name + " 0");
    if (!outcomes->goals.empty()) table.header.push_back("goals");
  }
  table.header.push_back("\u0394 vs first");
  const bool one_campaign = keys.empty() || keys.front().campaign == keys.back().campaign;

  for (const EntityKey& key : keys) {
    std::vector<Value> base;
    for (std::size_t v = 0; v < results.size(); ++v) {
      const std::vector<Value> values = metric_values(results[v], key, resources);
      if (v == 0) base = values;
      std::vector<std::string> row = {one_campaign ? key.id : key.campaign + " / " + key.id, labels[v]};
      for (const Value& value : values) row.push_back(value ? std::to_string(*value) : kMissing);
      std::vector<std::string> classes;
      if (outcomes) append_outcomes(results[v], key, *outcomes, row, classes);
      row.push_back(v == 0 ? "baseline" : differences(values, base, metrics));
      table.rows.push_back(std::move(row));
      table.classes.push_back(std::move(classes));
    }
  }
  return table;
}

}  // namespace hourglass::runtime::tune
