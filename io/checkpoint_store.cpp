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
std::string commit_key(const std::string& campaign_id) { return "hourglass:{" + campaign_id + "}:commit"; }
std::string campaign_fence_key(const std::string& campaign_id) { return "hourglass:{" + campaign_id + "}:fence"; }

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

namespace {

// KEYS[1] checkpoint, KEYS[2] outbox, KEYS[3] the last commit's token and
// ids, KEYS[4] the campaign's fence; ARGV[1] the token (empty: none),
// ARGV[2] the fence token (empty: no fence check; a campaign with no fence
// key, which only a Redis that lost its data or an operator's DEL leaves
// after a claim, is claimed by the commit), ARGV[3] the checkpoint
// text, ARGV[4..] the write texts. Returns the new entry ids, in ARGV's
// order; a commit whose token is the last one committed returns that
// commit's ids and writes nothing (a retry of a commit whose reply was
// lost). Every check comes before the first write: a script does not roll
// back (see the header). Its error replies start with a code commit() tells
// apart: HOURGLASS_REFUSED, HOURGLASS_FENCED and HOURGLASS_NOT_APPLIED
// (nothing written), HOURGLASS_PARTIAL (the checkpoint and some entries
// written).
const char* const kCommitScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local ct = redis.call('TYPE', KEYS[1]).ok
local ot = redis.call('TYPE', KEYS[2]).ok
local kt = redis.call('TYPE', KEYS[3]).ok
local ft = redis.call('TYPE', KEYS[4]).ok
if (ct ~= 'none' and ct ~= 'string') or (ot ~= 'none' and ot ~= 'stream') or (kt ~= 'none' and kt ~= 'string') or
   (ft ~= 'none' and ft ~= 'string') then
  return redis.error_reply('HOURGLASS_REFUSED ' .. KEYS[1] .. ' is a ' .. ct .. ' (want string), ' ..
                           KEYS[2] .. ' is a ' .. ot .. ' (want stream), ' .. KEYS[3] .. ' is a ' .. kt ..
                           ' (want string), ' .. KEYS[4] .. ' is a ' .. ft .. ' (want string)')
end
local fence = false
if ARGV[2] ~= '' then
  fence = redis.call('GET', KEYS[4])
  if fence and fence ~= ARGV[2] then
    return redis.error_reply('HOURGLASS_FENCED ' .. KEYS[4] .. ' holds ' .. fence ..
                             ', this commit carries token ' .. ARGV[2])
  end
end
if ARGV[1] ~= '' then
  local last = redis.call('GET', KEYS[3])
  if last then
    local bar = string.find(last, '|', 1, true)
    if bar and string.sub(last, 1, bar - 1) == ARGV[1] then
      local again = {}
      for id in string.gmatch(string.sub(last, bar + 1), '[^,]+') do again[#again + 1] = id end
      return again
    end
  end
end
local set = redis.pcall('SET', KEYS[1], ARGV[3])
if type(set) == 'table' and set.err then
  return redis.error_reply('HOURGLASS_NOT_APPLIED SET: ' .. set.err)
end
if ARGV[2] ~= '' and not fence then redis.call('SET', KEYS[4], ARGV[2]) end
local ids = {}
for i = 4, #ARGV do
  local id = redis.pcall('XADD', KEYS[2], '*', 'write', ARGV[i])
  if type(id) == 'table' and id.err then
    return redis.error_reply('HOURGLASS_PARTIAL the checkpoint and ' .. (i - 4) .. ' of ' .. (#ARGV - 3) ..
                             ' outbox entries written; XADD ' .. (i - 3) .. ': ' .. id.err)
  end
  ids[i - 3] = id
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[3], ARGV[1] .. '|' .. table.concat(ids, ',')) end
return ids
)lua";

// KEYS[1] the campaign's fence; ARGV[1] the claiming token. A fence above
// it refuses the claim (HOURGLASS_FENCED, nothing written); else the fence
// becomes it. Tokens compare as numbers (Lua's doubles: exact below 2^53).
const char* const kClaimScript = R"lua(
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'none' and t ~= 'string' then
  return redis.error_reply('HOURGLASS_REFUSED ' .. KEYS[1] .. ' is a ' .. t .. ' (want string)')
end
local stored = redis.call('GET', KEYS[1])
if stored and tonumber(stored) and tonumber(stored) > tonumber(ARGV[1]) then
  return redis.error_reply('HOURGLASS_FENCED ' .. KEYS[1] .. ' holds ' .. stored .. ', above the claiming token ' ..
                           ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
)lua";

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

namespace {

// KEYS[1] the in-flight marks; ARGV[1] the entry id. Its mark (or false)
// and Redis' clock in ms.
const char* const kMarkNowScript = R"lua(
local t = redis.call('TIME')
return {redis.call('HGET', KEYS[1], ARGV[1]), tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)}
)lua";

