// checkpoint: what a durable checkpoint costs, against the advance it
// follows. Worlds of N campaigns x M settlements x K structures (built as
// the service benchmark's, one seed per campaign), each campaign advanced by
// one day of world time on the sim layer (households, the record writer with
// change capture as in service mode, canonical ordering: the engine's compute
// of one step, without actors); the state after it is checked equal to the
// real engine's (run_replay, want_state) before anything is measured. Then:
//   - checkpoint bytes per campaign (messages/checkpoint_codec, dumped);
//   - µs to encode one checkpoint: checkpoint_json, dump, and freeing the
//     json tree, timed apart;
//   - µs to commit one checkpoint with its outbox (the advance's records
//     coalesced as the gateway does, carries attached) through
//     io::CheckpointStore::commit against a real redis-server this benchmark
//     starts, once with appendonly no and once with appendonly yes +
//     appendfsync always (redis' dir under /tmp);
//   - the same commit carrying the campaign's fence token (issue 16: the
//     script GETs hourglass:{<cid>}:fence and compares it before its first
//     write), timed alternately with the unfenced one;
//   - µs of the advance itself, measured the same way (one campaign's day),
//     split into the households and the canonical ordering; and the same
//     advances through the real engine (run_replay, actors, one worker).
// docs/PERFORMANCE.md has the figures.
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_commands.hpp"
#include "bench/percentiles.hpp"
#include "bench/service_world.hpp"
#include "io/checkpoint_store.hpp"
#include "io/coalesce.hpp"
#include "io/write_executor.hpp"
#include "messages/checkpoint_codec.hpp"
#include "messages/record_json.hpp"
#include "runtime/replay.hpp"
#include "sim/canonical_merge.hpp"
#include "sim/household.hpp"
#include "tests/service/support/redis_server.hpp"

namespace hourglass::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr sim::Duration kDay = 24 * 60 * sim::kMsPerMinute;

