#include "runtime/tune/long_csv.hpp"

#include <map>

#include "report/csv.hpp"
#include "report/number_format.hpp"
#include "sim/time.hpp"

namespace hourglass::runtime::tune {
namespace {

constexpr double kMsPerDay = 24.0 * 60 * sim::kMsPerMinute;

class Writer {
 public:
  Writer(const std::vector<actors::CampaignSeed>& campaigns) {
    for (const actors::CampaignSeed& c : campaigns) {
      starts_[c.id] = c.clock;
      if (c.id != campaigns.front().id) several_ = true;
    }
    out_ = "time,day,variant,entity,metric,value\n";
  }

  std::string entity(const EntityKey& key) const { return several_ ? key.campaign + "/" + key.id : key.id; }

  // One row per point; `names` turns a categorical value into its name.
  void series(const std::string& variant, const EntityKey& key, const std::string& metric, const Steps& points,
              const std::vector<std::string>* names = nullptr) {
    const auto start = starts_.find(key.campaign);
    const sim::WorldTime origin = start == starts_.end() ? 0 : start->second;
    const std::string who = entity(key);
    for (const report::Point& p : points) {
      out_ += sim::format_world_time(p.time_ms);
      out_ += ',';
      out_ += report::format_fixed(static_cast<double>(p.time_ms - origin) / kMsPerDay, 4);
      out_ += ',';
      report::append_csv_field(out_, variant);
      out_ += ',';
      report::append_csv_field(out_, who);
      out_ += ',';
      report::append_csv_field(out_, metric);
      out_ += ',';
      const auto index = static_cast<std::size_t>(p.value);
      if (names && p.value >= 0 && index < names->size())
        out_ += (*names)[index];
      else
        out_ += report::format_compact(p.value, 6);
      out_ += '\n';
    }
  }

  std::string take() { return std::move(out_); }

 private:
  std::map<std::string, sim::WorldTime> starts_;
  bool several_ = false;
  std::string out_;
};

}  // namespace

std::string long_csv(const std::vector<std::string>& labels, const std::vector<VariantResult>& results,
                     const std::vector<actors::CampaignSeed>& campaigns) {
  Writer w(campaigns);
  for (std::size_t v = 0; v < results.size() && v < labels.size(); ++v) {
    const Timelines& t = results[v].timelines;
    for (const auto& [key, s] : t.settlements) {
      w.series(labels[v], key, "population", s.population);
      w.series(labels[v], key, "level", s.level);
      for (const auto& [name, points] : s.resources) w.series(labels[v], key, name, points);
    }
    for (const auto& [key, st] : t.structures) {
      w.series(labels[v], key, "condition", st.condition);
      w.series(labels[v], key, "status", st.status, &status_categories());
    }
  }
  return w.take();
}

}  // namespace hourglass::runtime::tune