// KEYS[1] the outbox, KEYS[2] the in-flight marks; ARGV[1] the entry id,
// ARGV[2] the mark seen before ('' for none), ARGV[3] the executions counted.
// Gone when the entry has left the outbox (done by another instance),
// Changed when its mark is not the one seen, else the mark becomes
// "<count>@<Redis' time in ms>".
const char* const kClaimCallScript = R"lua(
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return 'gone' end
local mark = redis.call('HGET', KEYS[2], ARGV[1])
if (mark or '') ~= ARGV[2] then return 'changed' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. '@' .. string.format('%d', now))
return 'go'
)lua";

}  // namespace

CheckpointStore::CheckpointStore(RedisConnection& redis)
    : redis_(redis),
      commit_script_(kCommitScript),
      claim_script_(kClaimScript),
      mark_now_script_(kMarkNowScript),
      claim_call_script_(kClaimCallScript) {}

std::vector<std::string> CheckpointStore::commit(const std::string& campaign_id, const std::string& checkpoint_text,
                                                 const std::vector<EntityWrite>& writes, const std::string& token,
                                                 std::uint64_t fence) {
  if (token.find('|') != std::string::npos) throw std::invalid_argument("checkpoint store: a token may not hold '|'");
  require_id(campaign_id);
  const std::string ck = checkpoint_key(campaign_id);
  const std::string ob = outbox_key(campaign_id);
  if (indexed_.count(campaign_id) == 0) {
    redis_.sadd(kCampaignIndexKey, {campaign_id});
    indexed_.insert(campaign_id);
  }

  std::vector<std::string> texts;
  texts.reserve(writes.size());
  for (const EntityWrite& w : writes) texts.push_back(write_to_text(campaign_id, w));
  const std::string fence_text = fence == 0 ? std::string() : std::to_string(fence);
  std::vector<std::string_view> args;
  args.reserve(3 + texts.size());
  args.push_back(token);
  args.push_back(fence_text);
  args.push_back(checkpoint_text);
  args.insert(args.end(), texts.begin(), texts.end());

  RedisReply reply;
  try {
    const std::string last = commit_key(campaign_id);
    const std::string fence_key = campaign_fence_key(campaign_id);
    reply = redis_.eval_script(commit_script_, {ck, ob, last, fence_key}, args);
  } catch (const RedisError& e) {
    const std::string& said = e.server_error();
    if (starts_with(said, "HOURGLASS_REFUSED ")) {
      throw CheckpointStoreError("commit of campaign " + campaign_id + " refused, nothing written: " +
                                     said.substr(std::string_view("HOURGLASS_REFUSED ").size()),
                                 false);
    }
    if (starts_with(said, "HOURGLASS_FENCED ")) {
      throw CheckpointStoreError("commit of campaign " + campaign_id + " fenced, nothing written: " +
                                     said.substr(std::string_view("HOURGLASS_FENCED ").size()),
                                 false, false, true);
    }
    if (starts_with(said, "HOURGLASS_PARTIAL ")) {
      throw CheckpointStoreError("commit of campaign " + campaign_id +
                                     " PARTIALLY APPLIED (rebuild this campaign's state): " +
                                     said.substr(std::string_view("HOURGLASS_PARTIAL ").size()),
                                 true);
    }
    if (!said.empty()) {
      // HOURGLASS_NOT_APPLIED (the SET refused: OOM...), or the script refused
      // before it ran (BUSY, NOSCRIPT twice, OOM at the first write): nothing written.
      throw CheckpointStoreError("commit of campaign " + campaign_id + " not applied: " + e.what(), false,
                                 e.transient());
    }
    throw;  // I/O: the commit may or may not have happened
  }
  const bool all_ids = std::all_of(reply.elements.begin(), reply.elements.end(),
                                   [](const RedisReply& r) { return r.type == RedisReply::Type::String; });
  if (reply.type != RedisReply::Type::Array || reply.elements.size() != writes.size() || !all_ids) {
    throw CheckpointStoreError("commit of campaign " + campaign_id + ": the commit script answered " +
                                   std::to_string(reply.elements.size()) + " entry ids for " +
                                   std::to_string(writes.size()) + " writes (applied; rebuild this campaign's state)",
                               true);
  }
  std::vector<std::string> ids;
  ids.reserve(reply.elements.size());
  for (RedisReply& id : reply.elements) ids.push_back(std::move(id.text));
  return ids;
}