double us_since(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

// One campaign as the engine holds it: a household per settlement (by id),
// armed at the seed's clock.
struct Campaign {
  std::string id;
  sim::WorldTime clock = 0;
  std::vector<sim::Household> households;
};

Campaign load(const sim::CampaignSeed& seed, const sim::Rules& rules) {
  Campaign c;
  c.id = seed.id;
  c.clock = seed.clock;
  std::map<std::string, sim::Household> by_id;
  for (const auto& p : seed.settlements) {
    sim::Household h;
    h.settlement = sim::make_settlement(p, seed.clock);
    sim::arm_settlement(h.settlement, rules, seed.clock, p.periodic_anchor);
    by_id.emplace(h.settlement.id, std::move(h));
  }
  for (const auto& p : seed.structures) {
    sim::Structure s = sim::make_structure(p, seed.clock);
    sim::arm_structure(s, rules, seed.clock, p.periodic_anchor);
    if (!by_id.at(s.settlement_id).insert_structure(std::move(s)))
      throw std::runtime_error("checkpoint bench: duplicate structure " + p.id);
  }
  sim::NullSink none;  // a load's overdue constructions belong to the load, not the advance
  for (auto& [id, h] : by_id) {
    sim::fire_overdue(h, rules, seed.clock, none);
    c.households.push_back(std::move(h));
  }
  return c;
}

struct Advanced {
  sim::OrderedRecords records;
  std::uint64_t firings = 0;
  Clock::time_point simulated;  // when the households were done, before ordering
};

// The engine's compute of one step of one campaign: every household to
// `until`, records written (text and changes, as in service mode), then put in
// canonical order (rank 0 the campaign's effects, then the settlements by
// id, last its events: none in this world).
Advanced advance(Campaign& c, const sim::Rules& rules, sim::WorldTime until) {
  std::vector<sim::RecordBatch> batches(c.households.size() + 2);
  Advanced out;
  for (std::size_t i = 0; i < c.households.size(); ++i) {
    messages::BatchWriter writer(c.id, batches[i + 1], {true, true});
    out.firings += sim::advance_household(c.households[i], rules, until, writer);
  }
  c.clock = until;
  out.simulated = Clock::now();
  out.records = sim::order_canonically(std::move(batches));
  return out;
}

sim::CampaignSnapshot snapshot(const Campaign& c) {
  sim::CampaignSnapshot s;
  s.id = c.id;
  s.clock = c.clock;
  for (const auto& h : c.households) {
    s.settlements.push_back(h.settlement);
    for (const auto& st : h.structures) s.structures.push_back(st);
  }
  std::sort(s.structures.begin(), s.structures.end(),
            [](const sim::Structure& a, const sim::Structure& b) { return a.id < b.id; });
  return s;
}

// What the service would commit after the advance: the records coalesced as
// the gateway does, with the settlements' carries that changed.
std::vector<io::EntityWrite> outbox_of(const Campaign& before, const Campaign& after, sim::ChangeList changes) {
  std::vector<io::EntityWrite> writes = io::coalesce(after.id, std::move(changes));
  std::map<std::string, double> carries;
  for (std::size_t i = 0; i < after.households.size(); ++i) {
    const auto& s = after.households[i].settlement;
    if (s.carry != before.households[i].settlement.carry) carries[s.id] = s.carry;
  }
  io::attach_carries(writes, after.id, carries, after.clock);
  return writes;
}

class DropOutput final : public actors::RecordOutput {
 public:
  void write(std::string_view) override {}
};

// The real engine's state after the same advance (actors, one message per
// campaign); every campaign's checkpoint must be the same text.
void check_against_engine(const std::vector<sim::CampaignSeed>& world, const std::vector<std::string>& texts,
                          const messages::CheckpointInput& input, std::uint64_t records) {
  runtime::Scenario scenario;
  scenario.name = "checkpoint-bench";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns = world;
  for (const auto& c : world) {
    runtime::RecordedMessage m;
    m.where = "advance";
    m.channel = "campaign." + c.id + ".worldTimeAdvanced";
    m.payload = {{"campaignId", c.id},
                 {"previousTime", sim::format_world_time(c.clock)},
                 {"newTime", sim::format_world_time(c.clock + kDay)}};
    scenario.messages.push_back(std::move(m));
  }
  runtime::ReplayOptions options;
  options.threads = 2;
  options.want_state = true;
  options.output = std::make_shared<DropOutput>();
  const runtime::ReplayResult r = runtime::run_replay(scenario, options);
  if (r.stats.applied != world.size() || r.state.size() != world.size())
    throw std::runtime_error("checkpoint bench: the engine applied " + std::to_string(r.stats.applied) + " of " +
                             std::to_string(world.size()) + " advances");
  if (r.stats.records != records)
    throw std::runtime_error("checkpoint bench: the engine wrote " + std::to_string(r.stats.records) +
                             " records, the sim layer " + std::to_string(records));
  for (const auto& s : r.state) {
    const auto at = std::find_if(world.begin(), world.end(), [&](const auto& c) { return c.id == s.id; });
    const std::size_t i = static_cast<std::size_t>(at - world.begin());
    if (at == world.end() || messages::checkpoint_json(s, input).dump() != texts[i])
      throw std::runtime_error("checkpoint bench: campaign " + s.id + ": the engine's state differs from the sim layer's");
  }
}

// The same advances through the real engine (actors, one CAF worker, the
// replay driver sending one message at a time and waiting for its answer):
// µs per advance, from the end of one message to the end of the next (the
// first message, after the load, is not counted). `rounds` one-day rounds,
// campaigns round-robin.
std::vector<double> engine_advance_us(const std::vector<sim::CampaignSeed>& world, int rounds) {
  runtime::Scenario scenario;
  scenario.name = "checkpoint-bench-engine";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns = world;
  for (int r = 0; r < rounds; ++r)
    for (const auto& c : world) {
      runtime::RecordedMessage m;
      m.where = "advance";
      m.channel = "campaign." + c.id + ".worldTimeAdvanced";
      m.payload = {{"campaignId", c.id},
                   {"previousTime", sim::format_world_time(c.clock + r * kDay)},
                   {"newTime", sim::format_world_time(c.clock + (r + 1) * kDay)}};
      scenario.messages.push_back(std::move(m));
    }
  std::vector<double> us;
  Clock::time_point last;
  runtime::ReplayOptions options;
  options.threads = 1;
  options.output = std::make_shared<DropOutput>();
  options.progress = [&](std::size_t done, std::size_t) {
    const auto now = Clock::now();
    if (done > 1) us.push_back(us_since(last, now));
    last = now;
  };
  const runtime::ReplayResult r = runtime::run_replay(scenario, options);
  if (r.stats.applied != scenario.messages.size())
    throw std::runtime_error("checkpoint bench: the engine applied " + std::to_string(r.stats.applied) + " of " +
                             std::to_string(scenario.messages.size()) + " advances");
  return us;
}

struct Stat {
  double p50 = 0, p99 = 0;
};
Stat stat(const std::vector<double>& v) {
  const Percentiles p = percentiles(v);
  return {p.p50, p.p99};
}

struct CommitFigures {
  std::string config;
  std::string persistence;
  Stat commit;
  Stat commit_fenced;  // the same commit carrying the campaign's fence token (checked by the script)
  double ping_p50 = 0;
  double server_set_us = 0, server_xadd_us = 0;  // redis' own time per commit (INFO commandstats)
  double server_script_us = 0, server_script_fenced_us = 0;  // redis' own time per commit script, each kind alone
};

// A command's text reply (INFO, CONFIG RESETSTAT) on the raw connection.
std::string raw_command(io::RedisConnection& redis, const char* command) {
  auto* reply = static_cast<redisReply*>(redisCommand(redis.native_handle(), command));
  if (!reply) throw std::runtime_error(std::string("checkpoint bench: ") + command + " failed");
  std::string text = reply->str ? std::string(reply->str, reply->len) : std::string();
  freeReplyObject(reply);
  return text;
}

// usec=N of cmdstat_<name> in INFO commandstats; 0 when absent.
double command_usec(const std::string& info, const std::string& name) {
  const std::string key = "cmdstat_" + name + ":";
  const std::size_t at = info.find(key);
  if (at == std::string::npos) return 0;
  const std::size_t u = info.find("usec=", at);
  return u == std::string::npos ? 0 : std::stod(info.substr(u + 5));
}

CommitFigures measure_commits(const std::string& config, const std::vector<std::string>& extra_args,
                              const std::vector<std::string>& ids, const std::vector<std::string>& texts,
                              const std::vector<std::vector<io::EntityWrite>>& outboxes, int samples) {
  service::testing::RedisServer server("", extra_args);
  auto redis = io::RedisConnection::connect(server.endpoint(), std::chrono::milliseconds(5000));
  io::CheckpointStore store(redis);
  CommitFigures f;
  f.config = config;
  f.persistence = io::check_persistence(redis).why;
  const std::size_t n = ids.size();
  // Warm-up: every campaign's keys exist once (as in a running service),
  // not timed. The outbox is emptied after each commit (untimed), as the
  // gateway does once the writes are done, so it does not grow for ever.
  // Each campaign is claimed (its fence key holds token 1, as a session's
  // claim leaves it): a commit without a token skips the check, one with
  // token 1 has the script GET the fence and compare it first. The two are
  // timed alternately on the same campaigns, so that a loaded machine
  // weighs on both alike.
  constexpr std::uint64_t kFence = 1;
  for (std::size_t i = 0; i < n; ++i) {
    store.claim(ids[i], kFence);
    store.done(ids[i], store.commit(ids[i], texts[i], outboxes[i]));
  }
  std::vector<double> commit_us, fenced_us, ping_us;
  raw_command(redis, "CONFIG RESETSTAT");
  // One commit of campaign i, with the fence token or without, timed.
  auto timed_commit = [&](std::size_t i, bool fenced) {
    const auto t0 = Clock::now();
    std::vector<std::string> entries = store.commit(ids[i], texts[i], outboxes[i], "", fenced ? kFence : 0);
    const double us = us_since(t0, Clock::now());
    store.done(ids[i], entries);
    return us;
  };
  for (int k = 0; k < samples; ++k) {
    const std::size_t i = static_cast<std::size_t>(k) % n;
    const bool fenced_first = k % 2 == 1;  // each kind first half of the time: no order bias
    const double first = timed_commit(i, fenced_first);
    const double second = timed_commit(i, !fenced_first);
    commit_us.push_back(fenced_first ? second : first);
    fenced_us.push_back(fenced_first ? first : second);
    if (k % 10 == 0) {
      const auto p0 = Clock::now();
      redis.ping();
      ping_us.push_back(us_since(p0, Clock::now()));
    }
  }
  f.commit = stat(commit_us);
  f.commit_fenced = stat(fenced_us);
  const std::string info = raw_command(redis, "INFO commandstats");
  f.server_set_us = command_usec(info, "set") / (2.0 * samples);  // both kinds of commit write the same
  f.server_xadd_us = command_usec(info, "xadd") / (2.0 * samples);
  // Redis' own time in the commit script, each kind in a run of its own
  // (INFO commandstats' evalsha usec): what the fence's GET and compare
  // add, without the client's and the loaded machine's noise.
  for (const bool fenced : {false, true}) {
    raw_command(redis, "CONFIG RESETSTAT");
    for (int k = 0; k < samples; ++k) timed_commit(static_cast<std::size_t>(k) % n, fenced);
    const double per_call = command_usec(raw_command(redis, "INFO commandstats"), "evalsha") / samples;
    (fenced ? f.server_script_fenced_us : f.server_script_us) = per_call;
  }
  f.ping_p50 = percentiles(ping_us).p50;
  return f;
}

struct WorldFigures {
  int campaigns = 0, settlements = 0, structures = 0;
  std::uint64_t firings = 0, records = 0;
  std::size_t bytes_min = 0, bytes_p50 = 0, bytes_max = 0, bytes_total = 0;
  std::size_t writes_min = 0, writes_p50 = 0, writes_max = 0, writes_total = 0;
  std::size_t outbox_bytes_total = 0;
  Stat advance, simulate, order, engine, coalesce, build, dump, free_tree, encode, write_json, write_text;
  std::vector<CommitFigures> commits;
};

template <class T>
void min_med_max(std::vector<T> v, T& lo, T& mid, T& hi) {
  std::sort(v.begin(), v.end());
  lo = v.front();
  mid = v[(v.size() - 1) / 2];
  hi = v.back();
}

WorldFigures run_world(int campaigns, int settlements, int structures, int samples, int commits) {
  WorldFigures f;
  f.campaigns = campaigns;
  f.settlements = settlements;
  f.structures = structures;
  ServiceWorldShape shape;
  shape.campaigns = campaigns;
  shape.settlements = settlements;
  shape.structures_per_settlement = structures;
  const std::vector<sim::CampaignSeed> world = make_service_world(shape);
  const sim::Rules& rules = sim::Rules::defaults();
  const std::size_t n = world.size();
  // Service mode's input: the message count and the Redis Stream entry id.
  const messages::CheckpointInput input{1, "1764547200000-0"};

  std::vector<Campaign> loaded, after(n);
  std::vector<std::string> ids, texts(n);
  std::vector<sim::CampaignSnapshot> snaps(n);
  std::vector<std::vector<io::EntityWrite>> outboxes(n);
  for (const auto& seed : world) {
    loaded.push_back(load(seed, rules));
    ids.push_back(seed.id);
  }
  for (std::size_t i = 0; i < n; ++i) {
    after[i] = loaded[i];
    Advanced a = advance(after[i], rules, loaded[i].clock + kDay);
    f.firings += a.firings;
    f.records += a.records.records;
    outboxes[i] = outbox_of(loaded[i], after[i], std::move(a.records.changes));
    snaps[i] = snapshot(after[i]);
    texts[i] = messages::checkpoint_json(snaps[i], input).dump();
  }
  check_against_engine(world, texts, input, f.records);

  std::vector<std::size_t> bytes, writes;
  for (std::size_t i = 0; i < n; ++i) {
    bytes.push_back(texts[i].size());
    writes.push_back(outboxes[i].size());
    for (const auto& w : outboxes[i]) f.outbox_bytes_total += io::write_to_json(ids[i], w).dump().size();
  }
  min_med_max(bytes, f.bytes_min, f.bytes_p50, f.bytes_max);
  min_med_max(writes, f.writes_min, f.writes_p50, f.writes_max);
  f.bytes_total = std::accumulate(bytes.begin(), bytes.end(), std::size_t{0});
  f.writes_total = std::accumulate(writes.begin(), writes.end(), std::size_t{0});

  // The advance, one campaign at a time from a fresh copy of its loaded
  // state (the copy is not timed); the coalescing of its records apart.
  std::vector<double> advance_us, simulate_us, order_us, coalesce_us;
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 20); ++i) {  // warm-up
    Campaign c = loaded[i];
    advance(c, rules, loaded[i].clock + kDay);
  }
  for (int k = 0; k < samples; ++k) {
    const std::size_t i = static_cast<std::size_t>(k) % n;
    Campaign c = loaded[i];
    const auto t0 = Clock::now();
    Advanced a = advance(c, rules, loaded[i].clock + kDay);
    const auto t1 = Clock::now();
    std::vector<io::EntityWrite> w = io::coalesce(c.id, std::move(a.records.changes));
    const auto t2 = Clock::now();
    advance_us.push_back(us_since(t0, t1));
    simulate_us.push_back(us_since(t0, a.simulated));
    order_us.push_back(us_since(a.simulated, t1));
    coalesce_us.push_back(us_since(t1, t2));
  }
  f.advance = stat(advance_us);
  f.simulate = stat(simulate_us);
  f.order = stat(order_us);
  f.coalesce = stat(coalesce_us);

  const int rounds = std::max<int>(2, static_cast<int>((static_cast<std::size_t>(samples) + n) / n));
  f.engine = stat(engine_advance_us(world, rounds));

  // Encoding: build the json tree, dump it, free it.
  std::vector<double> build_us, dump_us, free_us, encode_us, write_json_us, write_text_us;
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 20); ++i) messages::checkpoint_json(snaps[i], input).dump();
  for (int k = 0; k < samples; ++k) {
    const std::size_t i = static_cast<std::size_t>(k) % n;
    const auto t0 = Clock::now();
    std::string text;
    {
      auto tree = std::make_unique<messages::json>(messages::checkpoint_json(snaps[i], input));
      const auto t1 = Clock::now();
      text = tree->dump();
      const auto t2 = Clock::now();
      tree.reset();
      const auto t3 = Clock::now();
      build_us.push_back(us_since(t0, t1));
      dump_us.push_back(us_since(t1, t2));
      free_us.push_back(us_since(t2, t3));
      encode_us.push_back(us_since(t0, t3));
    }
    if (text.size() != texts[i].size()) throw std::runtime_error("checkpoint bench: encoding is not deterministic");
    // Inside commit: each outbox write becomes its JSON text (write_to_json + dump).
    const auto w0 = Clock::now();
    std::size_t sink = 0;
    for (const auto& w : outboxes[i]) sink += io::write_to_json(ids[i], w).dump().size();
    write_json_us.push_back(us_since(w0, Clock::now()));
    if (sink == 0 && !outboxes[i].empty()) throw std::runtime_error("checkpoint bench: empty write text");
    // What commit does since: write_to_text (the same bytes, without the tree).
    const auto x0 = Clock::now();
    std::size_t text_sink = 0;
    for (const auto& w : outboxes[i]) text_sink += io::write_to_text(ids[i], w).size();
    write_text_us.push_back(us_since(x0, Clock::now()));
    if (text_sink != sink) throw std::runtime_error("checkpoint bench: write_to_text differs from write_to_json");
  }
  f.build = stat(build_us);
  f.dump = stat(dump_us);
  f.free_tree = stat(free_us);
  f.encode = stat(encode_us);
  f.write_json = stat(write_json_us);
  f.write_text = stat(write_text_us);

  f.commits.push_back(measure_commits("appendonly no", {"--appendonly", "no"}, ids, texts, outboxes, commits));
  f.commits.push_back(measure_commits("appendonly yes, appendfsync always",
                                      {"--appendonly", "yes", "--appendfsync", "always"}, ids, texts, outboxes,
                                      commits));
  return f;
}

