// A small thread-safe metrics registry rendered as Prometheus text exposition
// format 0.0.4:
//
//   Registry m;
//   m.describe("hourglass_messages_total", "Messages received, by channel and outcome");
//   m.counter("hourglass_messages_total", {{"channel", "worldTimeAdvanced"}, {"outcome", "applied"}}).inc();
//   m.histogram("hourglass_advance_latency_seconds").observe(0.012);
//   std::string text = m.render();
//
// counter()/gauge()/histogram() look the series up under a mutex and return a
// reference that stays valid for the registry's lifetime, so hot paths look
// up once and then only touch atomics. render() orders families by name and
// series by their labels (sorted by label name), so output is deterministic.
// A name used with two different types, or an invalid metric or label name,
// throws std::invalid_argument.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hourglass::service {

// Label name -> value; a std::map so the order is canonical.
using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1.0) { add(d); }
  void dec(double d = 1.0) { add(-d); }
  void add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `upper_bounds` strictly increasing and finite; +Inf is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;                // == cumulative.back()
  };
  Snapshot snapshot() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0.0};
};

// 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 (seconds).
const std::vector<double>& latency_buckets();

class Registry {
 public:
  Counter& counter(const std::string& name, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const Labels& labels = {});
  // Every series of one histogram family shares the bucket bounds given at the
  // family's first use; other bounds later throw std::invalid_argument.
  Histogram& histogram(const std::string& name, const Labels& labels = {},
                       const std::vector<double>& upper_bounds = latency_buckets());
  // The HELP text of a family (before or after its first use). A family
  // without one gets its name as HELP.
  void describe(const std::string& name, const std::string& help);

  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Family {
    Type type = Type::counter;
    bool typed = false;  // false while only describe() has seen the name
    std::string help;
    std::vector<double> bounds;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, Type type, const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// Prometheus formatting helpers (exposed for tests).
std::string escape_label_value(const std::string& v);  // \ " and newline
std::string format_metric_value(double v);              // shortest round-trip; +Inf, -Inf, NaN

}  // namespace hourglass::service
