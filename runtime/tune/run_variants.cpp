#include "runtime/tune/run_variants.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

namespace hourglass::runtime::tune {
namespace {

// The output of one replay: its records feed the consumers as they arrive.
// Shared with the replay's sink, which may outlive run_replay's return only
// by the flush it has already answered.
struct Collector {
  explicit Collector(const Scenario& scenario, bool keep_records) : timelines(scenario.campaigns) {
    std::vector<RecordConsumer*> consumers = {&timelines};
    if (keep_records) consumers.push_back(&table);
    reader = std::make_shared<RecordReader>(std::move(consumers));
  }
  TimelineBuilder timelines;
  RecordTable table;
  std::shared_ptr<RecordReader> reader;
};

VariantResult run_one(const Scenario& scenario, bool keep_records) {
  Collector collector(scenario, keep_records);
  ReplayOptions options;
  options.threads = 1;
  options.output = collector.reader;
  options.want_state = true;
  VariantResult result;
  // Kept to be printed once per tune with the variants they concern
  // (tune/warnings), not once per variant in the log.
  options.on_refusal = [&result](const std::string& warning) {
    if (result.warnings.size() < kMaxWarnings)
      result.warnings.push_back(warning);
    else
      ++result.warnings_dropped;
  };
  ReplayResult replay = run_replay(scenario, options);
  collector.reader->flush();
  result.stats = replay.stats;
  result.timelines = collector.timelines.finish(replay.state);
  result.state = std::move(replay.state);
  result.records = std::move(collector.table);
  result.unreadable_records = collector.reader->bad_lines();
  return result;
}

}  // namespace

std::vector<VariantResult> run_variants(const std::vector<Scenario>& scenarios, const RunOptions& options) {
  std::vector<VariantResult> results(scenarios.size());
  std::vector<std::exception_ptr> errors(scenarios.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&]() {
    for (std::size_t i = next++; i < scenarios.size(); i = next++) {
      try {
        results[i] = run_one(scenarios[i], options.keep_records);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::size_t threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<std::size_t>(scenarios.size(), 1));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

}  // namespace hourglass::runtime::tune
