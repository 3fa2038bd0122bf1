#include "io/input_dead_letters.hpp"

#include <algorithm>
#include <set>

namespace hourglass::io {
namespace {

std::string field(const StreamEntry& e, std::string_view name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return v;
  return {};
}

RetryResult result(const InputDeadLetter& d, RetryResult::Status status, std::string message) {
  RetryResult r;
  r.id = d.shown_id();
  r.status = status;
  r.message = std::move(message);
  return r;
}

// Sends the message back into the input; the dead letter goes once it is sent.
RetryResult resend(RedisConnection& redis, std::string_view stream, const InputDeadLetter& d,
                   const InputTarget& target) {
  using S = RetryResult::Status;
  if (d.channel.empty())
    return result(d, S::Malformed, "no channel to send it on (a stream entry that named none): read it, then XDEL it");
  if (d.truncated)
    return result(d, S::Malformed, "its payload was cut at 1 MiB: it cannot be sent again whole");
  std::string sent;
  try {
    // SPEC §6's messages go where the service reads them; the campaign
    // API's own traffic is pub/sub whatever the input (stream,campaign-manager).
    if (target.stream && d.channel.rfind("campaign.", 0) == 0) {
      const std::string id = redis.xadd(target.stream_key, {{"channel", d.channel}, {"payload", d.payload}});
      sent = "added to " + target.stream_key + " as " + id;
    } else {
      if (redis.publish(d.channel, d.payload) == 0)
        return result(d, S::Failed,
                      "nobody subscribes to " + d.channel + " (is hourglass serve running, listening to it?): kept");
      sent = "published on " + d.channel;
    }
  } catch (const std::exception& e) {
    return result(d, S::Failed, "not sent: " + std::string(e.what()));
  }
  try {
    const std::size_t removed = redis.xdel(stream, {d.id});
    return result(d, S::Done, sent + (removed == 1 ? ", removed" : ", already removed by someone else"));
  } catch (const std::exception& e) {
    return result(d, S::NotRemoved,
                  sent + ", but NOT removed (" + e.what() + "); do not retry it: delete it with XDEL");
  }
}

std::vector<RetryResult> resend_selected(RedisConnection& redis, std::string_view stream,
                                         const std::vector<InputDeadLetter>& entries,
                                         const std::set<std::string>* selected, const InputTarget& target) {
  std::vector<RetryResult> results;
  for (const InputDeadLetter& d : entries) {
    if (selected && selected->count(d.id) == 0) continue;
    if (redis.broken()) {
      results.push_back(result(d, RetryResult::Status::Failed,
                               "not tried: the Redis connection was lost (" + redis.error() + ")"));
      continue;
    }
    results.push_back(resend(redis, stream, d, target));
  }
  return results;
}

}  // namespace

std::optional<std::string> input_stream_id(std::string_view shown) {
  if (shown.substr(0, kInputIdPrefix.size()) != kInputIdPrefix) return std::nullopt;
  const std::string_view id = shown.substr(kInputIdPrefix.size());
  if (!is_stream_id(id)) return std::nullopt;
  return std::string(id);
}

InputDeadLetter parse_input_dead_letter(const StreamEntry& entry) {
  return InputDeadLetter{entry.id, field(entry, "reason"), field(entry, "channel"), field(entry, "payload"),
                         field(entry, "truncated") == "true"};
}

std::vector<InputDeadLetter> read_input_dead_letters(RedisConnection& redis, std::string_view stream) {
  std::vector<InputDeadLetter> all;
  for (const auto& e : read_stream_entries(redis, stream)) all.push_back(parse_input_dead_letter(e));
  return all;
}

nlohmann::json to_json(const InputDeadLetter& d) {
  return {{"id", d.shown_id()}, {"queue", "input"},     {"reason", d.reason},
          {"channel", d.channel}, {"payload", d.payload}, {"truncated", d.truncated}};
}

std::vector<RetryResult> retry_input_dead_letters(RedisConnection& redis, std::string_view stream,
                                                  const std::vector<std::string>& stream_ids,
                                                  const InputTarget& target) {
  const std::vector<InputDeadLetter> entries = read_input_dead_letters(redis, stream);
  const std::set<std::string> selected(stream_ids.begin(), stream_ids.end());
  std::vector<RetryResult> results;
  for (const std::string& id : selected) {
    if (std::none_of(entries.begin(), entries.end(), [&](const InputDeadLetter& d) { return d.id == id; })) {
      InputDeadLetter missing;
      missing.id = id;
      results.push_back(result(missing, RetryResult::Status::NotFound,
                               "no dead letter with id " + id + " in " + std::string(stream)));
    }
  }
  auto rest = resend_selected(redis, stream, entries, &selected, target);
  results.insert(results.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return results;
}

std::vector<RetryResult> retry_all_input_dead_letters(RedisConnection& redis, std::string_view stream,
                                                      const InputTarget& target) {
  return resend_selected(redis, stream, read_input_dead_letters(redis, stream), nullptr, target);
}

}  // namespace hourglass::io
