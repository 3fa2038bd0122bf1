#include "runtime/service/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace hourglass::service {
namespace {

void atomic_add(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

bool valid_metric_name(const std::string& n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool valid_label_name(const std::string& n) {
  if (n.empty() || n.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// {a="1",b="2"} plus an optional extra label appended last (le for buckets);
// empty when there are no labels at all.
std::string label_text(const Labels& labels, const char* extra_name = nullptr,
                       const std::string& extra_value = {}) {
  if (labels.empty() && extra_name == nullptr) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(v) + '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += std::string(extra_name) + "=\"" + escape_label_value(extra_value) + '"';
  }
  return out + "}";
}

const char* type_name(int t) {
  switch (t) {
    case 0: return "counter";
    case 1: return "gauge";
    default: return "histogram";
  }
}

}  // namespace

void Gauge::add(double d) { atomic_add(value_, d); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && !(bounds_[i] > bounds_[i - 1])))
      throw std::invalid_argument("histogram bucket bounds must be finite and strictly increasing");
  }
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // First bucket whose bound is >= v (le is inclusive); NaN lands in +Inf.
  std::size_t i = 0;
  while (i < bounds_.size() && !(v <= bounds_[i])) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;  // consistent with the +Inf bucket by construction
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                     0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return b;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

Registry::Family& Registry::family(const std::string& name, Type type, const Labels& labels) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (const auto& [k, v] : labels) {
    if (!valid_label_name(k))
      throw std::invalid_argument("metric " + name + ": invalid label name '" + k + "'");
    if (type == Type::histogram && k == "le")
      throw std::invalid_argument("metric " + name + ": histograms cannot have an 'le' label");
  }
  Family& f = families_[name];
  if (!f.typed) {
    f.type = type;
    f.typed = true;
  } else if (f.type != type) {
    throw std::invalid_argument("metric " + name + " is a " + type_name(static_cast<int>(f.type)) +
                                ", not a " + type_name(static_cast<int>(type)));
  }
  return f;
}

Counter& Registry::counter(const std::string& name, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = family(name, Type::counter, labels).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(const std::string& name, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = family(name, Type::gauge, labels).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const Labels& labels,
                               const std::vector<double>& upper_bounds) {
  Histogram probe(upper_bounds);  // validates the bounds before the family exists
  std::lock_guard<std::mutex> lock(mutex_);
  Family& f = family(name, Type::histogram, labels);
  if (f.histograms.empty() && f.bounds.empty()) {
    f.bounds = upper_bounds;
  } else if (f.bounds != upper_bounds) {
    throw std::invalid_argument("histogram " + name + ": bucket bounds differ from its first use");
  }
  auto& slot = f.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(f.bounds);
  return *slot;
}

void Registry::describe(const std::string& name, const std::string& help) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  std::lock_guard<std::mutex> lock(mutex_);
  families_[name].help = help;
}

std::string Registry::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.typed) continue;  // described but never used
    out += "# HELP " + name + ' ' + escape_help(f.help.empty() ? name : f.help) + '\n';
    out += "# TYPE " + name + ' ' + type_name(static_cast<int>(f.type)) + '\n';
    switch (f.type) {
      case Type::counter:
        for (const auto& [labels, c] : f.counters)
          out += name + label_text(labels) + ' ' + std::to_string(c->value()) + '\n';
        break;
      case Type::gauge:
        for (const auto& [labels, g] : f.gauges)
          out += name + label_text(labels) + ' ' + format_metric_value(g->value()) + '\n';
        break;
      case Type::histogram:
        for (const auto& [labels, h] : f.histograms) {
          const auto s = h->snapshot();
          for (std::size_t i = 0; i < s.upper_bounds.size(); ++i)
            out += name + "_bucket" + label_text(labels, "le", format_metric_value(s.upper_bounds[i])) + ' ' +
                   std::to_string(s.cumulative[i]) + '\n';
          out += name + "_bucket" + label_text(labels, "le", "+Inf") + ' ' + std::to_string(s.count) + '\n';
          out += name + "_sum" + label_text(labels) + ' ' + format_metric_value(s.sum) + '\n';
          out += name + "_count" + label_text(labels) + ' ' + std::to_string(s.count) + '\n';
        }
        break;
    }
  }
  return out;
}

}  // namespace hourglass::service
