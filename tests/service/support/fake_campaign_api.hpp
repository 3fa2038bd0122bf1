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
// The HTTP side is a minimal HTTP/1.1 server (Content-Length bodies,
// keep-alive) written on POSIX sockets: Debian's cpp-httplib is a compiled
// library that this project does not link yet.
//
// All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
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
  std::vector<AppliedWrite> applied_writes() const;
  // Blocks until at least `n` writes were applied (true) or `timeout` passed.
  bool wait_for_writes(std::size_t n, std::chrono::milliseconds timeout) const;
  std::vector<std::string> duplicate_keys_seen() const;
  std::vector<std::string> operations_seen() const;  // operationName of every GraphQL request
  std::size_t requests() const;                      // every HTTP request
  std::size_t connections() const;                   // TCP connections accepted

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
