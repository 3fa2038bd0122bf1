#include "io/redis_subscriber.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "io/redis_connection.hpp"
#include "io/socket_timeout.hpp"

namespace hourglass::io {
namespace {

using Clock = std::chrono::steady_clock;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string text(const redisReply* r) { return r && r->str ? std::string(r->str, r->len) : std::string(); }

// Callbacks are invoked through here: an exception escaping one terminates
// (noexcept), as documented, instead of being mistaken for a lost link.
// Not named `invoke`: argument-dependent lookup would pick std::invoke for a
// std::function argument, which calls an empty callback (bad_function_call).
template <class F, class... Args>
void call_back(const F& f, Args&&... args) noexcept {
  if (f) f(std::forward<Args>(args)...);
}

class LinkReader {
 public:
  LinkReader(redisContext* c, std::string where, const std::atomic<bool>& stop,
             std::chrono::milliseconds poll_interval, std::function<bool()> hold, bool& closed_by_server)
      : c_(c),
        where_(std::move(where)),
        stop_(stop),
        poll_interval_(poll_interval),
        hold_(std::move(hold)),
        closed_by_server_(closed_by_server) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("Redis subscriber on " + where_ + ": " + what);
  }

  // Sends a command (binary-safe) without waiting for its reply.
  void send(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      fail(args.front() + " failed: " + c_->errstr);
    }
    int done = 0;
    while (!done) {
      if (redisBufferWrite(c_, &done) != REDIS_OK) fail(args.front() + " failed: " + c_->errstr);
    }
  }

  // The next reply, or nullptr once stop is requested. Waits in poll(2) so an
  // idle socket never reaches hiredis' blocking read (whose timeout would
  // break the context). Throws on EOF, I/O or protocol errors, and when
  // `deadline` passes.
  Reply next(std::optional<Clock::time_point> deadline, const char* waiting_for) {
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c_, &raw) != REDIS_OK) fail(std::string("protocol error: ") + c_->errstr);
      if (raw != nullptr) return Reply(static_cast<redisReply*>(raw));
      if (stop_.load()) return nullptr;
      auto wait = poll_interval_;
      if (deadline) {
        const auto now = Clock::now();
        if (now >= *deadline) fail(std::string("no ") + waiting_for + " in time");
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now));
      }
      // Held (intake paused): not read, so Redis keeps what is published.
      // Only between messages: a confirmation with a deadline is read.
      const bool held = !deadline && hold_ && hold_();
      pollfd p{c_->fd, static_cast<short>(held ? 0 : POLLIN), 0};
      const int n = ::poll(&p, 1, static_cast<int>(wait.count()));
      if (n < 0) {
        if (errno == EINTR) continue;
        fail(std::string("poll failed: ") + std::strerror(errno));
      }
      if (n == 0 || (held && !(p.revents & (POLLHUP | POLLERR | POLLNVAL)))) continue;
      if (p.revents & POLLNVAL) fail("socket is not open");
      // Readable, hung up or in error: one read(2) that does not block; EOF
      // and errors land in the context ("Server closed the connection").
      if (redisBufferRead(c_) != REDIS_OK) {
        closed_by_server_ = c_->err == REDIS_ERR_EOF;  // Redis closed it, rather than the network failing
        fail(c_->errstr);
      }
    }
  }

 private:
  redisContext* c_;
  std::string where_;
  const std::atomic<bool>& stop_;
  std::chrono::milliseconds poll_interval_;
  std::function<bool()> hold_;
  bool& closed_by_server_;
};

// INFO on a link about to subscribe, to tell later why it was lost. A Redis
// that refuses INFO (renamed away) leaves it unknown; an I/O error is the
// link's failure.
RedisServerInfo read_server_info(RedisConnection& conn) {
  try {
    return parse_redis_info(conn.info());
  } catch (const RedisError&) {
    if (conn.broken()) throw;
    return {};
  }
}

bool is_kind(const redisReply* r, const char* kind, std::size_t elements) {
  return r->type == REDIS_REPLY_ARRAY && r->elements == elements && r->element[0]->type == REDIS_REPLY_STRING &&
         text(r->element[0]) == kind;
}

}  // namespace

