#include "tests/service/support/instance_drill.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench/percentiles.hpp"
#include "io/partition_lease.hpp"
#include "io/partitions.hpp"
#include "io/redis_connection.hpp"
#include "sim/time.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"
#include "tests/service/support/story_replay.hpp"

namespace hourglass::service::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kToken = "drill-token";
constexpr std::uint32_t kPartitions = 64;  // HOURGLASS_PARTITIONS' default
constexpr sim::WorldTime kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr sim::WorldTime kHour = 3'600'000;
constexpr sim::WorldTime kDay = 24 * kHour;

std::string iso(sim::WorldTime t) { return sim::format_world_time(t); }
double ms_since(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

// ---- the story ----

// One step of a campaign's story: the message, and how its commit shows in
// the campaign's checkpoint.
struct Step {
  enum class Kind { Advance, Edit, Effect, Event } kind = Kind::Advance;
  std::string channel;
  json payload;
  sim::WorldTime new_time = 0;  // Advance
  std::string entity_id;        // Edit (a settlement), Effect, Event
  std::int64_t population = 0;  // Edit
};

struct CampaignRun {
  std::string id;
  std::mt19937_64 rng;
  sim::WorldTime clock = kT0;  // the story's, after its last step
  std::vector<std::string> settlements;
  int created = 0;  // effects and events created, for their ids
  std::optional<Step> pending;
  bool published = false;
  Clock::time_point first_published, last_published, ready_at;
  bool last_was_advance = false;
  bool finished = false;
  std::string checkpoint;  // the last text read
};

std::uint64_t pick(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return lo + rng() % (hi - lo + 1);
}

// A campaign at the story's start, in scenario layout: settlements with
// structures, and events scheduled over the first months.
json initial_campaign(CampaignRun& c) {
  json settlements = json::array(), structures = json::array(), events = json::array();
  const char* types[] = {"farm", "mine", "temple"};
  for (int s = 1; s <= 2; ++s) {
    const std::string sid = c.id + "-s" + std::to_string(s);
    c.settlements.push_back(sid);
    settlements.push_back({{"id", sid},
                           {"name", sid},
                           {"level", pick(c.rng, 1, 3)},
                           {"population", pick(c.rng, 400, 1500)},
                           {"resources", {{"food", pick(c.rng, 20, 90)}, {"gold", pick(c.rng, 5, 40)}}},
                           {"createdAt", iso(kT0 - 30 * kDay)}});
    for (int k = 1; k <= 2; ++k)
      structures.push_back({{"id", sid + "-st" + std::to_string(k)},
                            {"settlementId", sid},
                            {"type", types[pick(c.rng, 0, 2)]},
                            {"level", pick(c.rng, 1, 2)},
                            {"status", "ACTIVE"},
                            {"condition", pick(c.rng, 50, 100)},
                            {"createdAt", iso(kT0 - 20 * kDay)}});
  }
  for (int e = 1; e <= 3; ++e)
    events.push_back({{"id", c.id + "-e" + std::to_string(e)},
                      {"scheduledAt", iso(kT0 + static_cast<sim::WorldTime>(pick(c.rng, 5, 120)) * kDay +
                                          static_cast<sim::WorldTime>(pick(c.rng, 0, 23)) * kHour)},
                      {"isCompleted", false}});
  return {{"id", c.id},
          {"currentWorldTime", iso(kT0)},
          {"settlements", settlements},
          {"structures", structures},
          {"events", events},
          {"deferredEffects", json::array()}};
}

Step modified(const CampaignRun& c, Step::Kind kind, const std::string& type, const std::string& operation,
              const json& entity) {
  Step s;
  s.kind = kind;
  s.entity_id = entity.at("id").get<std::string>();
  s.channel = "campaign." + c.id + ".entityModified";
  s.payload = {{"campaignId", c.id}, {"entityType", type}, {"entityId", s.entity_id}, {"operation", operation},
               {"entity", entity}};
  return s;
}

// The campaign's next step, drawn from its own RNG: advances mostly (6 hours
// to 3 days), settlement edits, deferred effects and events a little ahead.
Step next_step(CampaignRun& c, bool advance_only) {
  const std::uint64_t roll = advance_only ? 0 : pick(c.rng, 0, 99);
  if (roll < 60) {
    Step s;
    s.kind = Step::Kind::Advance;
    s.new_time = c.clock + static_cast<sim::WorldTime>(pick(c.rng, 6, 72)) * kHour +
                 static_cast<sim::WorldTime>(pick(c.rng, 0, 3'599'999));
    s.channel = "campaign." + c.id + ".worldTimeAdvanced";
    s.payload = {{"campaignId", c.id}, {"previousTime", iso(c.clock)}, {"newTime", iso(s.new_time)}};
    return s;
  }
  if (roll < 75) {
    const std::string& sid = c.settlements[pick(c.rng, 0, c.settlements.size() - 1)];
    Step s = modified(c, Step::Kind::Edit, "Settlement", "UPDATE",
                      {{"id", sid}, {"population", pick(c.rng, 300, 3000)}});
    s.population = s.payload["entity"]["population"].get<std::int64_t>();
    return s;
  }
  const std::string n = std::to_string(++c.created);
  const sim::WorldTime ahead = c.clock + static_cast<sim::WorldTime>(pick(c.rng, 1, 96)) * kHour;
  if (roll < 90)
    return modified(c, Step::Kind::Effect, "Effect", "CREATE", {{"id", c.id + "-fx" + n}, {"executeAt", iso(ahead)}});
  return modified(c, Step::Kind::Event, "Event", "CREATE",
                  {{"id", c.id + "-ev" + n}, {"scheduledAt", iso(ahead)}, {"isCompleted", false}});
}

bool lists_id(const json& campaign, const char* list, const std::string& id) {
  if (!campaign.contains(list) || !campaign[list].is_array()) return false;
  for (const json& e : campaign[list])
    if (e.value("id", "") == id) return true;
  return false;
}

// The step is in the checkpoint: committed.
bool committed(const Step& s, const std::string& checkpoint) {
  if (checkpoint.empty()) return false;
  const json doc = json::parse(checkpoint, nullptr, false);
  if (!doc.is_object() || !doc.contains("campaign")) return false;
  const json& c = doc["campaign"];
  switch (s.kind) {
    case Step::Kind::Advance:
      return sim::parse_world_time(c.value("currentWorldTime", "")) == s.new_time;
    case Step::Kind::Edit:
      for (const json& st : c.value("settlements", json::array()))
        if (st.value("id", "") == s.entity_id) return st.value("population", std::int64_t{-1}) == s.population;
      return false;
    case Step::Kind::Effect: return lists_id(c, "deferredEffects", s.entity_id);
    case Step::Kind::Event: return lists_id(c, "events", s.entity_id);
  }
  return false;
}

// ---- the instances ----

struct Slot {
  enum class State { Running, Frozen, Stopping, Down };
  int index = 0;
  std::string host;
  std::unique_ptr<ServeProcess> process;
  std::string log_path;
  std::uintmax_t log_offset = 0;  // where this life's lines begin
  State state = State::Down;
  Clock::time_point due;  // Frozen: SIGCONT; Down: start again
  bool restart = false;   // Down: start again at `due`
  Clock::time_point started;
  std::vector<std::string> frozen_campaigns;  // Frozen: those it owned when stopped
};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A kill or a stop of an owner, until another instance has its campaigns.
struct Failover {
  Clock::time_point at;
  std::string prefix;  // the faulted life's instance-id prefix
  std::vector<std::string> campaigns;
  std::map<std::string, std::string> fence, checkpoint;  // at the fault
  bool taken = false, committed = false;
};

// A SIGTERM, until every partition it held is released.
struct Handoff {
  Clock::time_point at;
  std::string prefix;
  std::set<std::uint32_t> held;
};

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

std::string read_from(const std::string& path, std::uintmax_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

bool unshare_works() { return std::system("unshare --uts true >/dev/null 2>&1") == 0; }

std::string this_hostname() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "unknown-host";
  return host;
}

class Drill {
 public:
  explicit Drill(const InstanceDrillOptions& o) : options_(o), rng_(o.seed) { result_.seed = o.seed; }

  InstanceDrillResult run() {
    fs::create_directories(options_.work_dir);
    result_.distinct_hosts = unshare_works();
    make_story();
    seed_fake_from(api_, story_);
    api_.keep_history(false);
    api_.start();
    for (int i = 0; i < options_.instances; ++i) start(add_slot());
    if (!wait_ready()) return finish();
    drive();
    if (result_.failure.empty()) settle();
    if (result_.failure.empty()) compare();
    return finish();
  }

 private:
  // ---- set-up ----
  void make_story() {
    json campaigns = json::array();
    for (int i = 0; i < options_.campaigns; ++i) {
      CampaignRun c;
      c.id = "d" + std::to_string(i);
      c.rng.seed(options_.seed * 1'000'003 + static_cast<std::uint64_t>(i));
      campaigns.push_back(initial_campaign(c));
      runs_.push_back(std::move(c));
    }
    story_ = {{"campaigns", campaigns}, {"messages", json::array()}};
  }

  Slot& add_slot() {
    auto slot = std::make_unique<Slot>();
    slot->index = static_cast<int>(slots_.size());
    slot->host = result_.distinct_hosts ? "drill-" + std::to_string(slot->index) : this_hostname();
    slot->log_path = (fs::path(options_.work_dir) / ("instance-" + std::to_string(slot->index) + ".log")).string();
    std::string binary = options_.hourglass;
    if (result_.distinct_hosts) {  // its own hostname, in a UTS namespace; the same pid (exec all the way)
      binary = (fs::path(options_.work_dir) / ("instance-" + std::to_string(slot->index) + ".sh")).string();
      std::ofstream(binary) << "#!/bin/sh\nexec unshare --uts /bin/sh -c 'hostname \"$0\" && exec \"$1\" serve' "
                            << slot->host << " '" << options_.hourglass << "'\n";
      fs::permissions(binary, fs::perms::owner_all);
    }
    const std::map<std::string, std::string> env{{"REDIS_URL", redis_.url()},
                                                 {"API_URL", api_.url()},
                                                 {"API_TOKEN", kToken},
                                                 {"PORT", std::to_string(RedisServer::free_port())},
                                                 {"HOURGLASS_INPUT", "channels"},
                                                 {"HOURGLASS_LEASE_TTL_MS", std::to_string(options_.lease_ttl.count())},
                                                 {"HOURGLASS_RESTART_LIMIT", "100"},
                                                 {"LOG_LEVEL", "info"},
                                                 {"LOG_FORMAT", "text"}};
    slot->process = std::make_unique<ServeProcess>(binary, env, slot->log_path);
    slots_.push_back(std::move(slot));
    return *slots_.back();
  }

  void start(Slot& s) {
    s.log_offset = file_size(s.log_path);
    s.process->start();
    s.state = Slot::State::Running;
    s.restart = false;
    s.started = Clock::now();
  }

  // This life is subscribed (it hears the input).
  bool subscribed(const Slot& s) const {
    return read_from(s.log_path, s.log_offset).find("redis: subscribed") != std::string::npos;
  }
  std::string prefix(const Slot& s) const { return s.host + "-" + std::to_string(s.process->pid()) + "-"; }

  bool wait_ready() {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (;;) {
      bool all = true;
      for (auto& s : slots_) all = all && subscribed(*s);
      if (all) return true;
      if (Clock::now() > deadline) {
        fail("the instances did not subscribe within 30 s");
        return false;
      }
      std::this_thread::sleep_for(milliseconds(20));  // polling the instances' logs with a deadline
    }
  }

  // ---- Redis ----
  io::RedisConnection& redis() {
    if (!redis_conn_ || redis_conn_->broken())
      redis_conn_.emplace(io::RedisConnection::connect(redis_.endpoint(), milliseconds(2000)));
    return *redis_conn_;
  }
  std::string lease_owner(std::uint32_t partition) {
    return redis().hget(io::partition_lease_key(partition), "owner").value_or("");
  }
  std::string campaign_owner(const std::string& cid) { return lease_owner(io::partition_of(cid, kPartitions)); }
  std::string fence(const std::string& cid) { return redis().get("hourglass:{" + cid + "}:fence").value_or(""); }

  // Every campaign's checkpoint, in one round trip.
  void read_checkpoints() {
    std::vector<std::vector<std::string>> gets;
    for (const auto& c : runs_) gets.push_back({"GET", "hourglass:{" + c.id + "}:checkpoint"});
    const auto replies = redis().exec_transaction(gets);
    for (std::size_t i = 0; i < runs_.size() && i < replies.size(); ++i)
      runs_[i].checkpoint = replies[i].type == io::RedisReply::Type::String ? replies[i].text : std::string();
  }

  // ---- the story told ----
  void publish(CampaignRun& c) {
    const Step& s = *c.pending;
    redis().publish(s.channel, s.payload.dump());
    c.last_published = Clock::now();
  }

  void begin_step(CampaignRun& c, bool advance_only) {
    c.pending = next_step(c, advance_only);
    c.published = false;
  }

  // Published once the API holds what the step announces (a settlement edit
  // once the campaign's outbox is empty).
  void try_publish(CampaignRun& c) {
    Step& s = *c.pending;
    if (s.kind == Step::Kind::Edit && redis().xlen("hourglass:{" + c.id + "}:outbox") > 0) return;
    if (s.kind == Step::Kind::Advance) {
      api_.set_world_time(c.id, s.new_time);  // as the API: its clock moves, then it announces
    } else {
      const json& p = s.payload;
      api_.apply_entity_change(c.id, p["entityType"], p["operation"], p["entity"]);
    }
    story_["messages"].push_back({{"channel", s.channel}, {"payload", s.payload}});
    if (s.kind == Step::Kind::Effect) effects_.insert(s.entity_id);
    c.published = true;
    c.first_published = Clock::now();
    publish(c);
  }

  void step_done(CampaignRun& c, bool in_run) {
    const Step& s = *c.pending;
    ++result_.steps;
    if (s.kind == Step::Kind::Advance) {
      c.clock = s.new_time;
      ++result_.advances;
      if (in_run) ++result_.advances_in_run;
    }
    if (s.kind == Step::Kind::Edit) ++result_.edits;
    c.last_was_advance = s.kind == Step::Kind::Advance;
    c.pending.reset();
    c.ready_at = Clock::now() + options_.step_gap;
  }

  // One pass over the campaigns: commits seen, next steps, republishing.
  void tend_campaigns(bool in_run) {
    read_checkpoints();
    const auto now = Clock::now();
    for (CampaignRun& c : runs_) {
      if (c.pending && c.published && committed(*c.pending, c.checkpoint)) step_done(c, in_run);
      if (!c.pending && !c.finished && now >= c.ready_at) {
        if (!in_run && c.last_was_advance) {
          c.finished = true;  // the wind-down: each campaign ends on an advance
          continue;
        }
        begin_step(c, !in_run);
      }
      if (c.pending && !c.published) try_publish(c);
      if (!c.pending || !c.published) continue;
      if (now - c.last_published >= options_.republish_after) {
        publish(c);
        ++result_.republished;
      }
      if (now - c.first_published > options_.step_timeout && result_.failure.empty())
        fail("campaign " + c.id + ": a step (" + c.pending->channel + " " + c.pending->payload.dump() +
             ") not committed within " + std::to_string(options_.step_timeout.count()) + " s");
    }
  }

  // ---- faults ----
  std::vector<Slot*> up() {
    std::vector<Slot*> out;
    for (auto& s : slots_)
      if (s->state == Slot::State::Running && subscribed(*s)) out.push_back(s.get());
    return out;
  }
  int live() const {
    int n = 0;
    for (const auto& s : slots_) n += s->state != Slot::State::Down || s->restart ? 1 : 0;
    return n;
  }

  void fault() {
    enum Kind { Kill, Stop, Term, Join };
    Kind kind = static_cast<Kind>(rng_() % 4);
    auto candidates = up();
    const bool can_join = live() < options_.instances + 1;
    if (kind != Join && candidates.size() < 2) {
      if (!can_join) return;  // no one to spare, no room: this round passes
      kind = Join;
    }
    if (kind == Join && !can_join) kind = static_cast<Kind>(rng_() % 3);
    if (kind != Join && candidates.size() < 2) return;
    if (kind == Join) {
      Slot& s = add_slot();
      start(s);
      note("joined", s);
      ++result_.joins;
      return;
    }
    Slot& s = *candidates[rng_() % candidates.size()];
    const auto now = Clock::now();
    const auto ttl = options_.lease_ttl;
    note(kind == Kill ? "kill -9" : kind == Stop ? "SIGSTOP" : "SIGTERM", s);
    if (kind == Term) {
      Handoff h{now, prefix(s), {}};
      for (std::uint32_t p = 0; p < kPartitions; ++p)
        if (lease_owner(p).rfind(h.prefix, 0) == 0) h.held.insert(p);
      s.process->signal(SIGTERM);
      s.state = Slot::State::Stopping;
      ++result_.terms;
      handoffs_.push_back(std::move(h));
      return;
    }
    Failover f{now, prefix(s), {}, {}, {}};
    for (const auto& c : runs_)
      if (campaign_owner(c.id).rfind(f.prefix, 0) == 0) {
        f.campaigns.push_back(c.id);
        f.fence[c.id] = fence(c.id);
        f.checkpoint[c.id] = c.checkpoint;
      }
    if (kind == Kill) {
      s.process->kill_now();
      s.state = Slot::State::Down;
      s.restart = true;
      s.due = now + ttl + milliseconds(rng_() % static_cast<std::uint64_t>(ttl.count() + 2000));
      ++result_.kills;
    } else {
      s.process->signal(SIGSTOP);
      s.state = Slot::State::Frozen;
      s.due = now + ttl + milliseconds(500 + rng_() % 1000);
      s.frozen_campaigns = f.campaigns;
      ++result_.stops;
    }
    if (!f.campaigns.empty()) failovers_.push_back(std::move(f));
  }

  // Frozen ones woken, stopped ones reaped and started again, killed ones
  // started again, when their time comes (at once when `now_all`).
  void tend_slots(bool now_all) {
    const auto now = Clock::now();
    for (auto& sp : slots_) {
      Slot& s = *sp;
      if (s.state == Slot::State::Frozen && (now_all || now >= s.due)) {
        s.process->signal(SIGCONT);
        s.state = Slot::State::Running;
        for (const std::string& cid : s.frozen_campaigns) woken_.emplace_back(cid, wall_ms());
        s.frozen_campaigns.clear();
        note("SIGCONT", s);
      }
      if (s.state == Slot::State::Stopping) {
        const auto code = s.process->wait_exit(milliseconds(0));  // nullopt while it hands over and drains
        if (!code) continue;
        if (*code != 0) ++result_.term_exits_not_zero;
        s.state = Slot::State::Down;
        s.restart = true;
        s.due = now + milliseconds(500 + rng_() % 1500);
      }
      if (s.state == Slot::State::Running && !s.process->running()) {  // died on its own: a finding
        s.state = Slot::State::Down;
        s.restart = true;
        s.due = now;
        ++unexpected_exits_;
      }
      if (s.state == Slot::State::Down && s.restart && (now_all || now >= s.due)) {
        start(s);
        note("started again", s);
      }
    }
  }

  void tend_measurements() {
    const auto now = Clock::now();
    for (auto it = failovers_.begin(); it != failovers_.end();) {
      Failover& f = *it;
      for (const std::string& cid : f.campaigns) {
        if (!f.taken) {
          const std::string owner = campaign_owner(cid);
          if (!owner.empty() && owner.rfind(f.prefix, 0) != 0) {
            f.taken = true;
            result_.takeover_ms.push_back(ms_since(f.at, now));
          }
        }
        if (!f.committed) {
          const auto& c = *std::find_if(runs_.begin(), runs_.end(), [&](const CampaignRun& r) { return r.id == cid; });
          if (c.checkpoint != f.checkpoint[cid] && fence(cid) != f.fence[cid]) {
            f.committed = true;
            result_.first_commit_ms.push_back(ms_since(f.at, now));
          }
        }
      }
      const bool expired = now - f.at > std::chrono::seconds(60);
      if (expired && !(f.taken && f.committed)) ++result_.failovers_unmeasured;
      it = (f.taken && f.committed) || expired ? failovers_.erase(it) : it + 1;
    }
    for (auto it = handoffs_.begin(); it != handoffs_.end();) {
      Handoff& h = *it;
      for (auto p = h.held.begin(); p != h.held.end();) {
        if (lease_owner(*p).rfind(h.prefix, 0) == 0) {
          ++p;
          continue;
        }
        result_.partition_handoff_ms.push_back(ms_since(h.at, now));
        p = h.held.erase(p);
      }
      const bool expired = now - h.at > std::chrono::seconds(120);
      if (h.held.empty()) result_.handoff_ms.push_back(ms_since(h.at, now));
      it = h.held.empty() || expired ? handoffs_.erase(it) : it + 1;
    }
  }

  // ---- the phases ----
  void drive() {
    const auto start = Clock::now();
    const auto end = start + options_.duration;
    const std::size_t writes_before = api_.writes_applied();
    auto next_fault = start + jittered_fault_gap();
    while (Clock::now() < end && result_.failure.empty()) {
      if (options_.fault_every.count() > 0 && Clock::now() >= next_fault) {
        fault();
        next_fault = Clock::now() + jittered_fault_gap();
      }
      tend_slots(false);
      tend_campaigns(true);
      tend_measurements();
      std::this_thread::sleep_for(milliseconds(5));  // the drill's pace: polling Redis and the processes
    }
    result_.run_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result_.writes_in_run = api_.writes_applied() - writes_before;
  }

  milliseconds jittered_fault_gap() {
    const auto every = options_.fault_every.count();
    return every <= 0 ? milliseconds(0) : milliseconds(every / 2 + static_cast<long>(rng_() % static_cast<std::uint64_t>(every)));
  }

  // No more faults: every instance back, each campaign ends on an advance,
  // every outbox empty.
  void settle() {
    const auto start = Clock::now();
    const auto deadline = start + options_.settle_timeout;
    tend_slots(true);
    for (;;) {
      tend_slots(true);
      tend_campaigns(false);
      tend_measurements();
      if (!result_.failure.empty()) return;
      const bool done = std::all_of(runs_.begin(), runs_.end(), [](const CampaignRun& c) { return c.finished; }) &&
                        outboxes_empty();
      if (done) break;
      if (Clock::now() > deadline) {
        std::string waiting;
        for (const auto& c : runs_)
          if (!c.finished) waiting += " " + c.id;
        fail("not settled within " + std::to_string(options_.settle_timeout.count()) +
             " s of the last fault (campaigns still stepping:" + (waiting.empty() ? " none; outboxes not empty" : waiting) + ")");
        return;
      }
      std::this_thread::sleep_for(milliseconds(5));  // polling Redis and the processes with a deadline
    }
    // Measurements still open (a failover whose campaigns had no step to commit).
    const auto measure_deadline = Clock::now() + std::chrono::seconds(10);
    while ((!failovers_.empty() || !handoffs_.empty()) && Clock::now() < measure_deadline) {
      tend_measurements();
      std::this_thread::sleep_for(milliseconds(5));  // polling Redis with a deadline
    }
    result_.failovers_unmeasured += static_cast<int>(failovers_.size());
    result_.settle_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }

  bool outboxes_empty() {
    for (const auto& c : runs_)
      if (redis().xlen("hourglass:{" + c.id + "}:outbox") > 0) return false;
    return true;
  }

  void compare() {
    const ReplayExpectation expected = replay_story(story_, options_.work_dir);
    ReplayDifferences d = compare_with_replay(api_, expected, effects_);
    result_.entities_checked = d.entities_checked;
    result_.effects_checked = d.effects_checked;
    result_.lost = std::move(d.lost);
    result_.doubled = std::move(d.doubled);
    for (const auto& e : redis().xrange("hourglass:gateway:deadletter"))
      for (const auto& [k, v] : e.fields)
        if (k == "write") result_.lost.push_back("dead-lettered write: " + v);
    for (const std::string& d : result_.doubled)
      if (after_wake(d)) result_.doubled_after_wake.push_back(d);
    for (const json& c : story_["campaigns"])
      for (const json& e : c["events"]) count_expiries(e["id"]);
    for (const json& m : story_["messages"])
      if (m["payload"].value("entityType", "") == "Event") count_expiries(m["payload"]["entityId"]);
  }
  // A doubled effect (its execution, or its write) whose last execution came
  // within a second of the SIGCONT of an instance that owned its campaign
  // when it was stopped: the woken instance's gateway finishing a call the
  // new owner had made already (docs/operations.md, Known limits).
  bool after_wake(const std::string& doubled) {
    const auto fx_at = doubled.find("-fx");
    const auto start = doubled.rfind(' ', fx_at) + 1;
    const auto colon = doubled.rfind(':', fx_at);
    if (fx_at == std::string::npos) return false;
    const auto id_start = colon != std::string::npos && colon > start ? colon + 1 : start;
    const std::string fx = doubled.substr(id_start, doubled.find_first_of(" :", fx_at) - id_start);
    const std::string cid = fx.substr(0, fx.find("-fx"));
    const json log = api_.effect_execution_log(fx);
    if (log.size() < 2) return false;
    const auto last = sim::parse_world_time(log.back().value("executedAt", ""));
    if (!last) return false;
    for (const auto& [campaign, at] : woken_)
      if (campaign == cid && *last >= at && *last - at <= 1000) return true;
    return false;
  }

  void count_expiries(const json& id) {
    ++result_.events_checked;
    const int calls = api_.event_expiry_calls(id.get<std::string>());
    if (calls > 1) result_.expiries_resent += static_cast<std::size_t>(calls - 1);
  }

  // The faults' timeline, in the instances' log time (UTC wall clock), to
  // set beside their logs: <work_dir>/faults.log.
  void note(const char* what, const Slot& s) {
    if (!faults_log_.is_open()) faults_log_.open(fs::path(options_.work_dir) / "faults.log", std::ios::app);
    faults_log_ << sim::format_world_time(wall_ms()) << " " << what << " instance " << s.index << " (pid " << s.process->pid()
                << ")" << std::endl;
  }

  void fail(const std::string& why) {
    std::string logs;
    for (const auto& s : slots_)
      logs += "\n--- instance " + std::to_string(s->index) + " (" + s->log_path + "), its log ends:\n" +
              s->process->log_tail(3000);
    result_.failure = why + logs;
  }

  InstanceDrillResult finish() {
    for (auto& s : slots_) {
      if (s->state == Slot::State::Frozen) s->process->signal(SIGCONT);
      s->process->kill_and_wait();
      result_.fenced_refusals += count_of(read_from(s->log_path, 0), "another instance owns it now");
    }
    result_.writes_applied = api_.writes_applied();
    api_.stop();
    if (unexpected_exits_ > 0 && result_.failure.empty())
      result_.failure = std::to_string(unexpected_exits_) + " instance(s) exited on their own; logs in " + options_.work_dir;
    return result_;
  }

  const InstanceDrillOptions options_;
  std::mt19937_64 rng_;  // the faults' (each campaign has its own for its story)
  RedisServer redis_;
  FakeCampaignApi api_{kToken};
  std::optional<io::RedisConnection> redis_conn_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<CampaignRun> runs_;
  json story_;
  std::set<std::string> effects_;
  std::vector<Failover> failovers_;
  std::vector<Handoff> handoffs_;
  int unexpected_exits_ = 0;
  std::vector<std::pair<std::string, std::int64_t>> woken_;  // a campaign's frozen owner woken, wall ms
  std::ofstream faults_log_;
  InstanceDrillResult result_;
};

std::string times(const std::vector<double>& v) {
  const auto p = bench::percentiles(v);
  char line[160];
  std::snprintf(line, sizeof line, "n=%zu p50 %.0f ms, p99 %.0f ms, max %.0f ms", p.count, p.p50, p.p99, p.max);
  return line;
}

}  // namespace

