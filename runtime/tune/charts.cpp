#include "runtime/tune/charts.hpp"

#include <set>

#include "runtime/tune/summary.hpp"
#include "runtime/tune/thin.hpp"

namespace hourglass::runtime::tune {
namespace {

// One chart, a line per rule set that has the entity (via `pick`).
template <class Lookup>
report::Chart chart(std::string title, std::string y_label, const std::vector<std::string>& labels,
                    const std::vector<VariantResult>& results, const Lookup& pick) {
  report::Chart c;
  c.title = std::move(title);
  c.y_label = std::move(y_label);
  for (std::size_t v = 0; v < results.size(); ++v)
    if (const Steps* steps = pick(results[v])) {
      c.series.push_back({labels[v], thin_steps(*steps, kChartBuckets)});
      // Hover reads the values from the unthinned steps, which outlive the report's rendering.
      c.series.back().exact = steps;
    }
  return c;
}

template <class Map>
const typename Map::mapped_type* find(const Map& map, const EntityKey& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

std::string quoted_name(const std::vector<VariantResult>& results, const EntityKey& key) {
  for (const VariantResult& r : results)
    if (const SettlementTimeline* t = find(r.timelines.settlements, key))
      if (!t->name.empty()) return " \u201c" + t->name + "\u201d";
  return "";
}

report::Section settlement_section(const EntityKey& key, const std::vector<std::string>& labels,
                                   const std::vector<VariantResult>& results) {
  report::Section section;
  section.heading = "Settlement " + key.id + quoted_name(results, key) + " (campaign " + key.campaign + ")";
  auto metric = [&](const char* name, Steps SettlementTimeline::*member) {
    return chart(key.id + " " + name, name, labels, results, [&](const VariantResult& r) -> const Steps* {
      const SettlementTimeline* t = find(r.timelines.settlements, key);
      return t ? &(t->*member) : nullptr;
    });
  };
  section.charts.push_back(metric("population", &SettlementTimeline::population));
  section.charts.push_back(metric("level", &SettlementTimeline::level));
  for (const std::string& name : resource_names(key, results))
    section.charts.push_back(chart(key.id + " " + name, name, labels, results, [&](const VariantResult& r) -> const Steps* {
      const SettlementTimeline* t = find(r.timelines.settlements, key);
      if (!t) return nullptr;
      auto it = t->resources.find(name);
      return it == t->resources.end() ? nullptr : &it->second;
    }));
  return section;
}

// The structures whose settlement (under the first rule set that has them)
// is `settlement`, in id order.
std::vector<EntityKey> structures_of(const EntityKey& settlement, const std::vector<VariantResult>& results) {
  std::set<EntityKey, EntityLess> seen, out;
  for (const VariantResult& r : results)
    for (const auto& [key, line] : r.timelines.structures)
      if (seen.insert(key).second && key.campaign == settlement.campaign && line.settlement_id == settlement.id)
        out.insert(key);
  return {out.begin(), out.end()};
}

void add_structure_charts(report::Section& section, const EntityKey& key, const std::vector<std::string>& labels,
                          const std::vector<VariantResult>& results) {
  std::string type;
  for (const VariantResult& r : results)
    if (const StructureTimeline* t = find(r.timelines.structures, key); t && type.empty()) type = t->type;
  const std::string name = key.id + (type.empty() ? "" : " (" + type + ")");
  auto series = [&](Steps StructureTimeline::*member) {
    return [&, member](const VariantResult& r) -> const Steps* {
      const StructureTimeline* t = find(r.timelines.structures, key);
      return t ? &(t->*member) : nullptr;
    };
  };
  section.charts.push_back(chart(name + " condition", "condition", labels, results, series(&StructureTimeline::condition)));
  report::Chart status = chart(name + " status", "status", labels, results, series(&StructureTimeline::status));
  status.categories = status_categories();
  section.charts.push_back(std::move(status));
}

}  // namespace

std::vector<report::Section> chart_sections(const std::vector<std::string>& labels,
                                            const std::vector<VariantResult>& results) {
  std::vector<report::Section> sections;
  std::set<EntityKey, EntityLess> placed;
  for (const EntityKey& key : settlement_keys(results)) {
    sections.push_back(settlement_section(key, labels, results));
    report::Section structures;
    structures.heading = "Structures of " + key.id + " (campaign " + key.campaign + ")";
    for (const EntityKey& st : structures_of(key, results)) {
      add_structure_charts(structures, st, labels, results);
      placed.insert(st);
    }
    if (!structures.charts.empty()) sections.push_back(std::move(structures));
  }
  report::Section others;
  others.heading = "Structures of no known settlement";
  for (const VariantResult& r : results)
    for (const auto& entry : r.timelines.structures)
      if (placed.insert(entry.first).second) add_structure_charts(others, entry.first, labels, results);
  if (!others.charts.empty()) sections.push_back(std::move(others));
  return sections;
}

}  // namespace hourglass::runtime::tune
