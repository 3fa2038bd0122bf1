#include "io/dead_letters.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "io/write_executor.hpp"

namespace hourglass::io {
namespace {

constexpr std::size_t kPage = 500;  // entries per XRANGE: a long stream is read in pieces

const std::string* field(const StreamEntry& e, std::string_view name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return &v;
  return nullptr;
}

// Writes of one entity must land in order; this names the entity.
std::string entity_key(const DeadLetter& d) {
  return d.campaign_id + "/" + to_string(d.write->kind) + "/" + d.write->entity_id;
}

std::string describe(const DeadLetter& d) {
  return std::string(to_string(d.write->kind)) + " " + d.write->entity_id + " (campaign " + d.campaign_id + ")";
}

RetryResult result(const std::string& id, RetryResult::Status status, std::string message) {
  RetryResult r;
  r.id = id;
  r.status = status;
  r.message = std::move(message);
  return r;
}

// A failed effect stays in doubt from now on: the attempt is written into
// its entry. Stream entries cannot change, so the entry is added again (new
// id, at the end; an effect has a single entry, so its order does not matter)
// and the old one removed.
void record_effect_attempt(RedisConnection& redis, std::string_view stream, const DeadLetter& d,
                           const std::string& failure, RetryResult& r) {
  try {
    // The entry as the gateway writes it (gateway_actor), with this attempt.
    nlohmann::json entry = write_to_json(d.campaign_id, *d.write);
    entry["attempts"] = d.attempts.value_or(0) + 1;
    entry["reason"] = "dlq retry: " + failure;
    r.new_id = redis.xadd(stream, {{"write", entry.dump()}});
    redis.xdel(stream, {d.id});
    r.message += "; kept as " + r.new_id + " (attempts " + std::to_string(d.attempts.value_or(0) + 1) + ")";
  } catch (const std::exception& e) {
    r.message += "; the attempt could not be recorded (" + std::string(e.what()) +
                 "): the effect may have run, do not retry it without checking";
  }
}

// Retries one readable entry: the write, then the XDEL. `unavailable` gets
// the failure when the API could not be reached.
RetryResult retry_one(RedisConnection& redis, CampaignApi& api, CampaignBranches& branches, std::string_view stream,
                      const DeadLetter& d, const RetryOptions& options, std::string& unavailable) {
  using S = RetryResult::Status;
  const bool effect = d.write->kind == EntityWrite::Kind::ExecuteEffect;
  if (effect && effect_in_doubt(d) && !options.force) {
    return result(d.id, S::InDoubt,
                  describe(d) + " may already have run (" +
                      (d.attempts ? std::to_string(*d.attempts) + " attempt(s)" : std::string("attempts unknown")) +
                      (d.reason.empty() ? "" : ", last: " + d.reason) +
                      "); the API does not deduplicate effects: check its executions, then retry with --force");
  }
  const WriteOutcome outcome = execute_campaign_write(api, branches, d.campaign_id, *d.write, options.lock_attempts);
  if (!outcome.done) {
    if (outcome.unavailable) unavailable = outcome.message;
    RetryResult r = result(d.id, S::Failed, describe(d) + ": " + outcome.message);
    if (effect) record_effect_attempt(redis, stream, d, outcome.message, r);
    return r;
  }
  try {
    const std::size_t removed = redis.xdel(stream, {d.id});
    return result(d.id, S::Done,
                  describe(d) + ": written" + (removed == 1 ? ", removed" : ", already removed by someone else"));
  } catch (const std::exception& e) {
    return result(d.id, S::NotRemoved,
                  describe(d) + ": written, but NOT removed (" + e.what() + "); do not retry it: delete it with XDEL");
  }
}

// The common walk: every entry in stream order; `selected` says which to retry.
std::vector<RetryResult> retry_selected(RedisConnection& redis, CampaignApi& api, std::string_view stream,
                                        const std::vector<DeadLetter>& entries, const std::set<std::string>* selected,
                                        const RetryOptions& options) {
  using S = RetryResult::Status;
  std::vector<RetryResult> results;
  std::map<std::string, std::string> held;  // entity -> its oldest entry still in the stream
  std::string stop;  // once set, nothing more is tried (and why)
  CampaignBranches branches(options.campaign_branches);  // each campaign's main branch asked once
  for (const DeadLetter& d : entries) {
    const bool wanted = !selected || selected->count(d.id) > 0;
    if (d.malformed()) {  // its entity is unknown, so it holds nothing back
      if (wanted) results.push_back(result(d.id, S::Malformed, "cannot be read: " + d.error));
      continue;
    }
    const std::string key = entity_key(d);
    if (!wanted) {
      held.emplace(key, d.id);
      continue;
    }
    if (auto it = held.find(key); it != held.end()) {
      results.push_back(result(d.id, S::Blocked,
                               describe(d) + ": waits for the older dead letter " + it->second +
                                   " of the same entity (retry that one first, or both together)"));
      continue;
    }
    if (stop.empty() && redis.broken()) stop = "the Redis connection was lost (" + redis.error() + ")";
    if (!stop.empty()) {
      results.push_back(result(d.id, S::Failed, describe(d) + ": not tried: " + stop));
      held.emplace(key, d.id);
      continue;
    }
    std::string unavailable;
    RetryResult r = retry_one(redis, api, branches, stream, d, options, unavailable);
    if (!r.done()) held.emplace(key, d.id);
    // An API that cannot be reached would fail every later entry too, each
    // after its timeout: stop, and say so for the rest.
    if (!unavailable.empty()) stop = "the API is unavailable (" + unavailable + ")";
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace

const char* entity_type(EntityWrite::Kind kind) { return sim::entity_type_name(entity_type_of(kind)); }

const char* to_string(RetryResult::Status status) {
  using S = RetryResult::Status;
  switch (status) {
    case S::Done: return "done";
    case S::Failed: return "failed";
    case S::Malformed: return "malformed";
    case S::Blocked: return "blocked";
    case S::InDoubt: return "in-doubt";
    case S::NotFound: return "not-found";
    case S::NotRemoved: return "not-removed";
  }
  return "unknown";
}

bool is_stream_id(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return false;
  auto digits = [](std::string_view s) {
    return s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(id.substr(0, dash)) && digits(id.substr(dash + 1));
}

DeadLetter parse_dead_letter(const StreamEntry& entry) {
  DeadLetter d;
  d.id = entry.id;
  const std::string* text = field(entry, "write");
  if (!text) {
    d.error = "no `write` field";
    return d;
  }
  d.raw = *text;
  try {
    const messages::DeadLetterWrite entry = messages::read_dead_letter_write(*text);
    d.reason = entry.reason;
    d.attempts = entry.attempts;
    d.write = write_from_entry(entry);
    d.campaign_id = entry.campaign_id;
  } catch (const std::exception& e) {  // messages::InputError, or an unknown kind
    d.error = e.what();
  }
  return d;
}

CappedAppend append_capped(RedisConnection& redis, std::string_view stream,
                           const std::vector<std::pair<std::string, std::string>>& fields, std::size_t max) {
  if (fields.empty()) throw std::invalid_argument("append_capped: no fields");
  if (max == 0) throw std::invalid_argument("append_capped: the cap must be at least 1");
  std::vector<std::string> xadd{"XADD", std::string(stream), "*"};
  for (const auto& [k, v] : fields) {
    xadd.push_back(k);
    xadd.push_back(v);
  }
  const auto replies =
      redis.exec_transaction({std::move(xadd), {"XTRIM", std::string(stream), "MAXLEN", "~", std::to_string(max)}});
  return CappedAppend{replies.at(0).text, static_cast<std::size_t>(replies.at(1).integer)};
}

std::vector<StreamEntry> read_stream_entries(RedisConnection& redis, std::string_view stream) {
  std::vector<StreamEntry> all;
  std::string start = "-";
  for (;;) {
    auto page = redis.xrange(stream, start, "+", kPage);
    const bool last = page.size() < kPage;
    if (!last) start = "(" + page.back().id;  // exclusive: after the last one read
    all.insert(all.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    if (last) return all;
  }
}

std::vector<DeadLetter> read_dead_letters(RedisConnection& redis, std::string_view stream) {
  std::vector<DeadLetter> all;
  for (const auto& e : read_stream_entries(redis, stream)) all.push_back(parse_dead_letter(e));
  return all;
}

nlohmann::json to_json(const DeadLetter& d) {
  if (d.malformed()) return {{"id", d.id}, {"error", d.error}, {"write", d.raw}};
  nlohmann::json j{{"id", d.id},
                   {"campaignId", d.campaign_id},
                   {"kind", to_string(d.write->kind)},
                   {"entityType", entity_type(d.write->kind)},
                   {"entityId", d.write->entity_id},
                   {"worldTime", sim::format_world_time(d.write->world_time)},
                   {"idempotencyKey", d.write->idempotency_key},
                   {"changes", d.write->changes}};
  if (!d.reason.empty()) j["reason"] = d.reason;
  if (d.attempts) j["attempts"] = *d.attempts;
  return j;
}

bool effect_in_doubt(const DeadLetter& d) {
  return !d.malformed() && d.write->kind == EntityWrite::Kind::ExecuteEffect && d.attempts.value_or(1) > 0;
}

std::vector<RetryResult> retry_dead_letters(RedisConnection& redis, CampaignApi& api, std::string_view stream,
                                            const std::vector<std::string>& ids, const RetryOptions& options) {
  const std::vector<DeadLetter> entries = read_dead_letters(redis, stream);
  std::set<std::string> selected(ids.begin(), ids.end());
  std::vector<RetryResult> results;
  for (const std::string& id : selected) {
    const bool present = std::any_of(entries.begin(), entries.end(), [&](const DeadLetter& d) { return d.id == id; });
    if (!present)
      results.push_back(result(id, RetryResult::Status::NotFound, "no dead letter with id " + id + " in " +
                                                                      std::string(stream)));
  }
  auto rest = retry_selected(redis, api, stream, entries, &selected, options);
  results.insert(results.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return results;
}

std::vector<RetryResult> retry_all_dead_letters(RedisConnection& redis, CampaignApi& api, std::string_view stream,
                                                const RetryOptions& options) {
  return retry_selected(redis, api, stream, read_dead_letters(redis, stream), nullptr, options);
}

}  // namespace hourglass::io
