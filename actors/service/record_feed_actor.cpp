#include "actors/service/record_feed_actor.hpp"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "messages/record_feed.hpp"

namespace hourglass::actors {

FeedText FeedText::of(sim::OrderedRecords&& records) {
  FeedText out;
  out.storage = std::move(records.batches);
  out.slices = std::move(records.slices);
  for (std::string_view s : out.slices) out.bytes += s.size();
  return out;
}

std::function<bool()> text_wanted_while_feed_flows(PublishBacklogPtr backlog) {
  if (!backlog) return [] { return true; };
  return [backlog = std::move(backlog)] { return backlog->bytes.load(std::memory_order_relaxed) < backlog->limit / 2; };
}

namespace {

using Self = record_feed_actor::stateful_pointer<RecordFeedState>;

// Feed messages per write: 16 x 64 KiB, a megabyte on its way at a time.
constexpr std::size_t kMessagesPerWrite = 16;

void warn_limited(Self self, const std::string& key, const std::string& line) {
  const io::LogLimiter::Verdict v = self->state.log_limiter->admit(key, io::LogLimiter::Clock::now());
  if (v.suppressed > 0) spdlog::warn("{}: {} more line(s) like this suppressed", key, v.suppressed);
  if (v.write) spdlog::warn("{}", line);
}

// This thread only (a detached actor has its own): the feed yields the
// cores to the simulation and the API writes when they are short. Named
// apart from CAF's "caf.actor" threads, so that `top -H` shows what it costs.
void name_and_lower_priority(int nice) {
  ::prctl(PR_SET_NAME, "hg.record-feed", 0, 0, 0);
  if (nice == 0) return;
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int now = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0 && ::setpriority(PRIO_PROCESS, tid, std::min(19, now + nice)) == 0) return;
  spdlog::info("record feed: cannot lower its thread's priority ({}); it runs at the process's", std::strerror(errno));
}

// Redis failed the feed: no text tries it again before the backoff's wait.
void redis_failed(Self self, const char* what, const std::exception& e) {
  auto& st = self->state;
  const auto wait = st.backoff.next();
  st.retry_at = std::chrono::steady_clock::now() + wait;
  std::string line = std::string("record feed: ") + what + ": " + e.what() + "; records are not published for " +
                     std::to_string(wait.count()) + " ms";
  if (st.dropped > 0) line += " (" + std::to_string(st.dropped) + " text(s) dropped since the last try)";
  st.dropped = 0;
  warn_limited(self, std::string("record feed: ") + what, line);
}

void publish(Self self, const std::string& channel, const FeedText& text) {
  struct Release {  // however it ends, these bytes are no longer waiting
    const PublishBacklogPtr& backlog;
    std::size_t bytes;
    ~Release() {
      if (backlog) backlog->bytes -= bytes;
    }
  } release{self->state.options.backlog, text.bytes};
  auto& st = self->state;
  if (std::chrono::steady_clock::now() < st.retry_at) {  // the records still reach the API; the UI feed is best effort
    ++st.dropped;
    return;
  }
  io::RedisConnection* r = nullptr;
  try {
    r = &st.redis->get();
  } catch (const std::exception& e) {
    return redis_failed(self, "cannot connect to Redis", e);
  }
  try {
    const std::vector<messages::FeedMessage> messages = messages::feed_messages(text.pieces());
    for (std::size_t at = 0; at < messages.size(); at += kMessagesPerWrite) {
      const auto first = messages.begin() + static_cast<std::ptrdiff_t>(at);
      const auto last = messages.begin() + static_cast<std::ptrdiff_t>(std::min(messages.size(), at + kMessagesPerWrite));
      r->publish_each(channel, {first, last});
    }
    st.backoff.reset();
    if (st.dropped > 0) spdlog::info("record feed: Redis is back; {} text(s) were dropped meanwhile", st.dropped);
    st.dropped = 0;
  } catch (const std::exception& e) {
    redis_failed(self, "PUBLISH failed", e);
  }
}

}  // namespace

record_feed_actor::behavior_type record_feed(Self self, RecordFeedOptions options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.redis.emplace(st.options.redis, std::chrono::milliseconds(500));
  st.log_limiter.emplace(st.options.log_lines, st.options.log_interval);
  name_and_lower_priority(st.options.nice);
  return {
      [=](publish_atom, const std::string& channel, const FeedText& text) { publish(self, channel, text); },
      [=](flush_atom) { return true; },
  };
}

}  // namespace hourglass::actors
