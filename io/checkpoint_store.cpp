#include "io/checkpoint_store.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "io/write_executor.hpp"
#include "messages/dead_letter_codec.hpp"
#include "messages/input_error.hpp"

namespace hourglass::io {
namespace {

void require_id(const std::string& campaign_id) {
  if (campaign_id.empty()) throw std::invalid_argument("checkpoint store: empty campaign id");
}

// "ms-seq" as numbers, for stream order; text that is not an id sorts last.
std::tuple<int, std::uint64_t, std::uint64_t, std::string> stream_order(const std::string& id) {
  const auto dash = id.find('-');
  try {
    if (dash != std::string::npos) {
      return {0, std::stoull(id.substr(0, dash)), std::stoull(id.substr(dash + 1)), id};
    }
  } catch (const std::exception&) {
  }
  return {1, 0, 0, id};
}

const std::string* find_value(const std::vector<std::pair<std::string, std::string>>& config, const std::string& name) {
  for (const auto& [k, v] : config) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

std::string checkpoint_key(const std::string& campaign_id) { return "hourglass:{" + campaign_id + "}:checkpoint"; }
std::string outbox_key(const std::string& campaign_id) { return "hourglass:{" + campaign_id + "}:outbox"; }
std::string inflight_key(const std::string& campaign_id) { return "hourglass:{" + campaign_id + "}:inflight"; }

PersistenceReport assess_persistence(const std::vector<std::pair<std::string, std::string>>& config) {
  const std::string* aof = find_value(config, "appendonly");
  const std::string* fsync = find_value(config, "appendfsync");
  const std::string* save = find_value(config, "save");
  if (!aof) return {false, "CONFIG GET appendonly gave no value: persistence unknown"};
  if (*aof != "yes") {
    const std::string snapshots = !save || save->empty()
                                      ? "and no RDB snapshots (save \"\"): a restart of Redis loses all state"
                                      : "only RDB snapshots (save \"" + *save +
                                            "\"): a crash loses every commit since the last snapshot";
    return {false, "appendonly " + *aof + ", " + snapshots};
  }
  if (!fsync) return {false, "appendonly yes but CONFIG GET appendfsync gave no value"};
  if (*fsync == "always") return {true, "appendonly yes, appendfsync always: each commit is on disk before Redis answers"};
  if (*fsync == "everysec") {
    return {true,
            "appendonly yes, appendfsync everysec: a crash of the machine (not of redis-server alone) loses up to the "
            "last 1 s of commits"};
  }
  return {false, "appendonly yes but appendfsync " + *fsync +
                     ": the OS decides when commits reach the disk; a machine crash loses an unbounded window"};
}

PersistenceReport check_persistence(RedisConnection& redis) {
  try {
    std::vector<std::pair<std::string, std::string>> config;
    for (const char* p : {"appendonly", "appendfsync", "save"}) {
      for (auto& kv : redis.config_get(p)) config.push_back(std::move(kv));
    }
    return assess_persistence(config);
  } catch (const std::exception& e) {
    return {false, std::string("cannot read Redis' persistence settings: ") + e.what()};
  }
}

std::vector<std::string> CheckpointStore::commit(const std::string& campaign_id, const std::string& checkpoint_text,
                                                 const std::vector<EntityWrite>& writes) {
  require_id(campaign_id);
  const std::string ck = checkpoint_key(campaign_id);
  const std::string ob = outbox_key(campaign_id);
  redis_.sadd(kCampaignIndexKey, {campaign_id});

  std::vector<std::vector<std::string>> commands;
  commands.push_back({"SET", ck, checkpoint_text});
  for (const EntityWrite& w : writes) commands.push_back({"XADD", ob, "*", "write", write_to_json(campaign_id, w).dump()});

  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    redis_.watch({ck, ob});
    const std::string ck_type = redis_.type(ck);
    const std::string ob_type = redis_.type(ob);
    if ((ck_type != "none" && ck_type != "string") || (ob_type != "none" && ob_type != "stream")) {
      redis_.unwatch();
      throw CheckpointStoreError("commit of campaign " + campaign_id + " refused, nothing written: " + ck + " is a " +
                                     ck_type + " (want string), " + ob + " is a " + ob_type + " (want stream)",
                                 false);
    }
    try {
      const std::vector<RedisReply> replies = redis_.exec_transaction(commands);
      std::vector<std::string> ids;
      for (std::size_t i = 1; i < replies.size(); ++i) ids.push_back(replies[i].text);
      return ids;
    } catch (const RedisTransactionError& e) {
      if (e.watch_aborted() && attempt < kAttempts) continue;
      throw CheckpointStoreError("commit of campaign " + campaign_id +
                                     (e.applied() ? " PARTIALLY APPLIED (rebuild this campaign's state): "
                                                  : " not applied: ") +
                                     e.what(),
                                 e.applied());
    }
  }
}

std::optional<std::string> CheckpointStore::load(const std::string& campaign_id) {
  require_id(campaign_id);
  return redis_.get(checkpoint_key(campaign_id));
}

std::vector<std::string> CheckpointStore::campaigns() {
  std::vector<std::string> ids = redis_.smembers(kCampaignIndexKey);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<OutboxEntry> CheckpointStore::outbox(const std::string& campaign_id, std::size_t count) {
  require_id(campaign_id);
  std::vector<OutboxEntry> out;
  if (count == 0) return out;
  for (const StreamEntry& e : redis_.xrange(outbox_key(campaign_id), "-", "+", count)) {
    OutboxEntry entry;
    entry.id = e.id;
    entry.campaign_id = campaign_id;
    const std::string* text = nullptr;
    for (const auto& [k, v] : e.fields) {
      if (k == "write") text = &v;
    }
    if (!text) {
      entry.refusal = "outbox entry " + e.id + " has no `write` field";
    } else {
      try {
        const messages::DeadLetterWrite read = messages::read_dead_letter_write(*text);
        if (read.campaign_id != campaign_id) {
          entry.refusal = "outbox entry " + e.id + ": $.campaignId: \"" + read.campaign_id + "\", not this campaign's";
        } else {
          entry.write = write_from_entry(read);
        }
      } catch (const std::exception& ex) {  // InputError, or invalid_argument for an unknown kind
        entry.refusal = "outbox entry " + e.id + ": " + ex.what();
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::size_t CheckpointStore::outbox_length(const std::string& campaign_id) {
  require_id(campaign_id);
  return redis_.xlen(outbox_key(campaign_id));
}

void CheckpointStore::mark_in_flight(const std::string& campaign_id, const std::string& entry_id,
                                     const std::string& mark) {
  require_id(campaign_id);
  redis_.hset(inflight_key(campaign_id), entry_id, mark);
}

std::optional<std::string> CheckpointStore::in_flight_mark(const std::string& campaign_id, const std::string& entry_id) {
  require_id(campaign_id);
  return redis_.hget(inflight_key(campaign_id), entry_id);
}

std::vector<std::string> CheckpointStore::in_flight(const std::string& campaign_id) {
  require_id(campaign_id);
  std::vector<std::string> ids = redis_.hkeys(inflight_key(campaign_id));
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return stream_order(a) < stream_order(b); });
  return ids;
}

std::size_t CheckpointStore::done(const std::string& campaign_id, const std::vector<std::string>& ids) {
  require_id(campaign_id);
  if (ids.empty()) return 0;
  std::vector<std::string> xdel{"XDEL", outbox_key(campaign_id)};
  std::vector<std::string> hdel{"HDEL", inflight_key(campaign_id)};
  xdel.insert(xdel.end(), ids.begin(), ids.end());
  hdel.insert(hdel.end(), ids.begin(), ids.end());
  const std::vector<RedisReply> replies = redis_.exec_transaction({xdel, hdel});
  return static_cast<std::size_t>(replies.at(0).integer);
}

void CheckpointStore::forget(const std::string& campaign_id) {
  require_id(campaign_id);
  redis_.exec_transaction({{"DEL", checkpoint_key(campaign_id), outbox_key(campaign_id), inflight_key(campaign_id)}});
  redis_.srem(kCampaignIndexKey, {campaign_id});
}

}  // namespace hourglass::io
