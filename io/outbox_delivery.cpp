#include "io/outbox_delivery.hpp"

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

WriteOutcome ran_before() {
  WriteOutcome o;
  o.done = true;
  o.kind = ApiError::Kind::AlreadyApplied;
  o.message = "already executed before the crash (its executions grew since the mark)";
  return o;
}

WriteOutcome api_failure(const ApiError& e, const std::string& what) {
  WriteOutcome o = failed_write(e);
  o.message = what + ": " + o.message;
  return o;
}

std::optional<std::size_t> count_of(const std::string& mark) {
  try {
    std::size_t used = 0;
    const unsigned long long n = std::stoull(mark, &used);
    if (used != mark.size()) return std::nullopt;
    return static_cast<std::size_t>(n);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// One getEffect read serves both questions: how often it ran (the mark) and
// what it hangs on (which campaign it belongs to).
WriteOutcome execute_effect_once(CampaignApi& api, EntityOwners& owners, CheckpointStore* store,
                                 const std::string& campaign_id, const std::string& entry_id, const EntityWrite& w) {
  if (!store) return retry_later("no Redis connection: an effect is not called before its in-flight mark is stored");
  std::optional<std::string> mark;
  try {
    mark = store->in_flight_mark(campaign_id, entry_id);
  } catch (const std::exception& e) {
    return retry_later(std::string("cannot read the in-flight mark: ") + e.what());
  }
  const auto effect = api.get_effect(w.entity_id);
  if (!effect.ok() && effect.error.retryable()) return api_failure(effect.error, "counting its executions");
  if (mark) {
    // Called before, by a process that died before its `done`.
    const std::optional<std::size_t> before = count_of(*mark);
    if (!before) return in_doubt("effect " + w.entity_id + " has the in-flight mark \"" + *mark + "\", not a count");
    if (!effect.ok()) return in_doubt("its executions cannot be read: " + effect.error.message);
    if (!*effect.value) return in_doubt("its executions cannot be read: getEffect answered null");
    if ((*effect.value)->executions > *before) return ran_before();
    // Provably not run: the count did not move. The mark stays as it is.
  }
  // An effect the API cannot show is not run: which campaign it belongs to
  // cannot be told (and the call would have no count to compare with).
  if (auto stop = unless_effect_owned(api, owners, campaign_id, w.entity_id, effect)) return *stop;
  if (!mark) {
    try {
      store->mark_in_flight(campaign_id, entry_id, std::to_string((*effect.value)->executions));
    } catch (const std::exception& e) {
      return retry_later(std::string("cannot store the in-flight mark: ") + e.what());
    }
  }
  return execute_write(api, w, std::string());
}

}  // namespace

WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, EntityOwners& owners,
                                  CheckpointStore* store, const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write) {
  if (write.kind == EntityWrite::Kind::ExecuteEffect)
    return execute_effect_once(api, owners, store, campaign_id, entry_id, write);
  return execute_campaign_write(api, branches, owners, campaign_id, write);
}

WriteOutcome deliver_outbox_entry(CampaignApi& api, CampaignBranches& branches, CheckpointStore* store,
                                  const std::string& campaign_id, const std::string& entry_id,
                                  const EntityWrite& write) {
  EntityOwners owners;
  return deliver_outbox_entry(api, branches, owners, store, campaign_id, entry_id, write);
}

}  // namespace hourglass::io
