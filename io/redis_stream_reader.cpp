#include "io/redis_stream_reader.hpp"

#include <sys/socket.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>


namespace hourglass::io {
namespace {

// Callbacks are invoked through here: an exception escaping one terminates
// (noexcept), as documented, instead of being mistaken for a lost link. Not
// named `invoke`: ADL on the std::function would pick std::invoke, which
// throws bad_function_call for an unset callback.
template <class F, class... Args>
void call_back(const F& f, Args&&... args) noexcept {
  if (f) f(std::forward<Args>(args)...);
}

const std::string* field(const StreamEntry& e, const char* name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace

RedisStreamReader::RedisStreamReader(RedisStreamReaderOptions options, RedisStreamReaderCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (options_.key.empty() && !options_.streams) throw std::invalid_argument("RedisStreamReader: empty stream key");
  if (options_.group.empty()) throw std::invalid_argument("RedisStreamReader: empty group");
  if (options_.consumer.empty()) throw std::invalid_argument("RedisStreamReader: empty consumer");
  if (options_.batch < 1) throw std::invalid_argument("RedisStreamReader: batch must be >= 1");
  if (options_.max_unacknowledged < 1) throw std::invalid_argument("RedisStreamReader: max_unacknowledged must be >= 1");
  if (options_.block.count() < 1) throw std::invalid_argument("RedisStreamReader: block must be >= 1 ms");
  if (options_.backoff_initial.count() < 1 || options_.backoff_cap < options_.backoff_initial) {
    throw std::invalid_argument("RedisStreamReader: backoff needs 1 ms <= backoff_initial <= backoff_cap");
  }
}

RedisStreamReader::~RedisStreamReader() { stop(); }

void RedisStreamReader::start() {
  if (thread_.joinable() || stop_.load()) throw std::logic_error("RedisStreamReader: start() called twice");
  thread_ = std::thread([this] { run(); });
}

void RedisStreamReader::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
    // A read waiting on a Redis that does not answer ends now (with an
    // error the thread takes for the stop); the fd stays the thread's to close.
    if (link_fd_ >= 0) ::shutdown(link_fd_, SHUT_RDWR);
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t RedisStreamReader::unacknowledged() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outstanding_.size();
}

void RedisStreamReader::give_back() { given_back_ = true; }

void RedisStreamReader::acknowledge(const std::string& id) {
  std::string stream = options_.key;  // an id not delivered: sent all the same (to `key`, if any)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = outstanding_.find(id); it != outstanding_.end()) {
      stream = it->second;
      outstanding_.erase(it);
      if (pending_phase_) acked_in_pending_phase_.insert(id);
    } else if (const auto l = left_.find(id); l != left_.end()) {
      stream = l->second;
      left_.erase(l);
    }
  }
  wake_.notify_all();
  if (stream.empty()) return;
  std::lock_guard<std::mutex> lock(ack_mutex_);
  unsent_acks_[stream].insert(id);
  send_acks_locked(false);
}

std::size_t RedisStreamReader::unsent_acks_locked() const {
  std::size_t n = 0;
  for (const auto& [stream, ids] : unsent_acks_) n += ids.size();
  return n;
}

void RedisStreamReader::send_acks_locked(bool connect) {
  if (unsent_acks_.empty()) return;
  if (!ack_conn_ || ack_conn_->broken()) {
    ack_conn_.reset();
    // The thread will send them once it reconnects: no connect timeout per call.
    if (!connect && redis_down_.load()) return;
    try {
      ack_conn_.emplace(RedisConnection::connect(options_.endpoint, options_.connect_timeout));
      ack_conn_->set_io_timeout(options_.io_timeout);
    } catch (const std::exception& e) {
      ack_conn_.reset();
      return call_back(callbacks_.on_ack_failed, std::string(e.what()));
    }
  }
  try {
    for (auto it = unsent_acks_.begin(); it != unsent_acks_.end(); it = unsent_acks_.erase(it))
      ack_conn_->xack(it->first, options_.group, {it->second.begin(), it->second.end()});
  } catch (const std::exception& e) {
    call_back(callbacks_.on_ack_failed, std::string(e.what()));
  }
}

bool RedisStreamReader::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return wake_.wait_for(lock, d, [this] { return stop_.load(); });
}

