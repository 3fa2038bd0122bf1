#include "bench/bench_world.hpp"

#include <fstream>

namespace hourglass::bench {
namespace {

// splitmix64: a tiny, portable generator (the same numbers everywhere).
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

std::uint64_t status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size()));
  return 0;
}

}  // namespace

actors::CampaignSeed make_campaign(const WorldShape& shape) {
  static const char* kTypes[] = {"farm", "mine", "temple"};
  Random rng{shape.seed};
  actors::CampaignSeed seed;
  seed.id = shape.campaign_id;
  seed.clock = shape.clock;
  for (int i = 0; i < shape.settlements; ++i) {
    sim::SettlementPatch s;
    s.id = "s" + std::to_string(i);
    s.name = "Settlement " + std::to_string(i);
    s.level = static_cast<int>(rng.between(1, 4));
    s.population = rng.between(50, 20000);
    s.resources = sim::Amounts{{"food", rng.between(0, 500)}, {"gold", rng.between(0, 500)}};
    s.created_at = shape.clock - rng.between(0, 59) * sim::kMsPerMinute;
    seed.settlements.push_back(s);
    for (int j = 0; j < shape.structures_per_settlement; ++j) {
      sim::StructurePatch st;
      st.id = s.id + "-st" + std::to_string(j);
      st.settlement_id = s.id;
      st.type = kTypes[rng.next() % 3];
      st.level = static_cast<int>(rng.between(1, 3));
      st.status = sim::StructureStatus::Active;
      st.condition = rng.between(40, 100);
      st.created_at = shape.clock - rng.between(0, 719) * sim::kMsPerMinute;
      seed.structures.push_back(st);
    }
  }
  return seed;
}

std::uint64_t peak_rss_bytes() { return status_kib("VmHWM") * 1024; }
std::uint64_t current_rss_bytes() { return status_kib("VmRSS") * 1024; }

}  // namespace hourglass::bench
