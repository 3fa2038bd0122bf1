#include "actors/service/store_actor.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "io/backoff.hpp"

#include "actors/errors.hpp"

namespace hourglass::actors {
namespace {

using Self = store_actor::stateful_pointer<StoreState>;

// The connection, (re)opened on demand, and the store on it (re-made with
// it); throws io::RedisError when Redis cannot be reached.
io::RedisConnection& redis(Self self) { return self->state.redis->get(); }

io::CheckpointStore& checkpoint_store(Self self) {
  auto& st = self->state;
  io::RedisConnection& conn = redis(self);
  if (!st.checkpoints || st.checkpoints_on != st.redis->opened()) {
    st.checkpoints.reset();  // on the connection that went away
    st.checkpoints.emplace(conn);
    st.checkpoints_on = st.redis->opened();
  }
  return *st.checkpoints;
}

// Runs `op` on the store. While Redis cannot be reached, or answers with an
// error about its own state (LOADING, BUSY, OOM...: io::RedisError::transient),
// it waits and tries again, however long, until the service stops: what
// waits on a commit is a campaign's next message, and nothing may go ahead of
// the commit. An error about the keys themselves (WRONGTYPE on a campaign's
// key, a script's refusal) is the request's at once, as redis_refused: the
// campaign those keys belong to is quarantined, and the store goes on with
// the other campaigns instead of retrying one bad key for ever. Anything
// else (a partially applied commit) is store_failed.
template <class T, class Op>
caf::result<T> attempt(Self self, const char* what, Op op) {
  auto& st = self->state;
  // Past the drain nothing is committed any more: what is still queued here
  // (a handoff's index reads, say, one per partition) is answered at once,
  // not one Redis timeout each while the exit waits for this actor.
  if (st.stopping && st.stopping->load())
    return make_error(hourglass_errc::store_failed, std::string(what) + ": not tried, the service is stopping");
  io::Backoff backoff(std::chrono::milliseconds(50), std::chrono::milliseconds(2000), 0.2, 0x570e);
  for (int failures = 0;; ++failures) {
    std::string transient;
    try {
      return op(checkpoint_store(self));
    } catch (const io::RedisError& e) {
      if (!e.transient()) return make_error(hourglass_errc::redis_refused, std::string(what) + ": " + e.what());
      transient = e.what();
    } catch (const io::CheckpointStoreError& e) {
      // Another instance claimed the campaign: never passes later.
      if (e.fenced()) {
        st.telemetry->fenced();
        return make_error(hourglass_errc::fenced, std::string(what) + ": " + e.what());
      }
      if (e.partially_applied()) return make_error(hourglass_errc::store_failed, std::string(what) + ": " + e.what());
      if (!e.transient()) return make_error(hourglass_errc::redis_refused, std::string(what) + ": " + e.what());
      transient = e.what();
    } catch (const std::exception& e) {
      return make_error(hourglass_errc::store_failed, std::string(what) + ": " + e.what());
    }
    st.telemetry->checkpoint_failed();
    if (st.stopping && st.stopping->load())
      return make_error(hourglass_errc::store_failed, std::string(what) + ": " + transient + " (stopping)");
    const auto delay = backoff.next();
    if (failures % 20 == 0)
      spdlog::warn("checkpoint store: {} failed ({}); trying again in {} ms", what, transient, delay.count());
    std::this_thread::sleep_for(delay);  // a detached actor: only its own thread waits
  }
}

}  // namespace

store_actor::behavior_type store(Self self, io::RedisEndpoint endpoint, Telemetry* telemetry,
                                 std::shared_ptr<const std::atomic<bool>> stopping) {
  self->state.endpoint = std::move(endpoint);
  self->state.redis.emplace(self->state.endpoint, std::chrono::milliseconds(1000));
  self->state.telemetry = telemetry ? telemetry : &Telemetry::none();
  self->state.stopping = std::move(stopping);
  return {
      [=](checkpoint_atom, const CommitRequest& r) -> caf::result<CommitReceipt> {
        // Encoded once, whatever number of attempts Redis needs.
        const auto started = std::chrono::steady_clock::now();
        const std::string text = messages::checkpoint_json(r.snapshot, r.input).dump();
        return attempt<CommitReceipt>(self, "commit", [&](io::CheckpointStore& store) {
          const std::vector<std::string> ids =
              store.commit(r.campaign_id, text, r.writes, std::to_string(r.input.messages), r.fence);
          CommitReceipt receipt;
          receipt.checkpoint_bytes = text.size();
          for (std::size_t i = 0; i < ids.size() && i < r.writes.size(); ++i)
            receipt.entries.push_back(io::OutboxEntry{ids[i], r.campaign_id, r.writes[i], ""});
          self->state.telemetry->checkpoint_committed(
              text.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
          return receipt;
        });
      },
      [=](load_checkpoint_atom, const std::string& campaign_id) -> caf::result<std::optional<std::string>> {
        return attempt<std::optional<std::string>>(self, "load", [&](io::CheckpointStore& s) { return s.load(campaign_id); });
      },
      [=](claim_atom, const std::string& campaign_id, std::uint64_t fence) -> caf::result<bool> {
        return attempt<bool>(self, "claim", [&](io::CheckpointStore& s) {
          s.claim(campaign_id, fence);
          return true;
        });
      },
      [=](campaign_index_atom) -> caf::result<std::vector<std::string>> {
        return attempt<std::vector<std::string>>(self, "index", [&](io::CheckpointStore& s) { return s.campaigns(); });
      },
      [=](outbox_atom, const std::string& campaign_id) -> caf::result<std::vector<io::OutboxEntry>> {
        return attempt<std::vector<io::OutboxEntry>>(self, "outbox", [&](io::CheckpointStore& s) {
          return s.outbox(campaign_id, s.outbox_length(campaign_id));
        });
      },
      [=](outbox_done_atom, const std::string& campaign_id, const std::vector<std::string>& ids) {
        auto r = attempt<std::size_t>(self, "outbox done", [&](io::CheckpointStore& s) { return s.done(campaign_id, ids); });
        if (r.flag == caf::rt_error)
          spdlog::warn("checkpoint store: {} written entries of {} stay in the outbox until the next start: {}", ids.size(),
                       campaign_id, self->system().render(r.err));
      },
      [=](persistence_atom) -> caf::result<io::PersistenceReport> {
        try {
          return io::check_persistence(redis(self));
        } catch (const std::exception& e) {
          return io::PersistenceReport{false, std::string("cannot reach Redis: ") + e.what()};
        }
      },
  };
}

}  // namespace hourglass::actors