bool RedisStreamReader::wait_for_room(std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stop_.load()) return false;
    const bool held = options_.hold && options_.hold();
    if (!held && outstanding_.size() < options_.max_unacknowledged) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Acknowledgements and stop() wake it; a hold ending is seen within 100 ms.
    wake_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void RedisStreamReader::forget_unwanted() {
  if (!options_.streams) return;
  const std::vector<std::string> now = wanted();
  forget_where([&](const std::string& stream) { return !std::binary_search(now.begin(), now.end(), stream); });
}

void RedisStreamReader::forget_where(const std::function<bool(const std::string& stream)>& left) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = outstanding_.begin(); it != outstanding_.end();) {
      if (!left(it->second)) {
        ++it;
        continue;
      }
      left_.insert(*it);
      it = outstanding_.erase(it);
    }
  }
  wake_.notify_all();
}

std::size_t RedisStreamReader::room() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return options_.max_unacknowledged - std::min(options_.max_unacknowledged, outstanding_.size());
}

void RedisStreamReader::run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_cap, options_.backoff_jitter, options_.backoff_seed);
  bool connected_once = false;
  while (!stop_.load()) {
    bool link_up = false;
    std::string why;
    try {
      serve_link(backoff, connected_once, link_up);
      return;  // stop requested
    } catch (const std::exception& e) {
      why = e.what();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_phase_ = false;
      acked_in_pending_phase_.clear();
    }
    if (stop_.load()) return;
    redis_down_.store(true);
    if (link_up) call_back(callbacks_.on_disconnected, why);
    const auto delay = backoff.next();
    if (!link_up) call_back(callbacks_.on_connect_failed, why, delay);
    if (wait_or_stop(delay)) return;
  }
}

std::vector<std::string> RedisStreamReader::wanted() const {
  if (!options_.streams) return {options_.key};
  std::vector<std::string> w = options_.streams();
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  return w;
}

void RedisStreamReader::serve_link(Backoff& backoff, bool& connected_once, bool& link_up) {
  RedisConnection conn = RedisConnection::connect(options_.endpoint, options_.connect_timeout);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_.load()) return;
    link_fd_ = conn.native_handle()->fd;
  }
  struct ForgetFd {  // before `conn` closes it: stop() must not shut a reused fd down
    RedisStreamReader& r;
    ~ForgetFd() {
      std::lock_guard<std::mutex> lock(r.mutex_);
      r.link_fd_ = -1;
    }
  } forget_fd{*this};
  // Each read may block for `block` on the server before it answers (on a
  // cluster, the stream's node's connection: set_io_timeout reaches it).
  conn.set_io_timeout(options_.block + options_.io_timeout);
  redisEnableKeepAlive(conn.native_handle());
  // The streams wanted at the connection have their groups before
  // on_connected (a caller waiting for it may rely on them).
  std::vector<std::string> joined = wanted();
  for (const std::string& stream : joined) prepare(conn, stream);
  redis_down_.store(false);
  link_up = true;
  backoff.reset();
  call_back(callbacks_.on_connected, connected_once);
  connected_once = true;
  for (const std::string& stream : joined) {
    if (stop_.load()) return;
    read_own_pending(conn, stream);
  }
  while (!stop_.load()) {
    follow_streams(conn, joined);
    if (stop_.load()) return;
    if (joined.empty()) {
      wait_or_stop(options_.block);  // nothing to read: asks streams() again within `block`
      continue;
    }
    read_new(conn, joined);
    std::lock_guard<std::mutex> lock(ack_mutex_);
    send_acks_locked(true);  // those that failed before, if any
  }
}

void RedisStreamReader::prepare(RedisConnection& conn, const std::string& stream) {
  if (callbacks_.on_joining) callbacks_.on_joining(stream);
  conn.xgroup_create(stream, options_.group, "0");  // false: it exists, fine
  if (!options_.claim_pending) return;
  // Whoever had them, they are this consumer's now; they are read below
  // with its own pending entries, in order. Bounded: the scan walks the
  // pending list once.
  std::string cursor = "0-0";
  do {
    cursor = conn.xautoclaim(stream, options_.group, options_.consumer, 0, cursor, options_.batch).first;
  } while (cursor != "0-0" && !stop_.load());
}

