// A flood of bad input must not grow anything without bound: 100,000
// malformed messages published to a real redis-server (default limits) and
// taken by a real `hourglass serve` child process (the fake API over HTTP).
// Afterwards the input dead-letter stream is at most its cap (plus the slack
// of approximate trimming), what was trimmed is counted in /metrics, the
// child's log has a few lines saying how many were suppressed instead of one
// line per message, and the child's resident memory stayed under a bound.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "io/redis_connection.hpp"
#include "tests/service/support/fake_campaign_api.hpp"
#include "tests/service/support/redis_server.hpp"
#include "tests/service/support/serve_process.hpp"

#ifndef HOURGLASS_BINARY
#error "HOURGLASS_BINARY must be defined (tests/service/CMakeLists.txt)"
#endif

namespace {

using namespace std::chrono_literals;
using hourglass::io::RedisConnection;
using hourglass::service::testing::FakeCampaignApi;
using hourglass::service::testing::RedisServer;
using hourglass::service::testing::ServeProcess;
namespace fs = std::filesystem;

constexpr std::size_t kMessages = 100'000;
constexpr std::size_t kCap = 1'000;  // HOURGLASS_DEAD_LETTER_MAX for this test
// XADD/XTRIM MAXLEN ~ removes whole stream nodes only: Redis' default
// stream-node-max-entries (100) is the most a stream can stay above its cap.
constexpr std::size_t kTrimSlack = 100;
// Resident memory of the child, in KiB. Measured at ~47 MiB at its peak
// (CAF's scheduler, curl, the status server, and the messages waiting in the
// bridge's mailbox while it writes dead letters: pub/sub has no
// backpressure, so up to the 100,000 messages of ~60 bytes with CAF's
// per-message overhead). Twice that leaves room for allocator noise and
// still fails if the flood were kept in memory a second time (the dead
// letters while Redis is slow, a copy per log line, a series per channel).
constexpr long kRssBoundKiB = 96 * 1024;

// The sum of a metric's samples whose label set contains `labels`.
double metric_sum(const std::string& text, const std::string& name, const std::string& labels) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    if (!labels.empty() && line.find(labels) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

long vm_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

std::size_t numpat(RedisConnection& r) {
  return static_cast<std::size_t>(r.exec_transaction({{"PUBSUB", "NUMPAT"}}).at(0).integer);
}

}  // namespace

TEST_CASE("serve: a flood of 100000 malformed messages leaves a capped dead-letter stream, few log lines, bounded memory",
          "[service][integration][serve][bounds]") {
  RedisServer redis;
  FakeCampaignApi api{"secret-token"};
  api.start();
  const fs::path dir = fs::temp_directory_path() / ("hourglass-flood-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string log_path = (dir / "serve.log").string();
  fs::remove(log_path);
  const int port = RedisServer::free_port();
  // HOURGLASS_FLOOD_TEST_BINARY runs the same test against another build
  // (e.g. an older one, to see what it did); by default the one built here.
  const char* other = std::getenv("HOURGLASS_FLOOD_TEST_BINARY");
  ServeProcess serve(other ? other : HOURGLASS_BINARY,
                     {{"REDIS_URL", redis.url()},
                      {"API_URL", api.url()},
                      {"API_TOKEN", api.token()},
                      {"PORT", std::to_string(port)},
                      {"LOG_LEVEL", "info"},
                      {"LOG_FORMAT", "text"},
                      {"HOURGLASS_INPUT", "channels"},
                      {"HOURGLASS_DEAD_LETTER_MAX", std::to_string(kCap)}},
                     log_path);
  serve.start();
  auto r = RedisConnection::connect(redis.endpoint(), 5000ms);
  {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (numpat(r) < 2 && std::chrono::steady_clock::now() < deadline && serve.running())
      std::this_thread::sleep_for(20ms);  // polling Redis for the child's subscription, not waiting on an actor
    INFO(serve.log_tail());
    REQUIRE(numpat(r) >= 2);
  }

  long max_rss = vm_rss_kib(serve.pid());
  // Pipelined: 1,000 PUBLISH per round trip. Every one reaches the service.
  constexpr std::size_t kBatch = 1'000;
  for (std::size_t i = 0; i < kMessages; i += kBatch) {
    std::vector<std::vector<std::string>> batch;
    for (std::size_t j = i; j < i + kBatch; ++j)
      batch.push_back({"PUBLISH", "campaign.c" + std::to_string(j % 997) + ".worldTimeAdvanced",
                       "{\"campaignId\": not json " + std::to_string(j)});
    std::size_t heard = 0;
    for (const auto& reply : r.exec_transaction(batch)) heard += reply.integer == 1 ? 1 : 0;
    REQUIRE(heard == kBatch);
    max_rss = std::max(max_rss, vm_rss_kib(serve.pid()));
  }

  httplib::Client status("127.0.0.1", port);
  std::string metrics;
  double refused = 0, trimmed = 0;
  std::size_t xlen = 0;
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  for (;;) {  // until every message is counted and its dead letter written (or trimmed)
    max_rss = std::max(max_rss, vm_rss_kib(serve.pid()));
    if (auto res = status.Get("/metrics")) metrics = res->body;
    refused = metric_sum(metrics, "hourglass_messages_total", "outcome=\"refused\"");
    trimmed = metric_sum(metrics, "hourglass_dead_letters_trimmed_total", "queue=\"input\"");
    xlen = r.xlen("hourglass:deadletter");
    if ((refused == kMessages && xlen + trimmed == kMessages) || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(50ms);
  }
  // The count of the suppressed lines is written at the latest one log
  // interval (5 s) after the first suppressed line.
  std::size_t log_lines = 0;
  bool suppressed_told = false;
  const auto told_by = std::chrono::steady_clock::now() + 15s;
  for (;;) {
    std::ifstream log_file(log_path);
    log_lines = 0;
    for (std::string line; std::getline(log_file, line);) {
      ++log_lines;
      if (line.find("suppressed") != std::string::npos) suppressed_told = true;
    }
    if (suppressed_told || std::chrono::steady_clock::now() > told_by) break;
    std::this_thread::sleep_for(100ms);  // polling the child's log file, with a deadline
  }
  max_rss = std::max(max_rss, vm_rss_kib(serve.pid()));
  serve.kill_and_wait();
  INFO("refused " << refused << ", XLEN " << xlen << ", trimmed " << trimmed << ", log lines " << log_lines
                  << ", max VmRSS " << max_rss << " KiB");
  CHECK(refused == kMessages);
  CHECK(metric_sum(metrics, "hourglass_dead_letters_total", "queue=\"input\"") == kMessages);
  CHECK(xlen <= kCap + kTrimSlack);
  CHECK(trimmed > 0);
  CHECK(xlen + trimmed == kMessages);  // every dead letter is either in the stream or counted as trimmed
  CHECK(log_lines < 1'000);
  CHECK(suppressed_told);
  CHECK(max_rss > 0);
  CHECK(max_rss < kRssBoundKiB);
  fs::remove_all(dir);
}
