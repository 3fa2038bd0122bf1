#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "runtime/service/metrics.hpp"

using namespace hourglass::service;

TEST_CASE("metrics render as Prometheus text in a deterministic order", "[service][metrics]") {
  Registry m;
  m.describe("hourglass_messages_total", "Messages received, by channel and outcome.");
  // Registered out of order on purpose.
  m.counter("hourglass_messages_total", {{"outcome", "applied"}, {"channel", "worldTimeAdvanced"}}).inc(3);
  m.counter("hourglass_messages_total", {{"channel", "campaignCreated"}, {"outcome", "refused"}}).inc();
  m.gauge("hourglass_campaigns", {}).set(2);
  m.gauge("hourglass_backlog_seconds").set(0.25);

  const std::string expected =
      "# HELP hourglass_backlog_seconds hourglass_backlog_seconds\n"
      "# TYPE hourglass_backlog_seconds gauge\n"
      "hourglass_backlog_seconds 0.25\n"
      "# HELP hourglass_campaigns hourglass_campaigns\n"
      "# TYPE hourglass_campaigns gauge\n"
      "hourglass_campaigns 2\n"
      "# HELP hourglass_messages_total Messages received, by channel and outcome.\n"
      "# TYPE hourglass_messages_total counter\n"
      "hourglass_messages_total{channel=\"campaignCreated\",outcome=\"refused\"} 1\n"
      "hourglass_messages_total{channel=\"worldTimeAdvanced\",outcome=\"applied\"} 3\n";
  CHECK(m.render() == expected);
}

TEST_CASE("metrics escape label values and HELP text", "[service][metrics]") {
  Registry m;
  m.describe("x_total", "line one\nback\\slash");
  m.counter("x_total", {{"name", "a \"quoted\"\\path\nnext"}}).inc();
  const std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# HELP x_total line one\\nback\\\\slash\n"));
  CHECK_THAT(text, Catch::Contains("x_total{name=\"a \\\"quoted\\\"\\\\path\\nnext\"} 1\n"));
}

TEST_CASE("histogram buckets are cumulative with inclusive bounds, +Inf, _sum and _count", "[service][metrics]") {
  Registry m;
  auto& h = m.histogram("hourglass_advance_latency_seconds");
  h.observe(0.001);  // exactly on the first bound: counts in le="0.001"
  h.observe(0.003);
  h.observe(0.7);
  h.observe(42);     // above every bound: only +Inf
  const std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE hourglass_advance_latency_seconds histogram\n"));
  CHECK_THAT(text, Catch::Contains("hourglass_advance_latency_seconds_bucket{le=\"0.001\"} 1\n"
                                   "hourglass_advance_latency_seconds_bucket{le=\"0.0025\"} 1\n"
                                   "hourglass_advance_latency_seconds_bucket{le=\"0.005\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("hourglass_advance_latency_seconds_bucket{le=\"0.5\"} 2\n"
                                   "hourglass_advance_latency_seconds_bucket{le=\"1\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("hourglass_advance_latency_seconds_bucket{le=\"10\"} 3\n"
                                   "hourglass_advance_latency_seconds_bucket{le=\"+Inf\"} 4\n"
                                   "hourglass_advance_latency_seconds_sum 42.704\n"
                                   "hourglass_advance_latency_seconds_count 4\n"));
  // 13 finite bounds + Inf.
  std::size_t buckets = 0;
  for (std::size_t pos = 0; (pos = text.find("_bucket{", pos)) != std::string::npos; ++pos) ++buckets;
  CHECK(buckets == 14);

  auto& labelled = m.histogram("h_seconds", {{"campaign", "c1"}}, {0.5, 1});
  labelled.observe(0.75);
  CHECK_THAT(m.render(), Catch::Contains("h_seconds_bucket{campaign=\"c1\",le=\"1\"} 1\n"));
  CHECK_THROWS_AS(m.histogram("h_seconds", {{"campaign", "c2"}}, {0.5, 2}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("h2_seconds", {}, {1, 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("h3_seconds", {{"le", "x"}}), std::invalid_argument);
}

TEST_CASE("metrics refuse bad names and type clashes", "[service][metrics]") {
  Registry m;
  m.counter("a_total").inc();
  CHECK_THROWS_AS(m.gauge("a_total"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("1abc"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("ok_total", {{"bad-label", "v"}}), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("ok_total", {{"__reserved", "v"}}), std::invalid_argument);
  CHECK(format_metric_value(0.1) == "0.1");
  CHECK(format_metric_value(1e-9) == "1e-09");
  CHECK(format_metric_value(-3) == "-3");
}

TEST_CASE("metric references are stable and counters are exact under contention", "[service][metrics]") {
  Registry m;
  Counter& c = m.counter("hits_total", {{"k", "v"}});
  REQUIRE(&c == &m.counter("hits_total", {{"k", "v"}}));
  Gauge& g = m.gauge("level");
  constexpr int threads = 4, per_thread = 50000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&m, &c, &g, t] {
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        g.inc();
        // New series created concurrently with increments and renders.
        if (i % 5000 == 0) m.counter("hits_total", {{"k", "t" + std::to_string(t) + "_" + std::to_string(i)}}).inc();
        if (i % 10000 == 0) (void)m.render();
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(c.value() == threads * per_thread);
  CHECK(g.value() == Approx(threads * per_thread));
  CHECK(&c == &m.counter("hits_total", {{"k", "v"}}));
  CHECK_THAT(m.render(), Catch::Contains("hits_total{k=\"v\"} 200000\n"));
}