InstanceDrillResult run_instance_drill(const InstanceDrillOptions& options) {
  try {
    return Drill(options).run();
  } catch (const std::exception& e) {
    InstanceDrillResult r;
    r.seed = options.seed;
    r.failure = std::string("instance drill: ") + e.what();
    return r;
  }
}

std::string describe(const InstanceDrillResult& r) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line,
                "seed %llu, hosts %s\n"
                "faults: %d kill -9, %d SIGSTOP past the ttl, %d SIGTERM and restart, %d joined\n"
                "steps committed: %zu (%zu advances, %zu settlement edits), republished %zu; %zu writes applied\n"
                "run %.1f s: %.1f advances/s committed, %.1f writes/s applied; settled in %.1f s\n"
                "checked: %zu entities, %zu effects, %zu events\n"
                "LOST %zu, DOUBLED %zu; event expiries re-sent (refused as already completed): %zu\n"
                "fenced refusals: %zu; SIGTERMed instances exiting non-zero: %d\n",
                (unsigned long long)r.seed, r.distinct_hosts ? "distinct (unshare --uts)" : "one (kill -9 = a previous life)",
                r.kills, r.stops, r.terms, r.joins, r.steps, r.advances, r.edits, r.republished, r.writes_applied,
                r.run_seconds, r.run_seconds > 0 ? r.advances_in_run / r.run_seconds : 0.0,
                r.run_seconds > 0 ? r.writes_in_run / r.run_seconds : 0.0, r.settle_seconds, r.entities_checked,
                r.effects_checked, r.events_checked, r.lost.size(), r.doubled.size(), r.expiries_resent,
                r.fenced_refusals, r.term_exits_not_zero);
  out << line;
  out << "failover, kill -9/SIGSTOP of an owner -> another holds its lease: " << times(r.takeover_ms) << "\n";
  out << "failover, -> first commit of one of its campaigns by another:    " << times(r.first_commit_ms) << "\n";
  out << "handoff, SIGTERM -> its last partition released:                 " << times(r.handoff_ms) << "\n";
  out << "handoff, SIGTERM -> each partition released:                     " << times(r.partition_handoff_ms) << "\n";
  if (r.failovers_unmeasured > 0) out << "failovers not measured (no move seen within 60 s): " << r.failovers_unmeasured << "\n";
  for (const auto& l : r.lost) out << "  LOST: " << l << "\n";
  for (const auto& d : r.doubled) out << "  DOUBLED: " << d << "\n";
  if (!r.doubled_after_wake.empty())
    out << "of which " << r.doubled_after_wake.size()
        << " within a second of the SIGCONT of the campaign's frozen owner (its gateway finishing a call the new owner "
           "had made)\n";
  if (!r.failure.empty()) out << "FAILED: " << r.failure << "\n";
  return out.str();
}

}  // namespace hourglass::service::testing