void print_world(const WorldFigures& f, int samples, int commits) {
  std::printf("\ncheckpoint: %d campaigns x %d settlements x %d structures, one day advanced\n", f.campaigns,
              f.settlements, f.structures);
  std::printf("  advance       %llu firings, %llu records in all; state checked equal to the engine's (run_replay)\n",
              (unsigned long long)f.firings, (unsigned long long)f.records);
  std::printf("  checkpoint    %zu / %zu / %zu bytes per campaign (min / median / max), %zu bytes in all\n",
              f.bytes_min, f.bytes_p50, f.bytes_max, f.bytes_total);
  std::printf("  outbox        %zu / %zu / %zu coalesced writes per campaign (min / median / max), %zu in all (%zu bytes)\n",
              f.writes_min, f.writes_p50, f.writes_max, f.writes_total, f.outbox_bytes_total);
  std::printf("  per campaign, µs (%d samples each, %d for commits; campaigns round-robin)\n", samples, commits);
  std::printf("    %-52s %10s %10s\n", "", "median", "p99");
  auto row = [](const char* what, const Stat& s) { std::printf("    %-52s %10.1f %10.1f\n", what, s.p50, s.p99); };
  row("advance (sim layer, one step of one day)", f.advance);
  row("  households: firings, records text + changes", f.simulate);
  row("  canonical ordering (radix sort)", f.order);
  row("advance through the engine (actors, 1 worker)", f.engine);
  row("coalescing its records (gateway; not counted)", f.coalesce);
  row("encode: checkpoint_json + dump + free", f.encode);
  row("  checkpoint_json (building the json tree)", f.build);
  row("  dump", f.dump);
  row("  freeing the tree", f.free_tree);
  for (const auto& c : f.commits) {
    const std::string label = "commit, " + c.config;
    row(label.c_str(), c.commit);
    char fenced[96];
    std::snprintf(fenced, sizeof fenced, "  with the fence token checked (median %+.1f µs)",
                  c.commit_fenced.p50 - c.commit.p50);
    row(fenced, c.commit_fenced);
  }
  row("  outbox write_to_json + dump (client; before)", f.write_json);
  row("  of which outbox write_to_text (client; commit's)", f.write_text);
  for (const auto& c : f.commits)
    std::printf("    (%s: PING round trip %.1f µs median; redis' own time per commit: SET %.1f µs, XADDs %.1f µs;\n"
                "     redis says: %s)\n",
                c.config.c_str(), c.ping_p50, c.server_set_us, c.server_xadd_us, c.persistence.c_str());
  for (const auto& c : f.commits)
    std::printf("    (%s: redis' own time per commit script %.1f µs, with the fence token checked %.1f µs)\n",
                c.config.c_str(), c.server_script_us, c.server_script_fenced_us);
  std::printf("  ratio checkpoint (encode + commit) / advance, medians (target < 0.20)\n");
  for (const auto& c : f.commits) {
    const double ratio = (f.encode.p50 + c.commit.p50) / f.advance.p50;
    const double vs_sim = (f.encode.p50 + c.commit.p50) / f.simulate.p50;
    std::printf("    %-40s %.2f  %s   (%.2f against the households alone)\n", c.config.c_str(), ratio,
                ratio < 0.2 ? "met" : "NOT met", vs_sim);
  }
  std::printf("    %-40s %.2f\n", "encode alone", f.encode.p50 / f.advance.p50);
  std::printf("  the same against the advance through the engine (actors)\n");
  for (const auto& c : f.commits) {
    const double ratio = (f.encode.p50 + c.commit.p50) / f.engine.p50;
    std::printf("    %-40s %.2f  %s\n", c.config.c_str(), ratio, ratio < 0.2 ? "met" : "NOT met");
  }
}

}  // namespace

int run_checkpoint(const CheckpointArgs& a) {
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::vector<std::pair<int, int>> worlds;
  if (a.campaigns > 0 || a.settlements > 0)
    worlds.emplace_back(a.campaigns > 0 ? a.campaigns : 20, a.settlements > 0 ? a.settlements : 5);
  else
    worlds = {{20, 5}, {1000, 10}};  // the two worlds
  for (const auto& [campaigns, settlements] : worlds) {
    const WorldFigures f = run_world(campaigns, settlements, a.structures, a.samples, a.commits);
    print_world(f, a.samples, a.commits);
  }
  return 0;
}

}  // namespace hourglass::bench
