#include "bench/expected_writes.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "runtime/replay.hpp"
#include "io/coalesce.hpp"

namespace hourglass::bench {
namespace {

std::string_view field(std::string_view line, std::string_view name) {
  const std::size_t at = line.find(name);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + name.size();
  const std::size_t end = line.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : line.substr(start, end - start);
}

// Receives the replay's records (JSON lines, in message order: one advance's
// records are contiguous) and counts the writes of each (campaign, round).
class WriteCounter final : public actors::RecordOutput {
 public:
  WriteCounter(const std::vector<actors::CampaignSeed>& world, AdvanceSchedule schedule, int rounds,
               ExpectedWrites& out)
      : schedule_(schedule), out_(out) {
    for (std::size_t i = 0; i < world.size(); ++i) index_.emplace(world[i].id, i);
    out_.writes.assign(world.size(), std::vector<std::uint32_t>(static_cast<std::size_t>(rounds), 0));
  }

  void write(std::string_view text) override {
    partial_.append(text.data(), text.size());
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
      line(std::string_view(partial_).substr(start, nl + 1 - start));
    partial_.erase(0, start);
  }

  void finish() { flush_group(); }

 private:
  void line(std::string_view l) {
    ++out_.records;
    const auto campaign = index_.find(std::string(field(l, "\"campaignId\":\"")));
    const auto t = sim::parse_world_time(std::string(field(l, "\"worldTime\":\"")));
    if (campaign == index_.end() || !t) throw std::runtime_error("expected writes: unreadable record " + std::string(l));
    const int round = schedule_.round_of(*t);
    if (round < 1 || round > static_cast<int>(out_.writes[campaign->second].size()))
      throw std::runtime_error("expected writes: a record outside the rounds: " + std::string(l));
    if (campaign->second != campaign_ || round != round_) {
      flush_group();
      campaign_ = campaign->second;
      round_ = round;
    }
    group_.append(l.data(), l.size());
  }

  void flush_group() {
    if (group_.empty()) return;
    out_.writes[campaign_][static_cast<std::size_t>(round_ - 1)] +=
        static_cast<std::uint32_t>(io::coalesce_jsonl(group_).size());
    group_.clear();
  }

  AdvanceSchedule schedule_;
  ExpectedWrites& out_;
  std::unordered_map<std::string, std::size_t> index_;
  std::string partial_, group_;
  std::size_t campaign_ = 0;
  int round_ = 0;
};

}  // namespace

namespace {

// One slice of the campaigns, replayed on its own (the writes of every
// campaign of the slice land in `out`, which has a row for each campaign of
// the whole world).
void replay_slice(const std::vector<actors::CampaignSeed>& world, std::size_t begin, std::size_t end,
                  const AdvanceSchedule& schedule, int rounds, ExpectedWrites& out) {
  runtime::Scenario scenario;
  scenario.name = "service-bench-expectations";
  scenario.rules = std::make_shared<const sim::Rules>(sim::Rules::defaults());
  scenario.campaigns.assign(world.begin() + begin, world.begin() + end);
  for (int r = 1; r <= rounds; ++r)
    for (const auto& c : scenario.campaigns) {
      runtime::RecordedMessage m;
      m.where = "round " + std::to_string(r);
      m.channel = "campaign." + c.id + ".worldTimeAdvanced";
      m.payload = {{"campaignId", c.id},
                   {"previousTime", sim::format_world_time(schedule.previous_time(r))},
                   {"newTime", sim::format_world_time(schedule.new_time(r))}};
      scenario.messages.push_back(std::move(m));
    }
  ExpectedWrites mine;
  auto counter = std::make_shared<WriteCounter>(scenario.campaigns, schedule, rounds, mine);
  runtime::ReplayOptions options;
  options.threads = 1;  // the slices run side by side
  options.output = counter;
  const runtime::ReplayResult r = runtime::run_replay(scenario, options);
  counter->finish();
  if (r.stats.refused > 0 || r.stats.applied != scenario.messages.size())
    throw std::runtime_error("expected writes: the offline replay applied " + std::to_string(r.stats.applied) + " of " +
                             std::to_string(scenario.messages.size()) + " advances (" +
                             std::to_string(r.stats.refused) + " refused)");
  for (std::size_t i = begin; i < end; ++i) out.writes[i] = std::move(mine.writes[i - begin]);
  out.records += mine.records;  // `out` is this slice's own
}

}  // namespace

ExpectedWrites expected_writes(const std::vector<actors::CampaignSeed>& world, const AdvanceSchedule& schedule,
                               int rounds, int slices) {
  ExpectedWrites out;
  out.writes.resize(world.size());
  const auto started = std::chrono::steady_clock::now();
  // The replay driver sends one message at a time and waits for its answer,
  // so one replay leaves the cores mostly idle: slices of the campaigns run
  // side by side.
  slices = std::max(1, std::min<int>(slices, static_cast<int>(world.size())));
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(slices));
  std::vector<ExpectedWrites> parts(static_cast<std::size_t>(slices));
  for (int i = 0; i < slices; ++i) {
    const std::size_t begin = world.size() * i / slices, end = world.size() * (i + 1) / slices;
    threads.emplace_back([&, i, begin, end] {
      try {
        parts[i].writes.resize(world.size());
        replay_slice(world, begin, end, schedule, rounds, parts[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (int i = 0; i < slices; ++i) {
    const std::size_t begin = world.size() * i / slices, end = world.size() * (i + 1) / slices;
    for (std::size_t c = begin; c < end; ++c) out.writes[c] = std::move(parts[i].writes[c]);
    out.records += parts[i].records;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace hourglass::bench