void CheckpointStore::claim(const std::string& campaign_id, std::uint64_t fence) {
  require_id(campaign_id);
  if (fence == 0) throw std::invalid_argument("checkpoint store: a claim needs a fence token of at least 1");
  const std::string key = campaign_fence_key(campaign_id);
  const std::string token = std::to_string(fence);
  try {
    redis_.eval_script(claim_script_, {key}, {token});
  } catch (const RedisError& e) {
    const std::string& said = e.server_error();
    if (starts_with(said, "HOURGLASS_FENCED "))
      throw CheckpointStoreError("claim of campaign " + campaign_id + " fenced, nothing written: " +
                                     said.substr(std::string_view("HOURGLASS_FENCED ").size()),
                                 false, false, true);
    if (starts_with(said, "HOURGLASS_REFUSED "))
      throw CheckpointStoreError("claim of campaign " + campaign_id + " refused, nothing written: " +
                                     said.substr(std::string_view("HOURGLASS_REFUSED ").size()),
                                 false);
    throw;
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

CheckpointStore::MarkNow CheckpointStore::in_flight_mark_now(const std::string& campaign_id,
                                                             const std::string& entry_id) {
  require_id(campaign_id);
  const std::string key = inflight_key(campaign_id);
  const RedisReply reply = redis_.eval_script(mark_now_script_, {key}, {entry_id});
  if (reply.type != RedisReply::Type::Array || reply.elements.size() != 2 ||
      reply.elements[1].type != RedisReply::Type::Integer)
    throw CheckpointStoreError("in-flight mark of " + entry_id + " in " + key + ": unexpected reply", false);
  MarkNow out;
  if (reply.elements[0].type == RedisReply::Type::String) out.mark = reply.elements[0].text;
  out.now_ms = reply.elements[1].integer;
  return out;
}

CheckpointStore::CallClaim CheckpointStore::claim_call(const std::string& campaign_id, const std::string& entry_id,
                                                       const std::optional<std::string>& seen, std::uint64_t count) {
  require_id(campaign_id);
  const std::string outbox = outbox_key(campaign_id);
  const std::string marks = inflight_key(campaign_id);
  const std::string executions = std::to_string(count);
  const RedisReply reply =
      redis_.eval_script(claim_call_script_, {outbox, marks}, {entry_id, seen.value_or(""), executions});
  if (reply.text == "go") return CallClaim::Go;
  if (reply.text == "gone") return CallClaim::Gone;
  if (reply.text == "changed") return CallClaim::Changed;
  throw CheckpointStoreError("claim of the call of " + entry_id + " in " + marks + ": unexpected reply \"" +
                                 reply.text + "\"",
                             false);
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
  redis_.exec_transaction({{"DEL", checkpoint_key(campaign_id), outbox_key(campaign_id), inflight_key(campaign_id),
                            commit_key(campaign_id)}});
  indexed_.erase(campaign_id);  // before: a commit after a failed SREM adds it again
  redis_.srem(kCampaignIndexKey, {campaign_id});
}

}  // namespace hourglass::io
