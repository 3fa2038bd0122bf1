#include "io/outbox_delivery.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace hourglass::io {
namespace {

WriteOutcome retry_later(const std::string& why) {
  WriteOutcome o;
  o.retryable = true;
  o.unavailable = true;  // Redis or the API is not there: wait, however long
  o.message = why;
  return o;
}

WriteOutcome in_doubt(const std::string& why) {
  WriteOutcome o;
  o.in_doubt = true;
  o.message = "in doubt, not run again: " + why;
  return o;
}

// Done without a call: it took effect already.
WriteOutcome already_done(const std::string& why) {
  WriteOutcome o;
  o.done = true;
  o.kind = ApiError::Kind::AlreadyApplied;
  o.message = why;
  return o;
}

WriteOutcome ran_before() {
  return already_done("already executed before the crash (its executions grew since the mark)");
}

WriteOutcome api_failure(const ApiError& e, const std::string& what) {
  WriteOutcome o = failed_write(e);
  o.message = what + ": " + o.message;
  return o;
}

WriteOutcome done_elsewhere() {
  return already_done("done by another instance meanwhile (the entry left the outbox)");
}

std::optional<std::size_t> parse_count(const std::string& text) {
  try {
    std::size_t used = 0;
    const unsigned long long n = std::stoull(text, &used);
    if (used != text.size() || text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ')
      return std::nullopt;
    return static_cast<std::size_t>(n);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A mark is "<count>@<Redis ms>", or "<count>" as marks were written before
// the call window (no time: it holds nothing).
struct Mark {
  std::size_t count = 0;
  std::optional<std::int64_t> marked_at_ms;
};

std::optional<Mark> parse_mark(const std::string& text) {
  const std::size_t at = text.find('@');
  const std::optional<std::size_t> count = parse_count(text.substr(0, at));
  if (!count) return std::nullopt;
  if (at == std::string::npos) return Mark{*count, std::nullopt};
  const std::optional<std::size_t> ms = parse_count(text.substr(at + 1));
  if (!ms) return std::nullopt;
  return Mark{*count, static_cast<std::int64_t>(*ms)};
}

std::string seconds(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

// One getEffect read serves both questions: how often it ran (the mark) and
// what it hangs on (which campaign it belongs to).
WriteOutcome execute_effect_once(CampaignApi& api, EntityOwners& owners, CheckpointStore* store,
                                 const std::string& campaign_id, const std::string& entry_id, const EntityWrite& w,
                                 const EffectCallTiming& timing) {
  if (!store) return retry_later("no Redis connection: an effect is not called before its in-flight mark is stored");
  CheckpointStore::MarkNow seen;
  try {
    seen = store->in_flight_mark_now(campaign_id, entry_id);
  } catch (const std::exception& e) {
    return retry_later(std::string("cannot read the in-flight mark: ") + e.what());
  }
  std::optional<Mark> mark;
  if (seen.mark) {
    mark = parse_mark(*seen.mark);
    if (!mark) return in_doubt("effect " + w.entity_id + " has the in-flight mark \"" + *seen.mark + "\", not a count");
    // A call made in that mark's window may not have reached the API yet:
    // the count is read only once it must have.
    if (mark->marked_at_ms && seen.now_ms < *mark->marked_at_ms + timing.hold.count())
      return retry_later("marked in flight " + seconds(seen.now_ms - *mark->marked_at_ms) +
                         " ago: its call may still be on its way; the count is read once the mark is " +
                         seconds(timing.hold.count()) + " old");
  }
  // Read after the mark's hold: a call made in its window shows in the count.
  const auto effect = api.get_effect(w.entity_id);
  if (!effect.ok() && effect.error.retryable()) return api_failure(effect.error, "counting its executions");
  if (mark) {
    // Called before (by a process that died or paused before its `done`).
    if (!effect.ok()) return in_doubt("its executions cannot be read: " + effect.error.message);
    if (!*effect.value) return in_doubt("its executions cannot be read: getEffect answered null");
    if ((*effect.value)->executions > mark->count) return ran_before();
    // Provably not run, and no call of that mark can come any more.
  }
  // An effect the API cannot show is not run: which campaign it belongs to
  // cannot be told (and the call would have no count to compare with).
  if (auto stop = unless_effect_owned(api, owners, campaign_id, w.entity_id, effect)) return *stop;
  // The window is measured from before the mark: a pause anywhere after
  // this point (even before Redis answers) counts against it.
  const auto window_start = std::chrono::steady_clock::now();
  try {
    switch (store->claim_call(campaign_id, entry_id, seen.mark, (*effect.value)->executions)) {
      case CheckpointStore::CallClaim::Go:
        break;
      case CheckpointStore::CallClaim::Gone:
        return done_elsewhere();
      case CheckpointStore::CallClaim::Changed:
        return retry_later("another call of it was marked in flight meanwhile");
    }
  } catch (const std::exception& e) {
    return retry_later(std::string("cannot store the in-flight mark: ") + e.what());
  }
  const auto since_mark = std::chrono::steady_clock::now() - window_start;
  if (since_mark > timing.window)
    return retry_later("paused " +
                       seconds(std::chrono::duration_cast<std::chrono::milliseconds>(since_mark).count()) +
                       " between its in-flight mark and its call: not called (another instance may run it once the "
                       "mark's hold has passed)");
  return execute_write(api, w, std::string());
}

}  // namespace

EffectCallTiming effect_call_timing(std::chrono::milliseconds api_timeout) {
  EffectCallTiming t;
  t.hold = t.window + api_timeout + std::chrono::milliseconds(1000);
  return t;
}

WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, EntityOwners& owners,
                                  CheckpointStore* store, const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write, const EffectCallTiming& timing) {
  if (write.kind == EntityWrite::Kind::ExecuteEffect)
    return execute_effect_once(api, owners, store, campaign_id, entry_id, write, timing);
  return execute_campaign_write(api, branches, owners, campaign_id, write);
}

WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, CheckpointStore* store,
                                  const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write, const EffectCallTiming& timing) {
  EntityOwners owners;
  return deliver_outbox_entry(api, branches, owners, store, campaign_id, entry_id, write, timing);
}

}  // namespace hourglass::io
