#include "io/redis_stream_reader.hpp"

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
  if (options_.key.empty()) throw std::invalid_argument("RedisStreamReader: empty stream key");
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
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t RedisStreamReader::unacknowledged() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outstanding_.size();
}

void RedisStreamReader::acknowledge(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (outstanding_.erase(id) == 1 && pending_phase_) acked_in_pending_phase_.insert(id);
  }
  wake_.notify_all();
  std::lock_guard<std::mutex> lock(ack_mutex_);
  unsent_acks_.insert(id);
  send_acks_locked(false);
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
    ack_conn_->xack(options_.key, options_.group, {unsent_acks_.begin(), unsent_acks_.end()});
    unsent_acks_.clear();
  } catch (const std::exception& e) {
    call_back(callbacks_.on_ack_failed, std::string(e.what()));
  }
}

bool RedisStreamReader::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return wake_.wait_for(lock, d, [this] { return stop_.load(); });
}

bool RedisStreamReader::wait_for_room() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stop_.load()) return true;
    const bool held = options_.hold && options_.hold();
    if (!held && outstanding_.size() < options_.max_unacknowledged) return false;
    // Acknowledgements and stop() wake it; a hold ending is seen within 100 ms.
    wake_.wait_for(lock, std::chrono::milliseconds(100));
  }
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

void RedisStreamReader::serve_link(Backoff& backoff, bool& connected_once, bool& link_up) {
  RedisConnection conn = RedisConnection::connect(options_.endpoint, options_.connect_timeout);
  // Each read may block for `block` on the server before it answers (on a
  // cluster, the stream's node's connection: set_io_timeout reaches it).
  conn.set_io_timeout(options_.block + options_.io_timeout);
  redisEnableKeepAlive(conn.native_handle());
  conn.xgroup_create(options_.key, options_.group, "0");  // false: it exists, fine
  redis_down_.store(false);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_phase_ = true;
    acked_in_pending_phase_.clear();
  }
  {
    // Every acknowledgement begun before the pending phase is now applied
    // by the server or queued here; those queued go first, or the pending
    // read below would give them again.
    std::lock_guard<std::mutex> lock(ack_mutex_);
    send_acks_locked(true);
    if (!unsent_acks_.empty()) throw RedisError("XACK", "cannot send " + std::to_string(unsent_acks_.size()) +
                                                            " acknowledgement(s) to " + to_string(options_.endpoint));
  }

  link_up = true;
  backoff.reset();
  call_back(callbacks_.on_connected, connected_once);
  connected_once = true;

  // This consumer's pending entries first, from the start, until none is left.
  std::string after = "0";
  while (auto last = read_and_deliver(conn, after, true)) after = *last;
  if (stop_.load()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_phase_ = false;
    acked_in_pending_phase_.clear();
  }
  while (!stop_.load()) {
    read_and_deliver(conn, ">", false);
    std::lock_guard<std::mutex> lock(ack_mutex_);
    send_acks_locked(true);  // those that failed before, if any
  }
}

std::optional<std::string> RedisStreamReader::read_and_deliver(RedisConnection& conn, const std::string& id,
                                                                bool pending) {
  if (wait_for_room()) return std::nullopt;
  const std::size_t count = std::min(options_.batch, room());
  // Pending entries are answered at once; new ones are waited for.
  std::optional<std::chrono::milliseconds> block;
  if (!pending) block = options_.block;
  const std::vector<StreamEntry> entries = conn.xreadgroup(options_.group, options_.consumer, options_.key, id, count, block);
  if (entries.empty()) return std::nullopt;
  for (const auto& e : entries) {
    if (stop_.load()) return std::nullopt;  // the rest stay pending: the next reader gets them
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (pending && (outstanding_.count(e.id) || acked_in_pending_phase_.count(e.id))) continue;  // still in hand
      outstanding_.insert(e.id);
    }
    const std::string* channel = field(e, "channel");
    const std::string* payload = field(e, "payload");
    if (channel && payload) {
      call_back(callbacks_.on_entry, e.id, *channel, *payload);
    } else if (e.fields.empty()) {
      call_back(callbacks_.on_malformed, e.id, std::string("the entry is gone from the stream (deleted or trimmed while pending)"));
    } else {
      call_back(callbacks_.on_malformed, e.id,
             std::string("no field \"") + (channel ? "payload" : "channel") + "\" (an entry needs channel and payload)");
    }
  }
  return entries.back().id;
}

}  // namespace hourglass::io
