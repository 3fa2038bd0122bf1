// footprint: memory per idle entity actor. Builds one campaign of
// `entities` entities (a settlement actor and its structure actors each),
// lets it load (every structure handed back to its own actor), and divides
// the resident memory it added by the number of entities.
#include <caf/all.hpp>
#include <chrono>
#include <cstdio>

#include "actors/campaign_actor.hpp"
#include "actors/errors.hpp"
#include "actors/record_sink.hpp"
#include "bench/bench_commands.hpp"
#include "bench/bench_world.hpp"

namespace hourglass::bench {

int run_footprint(const FootprintArgs& a) {
  WorldShape shape;
  shape.structures_per_settlement = a.structures_per_settlement;
  shape.settlements = a.entities / (1 + a.structures_per_settlement);
  const int entities = shape.settlements * (1 + shape.structures_per_settlement);

  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  actors::add_error_rendering(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto sink = system.spawn(actors::record_sink, std::make_shared<actors::StringOutput>());

  actors::CampaignSeed seed = make_campaign(shape);
  const std::uint64_t before = current_rss_bytes();
  const auto started = std::chrono::steady_clock::now();
  actors::CampaignInit init{std::move(seed), std::make_shared<const sim::Rules>(sim::Rules::defaults()), sink};
  auto campaign = system.spawn(actors::campaign_actor, std::move(init));
  // The load fans out to every settlement and commits: afterwards each
  // structure's state lives in its own (idle) actor.
  self->request(campaign, caf::infinite, actors::load_atom::value)
      .receive([](actors::Handled&) {}, [&](caf::error& e) { std::fprintf(stderr, "load failed: %s\n", system.render(e).c_str()); });
  // A snapshot round-trip proves every structure actor answered its lend.
  std::size_t structures = 0;
  self->request(campaign, caf::infinite, actors::snapshot_atom::value)
      .receive([&](sim::CampaignSnapshot& s) { structures = s.structures.size(); }, [](caf::error&) {});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::uint64_t after = current_rss_bytes();
  const double per_entity = static_cast<double>(after - before) / entities;
  std::printf("footprint: %d entities (%d settlement actors, %zu structure actors), 1 campaign\n",
              entities, shape.settlements, structures);
  std::printf("  resident growth   %.1f MiB\n", (after - before) / 1048576.0);
  std::printf("  per entity        %.0f bytes (%.2f KiB)\n", per_entity, per_entity / 1024);
  std::printf("  CAF actor object  %zu bytes (sizeof event_based_actor, before state)\n", sizeof(caf::event_based_actor));
  std::printf("  spawn+load time   %.2f s\n", seconds);
  std::printf("  peak RSS          %.1f MiB\n", peak_rss_bytes() / 1048576.0);
  self->send_exit(campaign, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  return 0;
}

}  // namespace hourglass::bench
