#include "runtime/replay.hpp"

#include <atomic>
#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <thread>
#include <spdlog/spdlog.h>

#include "actors/campaign_actor.hpp"
#include "actors/errors.hpp"
#include "messages/record_json.hpp"
#include "messages/wire.hpp"

namespace hourglass::runtime {
namespace {

using actors::Handled;
using actors::Outcome;

caf::actor_system_config make_config(std::size_t threads) {
  caf::actor_system_config cfg;
  // One worker per core: CAF 0.17 starts at least four, which on a 2-core
  // machine only makes busy workers take turns.
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  actors::add_error_rendering(cfg);  // the renderer of hourglass_errc, for logs
  // A replay is a batch job whose campaigns fan every step out to all their
  // settlements at once. Under CAF 0.17's work stealing those requests queue
  // on the campaign's worker and the others take them one steal (one lock)
  // at a time, polling while there is none: with the polling tuned up that
  // was 6 % of a catch-up's CPU, with CAF's default back-off (naps up to
  // 10 ms) cores sat idle between steps. Work sharing keeps one queue that
  // every worker takes from, and idle workers wait on a condition variable:
  // the 1,000 x 10 catch-up ran ~11 % faster (docs/PERFORMANCE.md).
  cfg.set("scheduler.policy", caf::atom("sharing"));
  return cfg;
}

void dead_letter(const ReplayOptions& o, const RecordedMessage& m, const std::string& reason) {
  if (o.on_refusal)
    o.on_refusal("refused " + m.where + " on " + m.channel + ": " + reason);
  else
    spdlog::warn("refused {} on {}: {}", m.where, m.channel, reason);
  if (!o.dead_letters) return;
  nlohmann::json entry = {{"where", m.where}, {"channel", m.channel}, {"reason", reason}, {"payload", m.payload}};
  o.dead_letters->write(entry.dump() + "\n");
}

messages::Decoded decode(const RecordedMessage& m, const sim::Rules& rules) {
  if (m.payload.is_string())  // raw bytes as they came off Redis
    return messages::decode_message_text(m.channel, m.payload.get_ref<const std::string&>(), rules);
  return messages::decode_message(m.channel, m.payload, rules);
}

void count(ReplayStats& s, const Handled& h) {
  s.firings += h.firings;
  s.records += h.records;
  switch (h.outcome) {
    case Outcome::Applied: ++s.applied; break;
    case Outcome::Ignored: ++s.ignored; break;
    case Outcome::Refused: ++s.refused; break;
  }
}

}  // namespace

ReplayResult run_replay(const Scenario& scenario, const ReplayOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ReplayResult result;
  ReplayStats& stats = result.stats;
  auto cfg = make_config(options.threads);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto output = options.output ? options.output : std::make_shared<actors::StringOutput>();
  auto sink = system.spawn<caf::detached>(actors::record_sink, output);

  std::map<std::string, caf::actor> campaigns;
  std::vector<caf::actor> in_order;
  auto restarts = std::make_shared<std::atomic<std::uint64_t>>(0);
  for (const auto& seed : scenario.campaigns) {
    actors::CampaignInit init{seed, scenario.rules, sink, options.max_step};
    init.faults = options.faults;
    init.max_advance = options.max_advance;
    init.progress = options.advance_progress;
    init.on_restart = [restarts](const std::string&) { ++*restarts; };
    auto c = system.spawn(actors::campaign_actor, std::move(init));
    campaigns[seed.id] = c;
    in_order.push_back(c);
  }
  auto ask = [&](const caf::actor& c, auto... args) {
    Handled out;
    self->request(c, caf::infinite, args...)
        .receive([&](Handled& h) { out = std::move(h); },
                 [&](caf::error& err) {
                   out.outcome = Outcome::Refused;
                   out.note = system.render(err);
                 });
    return out;
  };
  // Records of the load come before those of any message (SPEC reading 3).
  for (const auto& c : in_order) {
    Handled h = ask(c, actors::load_atom::value);
    stats.firings += h.firings;
    stats.records += h.records;
  }
  const std::size_t total = scenario.messages.size();
  for (std::size_t i = 0; i < total; ++i) {
    const RecordedMessage& m = scenario.messages[i];
    ++stats.messages;
    messages::Decoded d = decode(m, *scenario.rules);
    if (!d) {
      ++stats.refused;
      dead_letter(options, m, d.error);
    } else {
      const std::string& id = std::visit([](const auto& x) -> const std::string& { return x.campaign_id; }, *d.message);
      auto it = campaigns.find(id);
      if (it == campaigns.end()) {
        ++stats.refused;
        dead_letter(options, m, "channel: unknown campaign \"" + id + "\"");
      } else {
        Handled h = ask(it->second, actors::handle_atom::value, *d.message);
        count(stats, h);
        if (h.outcome == Outcome::Refused)
          dead_letter(options, m, h.note);
        else if (!h.note.empty())
          spdlog::info("{} on {}: {}", m.where, m.channel, h.note);
      }
    }
    if (options.progress) options.progress(i + 1, total);
  }
  if (options.want_state) {
    for (const auto& c : in_order) {
      self->request(c, caf::infinite, actors::snapshot_atom::value)
          .receive([&](sim::CampaignSnapshot& s) { result.state.push_back(std::move(s)); },
                   [&](caf::error& err) { spdlog::error("snapshot failed: {}", system.render(err)); });
    }
  }
  self->request(sink, caf::infinite, actors::flush_atom::value).receive([](bool) {}, [](caf::error&) {});
  for (const auto& c : in_order) self->send_exit(c, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  stats.restarts = restarts->load();
  stats.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace hourglass::runtime