void RedisStreamReader::follow_streams(RedisConnection& conn, std::vector<std::string>& joined) {
  const std::vector<std::string> now = wanted();
  for (auto it = joined.begin(); it != joined.end();) {
    if (std::binary_search(now.begin(), now.end(), *it)) {
      ++it;
      continue;
    }
    leave(*it);
    it = joined.erase(it);
  }
  for (const std::string& stream : now) {
    if (std::find(joined.begin(), joined.end(), stream) != joined.end()) continue;
    if (stop_.load()) return;
    prepare(conn, stream);
    read_own_pending(conn, stream);
    joined.push_back(stream);
  }
}

void RedisStreamReader::leave(const std::string& stream) {
  forget_where([&](const std::string& s) { return s == stream; });
}

void RedisStreamReader::read_own_pending(RedisConnection& conn, const std::string& stream) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_phase_ = true;
    acked_in_pending_phase_.clear();
    // Those left behind come again from the pending list if still there.
    for (auto it = left_.begin(); it != left_.end();) it = it->second == stream ? left_.erase(it) : std::next(it);
  }
  {
    // Every acknowledgement begun before the pending phase is now applied
    // by the server or queued here; those queued go first, or the pending
    // read below would give them again.
    std::lock_guard<std::mutex> lock(ack_mutex_);
    send_acks_locked(true);
    if (!unsent_acks_.empty())
      throw RedisError("XACK", "cannot send " + std::to_string(unsent_acks_locked()) + " acknowledgement(s) to " +
                                   to_string(options_.endpoint));
  }
  std::string after = "0";
  while (auto last = read_pending(conn, stream, after)) after = *last;
  std::lock_guard<std::mutex> lock(mutex_);
  pending_phase_ = false;
  acked_in_pending_phase_.clear();
}

std::optional<std::string> RedisStreamReader::read_pending(RedisConnection& conn, const std::string& stream,
                                                            const std::string& id) {
  // A join is not cut short: it waits for room, which the entries of a
  // stream no longer wanted (left to the next owner, never acknowledged
  // here) must not hold.
  while (!wait_for_room(options_.block)) {
    if (stop_.load()) return std::nullopt;
    forget_unwanted();
  }
  const std::size_t count = std::min(options_.batch, room());
  // Pending entries are answered at once.
  const std::vector<StreamEntry> entries = conn.xreadgroup(options_.group, options_.consumer, stream, id, count);
  if (entries.empty()) return std::nullopt;
  deliver(stream, entries, true);
  if (stop_.load()) return std::nullopt;
  return entries.back().id;
}

void RedisStreamReader::read_new(RedisConnection& conn, const std::vector<std::string>& joined) {
  // At the bound, back to follow_streams within `block`: leaving a stream
  // whose entries are left unacknowledged is what may make room.
  if (!wait_for_room(options_.block)) return;
  // COUNT is per stream: the bound is kept within one entry per stream.
  const std::size_t count = std::max<std::size_t>(1, std::min(options_.batch, room() / joined.size()));
  const std::vector<std::string> ids(joined.size(), ">");
  for (const auto& [stream, entries] :
       conn.xreadgroup_streams(options_.group, options_.consumer, joined, ids, count, options_.block)) {
    deliver(stream, entries, false);
    if (stop_.load()) return;
  }
}

void RedisStreamReader::deliver(const std::string& stream, const std::vector<StreamEntry>& entries, bool pending) {
  for (const auto& e : entries) {
    if (stop_.load()) return;  // the rest stay pending: the next reader gets them
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (pending && (outstanding_.count(e.id) || acked_in_pending_phase_.count(e.id))) continue;  // still in hand
      outstanding_.emplace(e.id, stream);
    }
    const std::string* channel = field(e, "channel");
    const std::string* payload = field(e, "payload");
    given_back_ = false;
    if (channel && payload) {
      call_back(callbacks_.on_entry, e.id, *channel, *payload);
    } else if (e.fields.empty()) {
      call_back(callbacks_.on_malformed, e.id, std::string("the entry is gone from the stream (deleted or trimmed while pending)"));
    } else {
      call_back(callbacks_.on_malformed, e.id,
             std::string("no field \"") + (channel ? "payload" : "channel") + "\" (an entry needs channel and payload)");
    }
    if (given_back_) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        outstanding_.erase(e.id);
      }
      throw RedisError("XREADGROUP", "entry " + e.id + " of " + stream +
                                         " was given back: it and the rest of its batch are read again");
    }
  }
}

}  // namespace hourglass::io
