// An in-process fake of the campaign API (GraphQL over HTTP) for tests.
//
// It serves POST /graphql on 127.0.0.1 at a free port (the kernel picks it:
// bind to port 0), on its own threads, from start() to stop(). It answers the
// operations of runtime/service/api_operations.hpp, chosen by operationName
// (the query must name the operation's root field), over an in-memory store,
// and behaves as docs/api-contract.md says the real API does:
//   - Authorization: Bearer <token> is required (401 otherwise);
//   - updates check expectedVersion (a mismatch is an errors[] entry
//     "OptimisticLockException: ...", extensions.code CONFLICT) and add 1 to
//     the version; `variables` is replaced whole; branchId and expectedVersion
//     are required (400 otherwise);
//   - expireEvent on a completed event is an errors[] entry "Event <id> is
//     already completed"; it sets occurredAt to the campaign's world time;
//   - DateTimes come back in the form set by set_date_form (ISO by default).
// Beyond the real API, for tests: every applied write is recorded with its
// Idempotency-Key, and a write whose key was already applied is NOT applied
// again: the first reply is returned and the key is listed in
// duplicate_keys_seen(). Only applied writes are remembered (an error reply is
// not), so a retry after an error applies normally.
//
// For benchmarks (bench/service): every applied write is also stamped with
// its arrival time, its campaign and its world time (write_stamps(),
// on_write()), and keep_history(false) stops keeping what a long run does not
// need (each write's variables, every operation name). Listings are indexed
// by parent, so a bootstrap costs what it returns, whatever the store holds.
//
// The HTTP side is MiniHttpServer (mini_http_server.hpp): one thread per
// connection; the store is locked only while a request touches it.
//
// All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace hourglass::service::testing {

class FakeCampaignApi {
 public:
  enum class DateForm { Iso, EpochMillisString, EpochMillisNumber };

  struct AppliedWrite {
    std::string operation;        // operationName
    std::string idempotency_key;  // empty when the request had none
    std::string entity_id;
    nlohmann::json variables;     // the request's variables
  };

  // What a benchmark needs to know of an applied write.
  struct WriteStamp {
    std::chrono::steady_clock::time_point arrived;  // when its request was read
    std::string campaign_id;                        // of the written entity; empty if unknown
    // input.worldTime of an update, else the idempotency key's world time
    // (the last record coalesced into the write); none when neither is there.
    std::optional<sim::WorldTime> world_time;
  };

  explicit FakeCampaignApi(std::string token = "test-token");
  ~FakeCampaignApi();
  FakeCampaignApi(const FakeCampaignApi&) = delete;
  FakeCampaignApi& operator=(const FakeCampaignApi&) = delete;

  void start();
  void stop();  // wakes delayed replies; idempotent
  int port() const;
  std::string url() const;  // http://127.0.0.1:<port>/graphql
  const std::string& token() const;

  // ---- seed data (ids are unique per kind) ----
  void add_campaign(const std::string& id, std::optional<sim::WorldTime> world_time);
  void set_world_time(const std::string& campaign_id, std::optional<sim::WorldTime> world_time);
  void add_kingdom(const std::string& campaign_id, const std::string& kingdom_id);
  // {id, name, level = 1, variables = {}, version = 1, createdAt = ISO (default epoch)}
  void add_settlement(const std::string& kingdom_id, const nlohmann::json& settlement);
  // {id, settlementId, type, level = 1, variables = {}, version = 1, createdAt}
  void add_structure(const nlohmann::json& structure);
  // {id, scheduledAt: ISO or null, isCompleted = false}
  void add_event(const std::string& campaign_id, const nlohmann::json& event);
  // {id, executeAt: ISO}
  void add_effect(const std::string& campaign_id, const nlohmann::json& effect);
  void set_date_form(DateForm form);

  // ---- inspection ----
  nlohmann::json settlement(const std::string& id) const;  // {id, name, level, variables, version, lastWorldTime}
  nlohmann::json structure(const std::string& id) const;   // {id, settlementId, type, level, variables, version, lastWorldTime}
  nlohmann::json event(const std::string& id) const;       // {id, isCompleted, occurredAt (ms or null)}
  int effect_executions(const std::string& id) const;
  std::vector<AppliedWrite> applied_writes() const;  // empty under keep_history(false)
  std::size_t writes_applied() const;                 // counted either way
  std::vector<WriteStamp> write_stamps() const;       // every applied write, in order
  // Blocks until at least `n` writes were applied (true) or `timeout` passed.
  bool wait_for_writes(std::size_t n, std::chrono::milliseconds timeout) const;
  std::vector<std::string> duplicate_keys_seen() const;
  std::vector<std::string> operations_seen() const;  // operationName of every GraphQL request (with history)
  std::size_t requests() const;                      // every HTTP request
  std::size_t connections() const;                   // TCP connections accepted

  // ---- for benchmarks ----
  // Keep each applied write's variables and every operation name (default:
  // yes). A benchmark of 100,000 entities turns it off to keep its memory
  // the service's.
  void keep_history(bool keep);
  // Called on the HTTP thread after each applied write, outside the store's
  // lock. Set before start().
  void on_write(std::function<void(const WriteStamp&)> observer);

  // ---- fault injection (each applies to the next n HTTP requests) ----
  void fail_next(int n, int status = 500);                 // that status, nothing applied
  void delay_next(int n, std::chrono::milliseconds delay);  // reply (already applied) after `delay`
  void graphql_error_next(int n, std::string message);      // 200 {errors:[{message}]}, nothing applied
  void raw_reply_next(int n, std::string body);             // 200 with this body, nothing applied
  void fail_effect(const std::string& effect_id, std::string error);  // executeEffect → success:false
  void bump_version(const std::string& entity_id);          // a settlement's or structure's
  void set_down(bool down);                                 // every request 503

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hourglass::service::testing