RedisSubscriber::RedisSubscriber(RedisSubscriberOptions options, RedisSubscriberCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (options_.patterns.empty()) throw std::invalid_argument("RedisSubscriber: no patterns to subscribe to");
  for (const auto& p : options_.patterns) {
    if (p.empty()) throw std::invalid_argument("RedisSubscriber: empty pattern");
  }
  if (options_.poll_interval.count() < 1) throw std::invalid_argument("RedisSubscriber: poll_interval must be >= 1 ms");
  if (options_.backoff_initial.count() < 1 || options_.backoff_cap < options_.backoff_initial) {
    throw std::invalid_argument("RedisSubscriber: backoff needs 1 ms <= backoff_initial <= backoff_cap");
  }
}

RedisSubscriber::~RedisSubscriber() { stop(); }

void RedisSubscriber::start() {
  if (thread_.joinable() || stop_.load()) throw std::logic_error("RedisSubscriber: start() called twice");
  thread_ = std::thread([this] { run(); });
}

void RedisSubscriber::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool RedisSubscriber::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return wake_.wait_for(lock, d, [this] { return stop_.load(); });
}

void RedisSubscriber::run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_cap, options_.backoff_jitter, options_.backoff_seed);
  bool subscribed_once = false;
  while (!stop_.load()) {
    bool link_up = false;
    std::string why;
    try {
      serve_link(backoff, subscribed_once, link_up);
      return;  // stop requested
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (stop_.load()) return;
    if (link_up) {
      loss_to_explain_ = true;
      lost_closed_by_server_ = closed_by_server_;
      call_back(callbacks_.on_disconnected, why);
    }
    const auto delay = backoff.next();
    if (!link_up) call_back(callbacks_.on_connect_failed, why, delay);
    if (wait_or_stop(delay)) return;
  }
}

void RedisSubscriber::serve_link(Backoff& backoff, bool& subscribed_once, bool& link_up) {
  RedisConnection conn = RedisConnection::connect(options_.endpoint, options_.connect_timeout);
  redisContext* c = conn.native_handle();
  // Bounds the (blocking) writes; reads never block, see LinkReader::next.
  redisSetTimeout(c, to_timeval(options_.io_timeout));
  redisEnableKeepAlive(c);

  const RedisServerInfo info = read_server_info(conn);
  closed_by_server_ = false;
  LinkReader link(c, options_.endpoint.host + ":" + std::to_string(options_.endpoint.port), stop_,
                  options_.poll_interval, options_.hold, closed_by_server_);
  std::vector<std::string> args{"PSUBSCRIBE"};
  args.insert(args.end(), options_.patterns.begin(), options_.patterns.end());
  link.send(args);

  // One confirmation per pattern. Messages on the patterns confirmed first
  // may arrive before the last confirmation; hold them until on_connected.
  std::vector<Reply> early;
  std::size_t confirmed = 0;
  const auto deadline = Clock::now() + options_.io_timeout;
  while (confirmed < options_.patterns.size()) {
    Reply r = link.next(deadline, "PSUBSCRIBE confirmation");
    if (!r) return;
    if (r->type == REDIS_REPLY_ERROR) link.fail("PSUBSCRIBE failed: " + text(r.get()));
    if (is_kind(r.get(), "psubscribe", 3)) {
      ++confirmed;
    } else if (is_kind(r.get(), "pmessage", 4)) {
      early.push_back(std::move(r));
    }
  }

  link_up = true;
  backoff.reset();
  if (loss_to_explain_) {
    loss_to_explain_ = false;
    call_back(callbacks_.on_link_loss_explained, explain_link_loss(link_info_, info, lost_closed_by_server_));
  }
  link_info_ = info;
  call_back(callbacks_.on_connected, subscribed_once);
  subscribed_once = true;

  auto deliver = [this](const redisReply* r) {
    if (is_kind(r, "pmessage", 4)) call_back(callbacks_.on_message, text(r->element[2]), text(r->element[3]));
  };
  for (const auto& r : early) {
    if (stop_.load()) return;
    deliver(r.get());
  }
  for (;;) {
    Reply r = link.next(std::nullopt, "message");
    if (!r) return;
    if (r->type == REDIS_REPLY_ERROR) link.fail("server error: " + text(r.get()));
    deliver(r.get());
  }
}

}  // namespace hourglass::io
