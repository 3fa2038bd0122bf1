// An in-process fake of the campaign API (NestJS + Apollo GraphQL) for tests.
//
// It serves POST /graphql, POST /auth/login and POST /auth/refresh on
// 127.0.0.1 at a free port (bind to port 0), on its own threads, from start()
// to stop(). What it models of the real API (docs/api-contract.md,
// ../shared/API-NOTES.md; the real code is jakekausler/campaign_manager):
//   - every GraphQL request is parsed, validated and its variables coerced by
//     graphql-js against the real schema (tests/contract/graphql_validator.js
//     --serve, one node child process per fake): an invalid document is HTTP
//     400, errors[] with the validator's messages; an array body is HTTP 400
//     "Operation batching disabled.". The fake then runs the document's root
//     fields itself (any alias, any selection: replies carry exactly the
//     selected fields). start() throws when node (found on PATH, or given by
//     HOURGLASS_NODE) or graphql-js (tests/contract/node_modules) is missing.
//   - errors as NODE_ENV=production formats them (the default): an errors[]
//     entry is {"message"} only, for validation errors too (the API's
//     formatError strips extensions from every error). Options::production =
//     false gives the development format (extensions.code; status 409 on an
//     optimistic lock).
//   - JwtAuthGuard on every field: a missing, unknown or expired bearer token
//     is HTTP 200, that field null (data null for a non-null one) and errors[]
//     {"message": "Unauthorized"}. POST /auth/login {email, password} and
//     POST /auth/refresh {refreshToken} answer {accessToken, refreshToken};
//     access tokens expire (Options::access_token_lifetime, 15 min as in
//     production; expire_token() ends one now); both routes are throttled, 10
//     a minute each (HTTP 429 past that). The seeded token (Options::token)
//     is a valid access token that expires only by expire_token().
//   - updateSettlement / updateStructure: not found, then the branch (it must
//     be one of the entity's campaign's: "Branch with ID <id> not found or
//     does not belong to this entity's campaign"), then the optimistic lock
//     ("Settlement was modified by another user. Expected version X, but found
//     Y. Please refresh and try again."); `variables` replaced whole; version
//     + 1.
//   - expireEvent: "Event with ID <id> is already completed" on a completed
//     one; occurredAt is the wall clock (the API's `new Date()`), not the
//     world time.
//   - executeEffect: not idempotent, every call records an execution {id,
//     executedAt, executedBy, ...} that getEffect(id) { executions } lists.
//   - Idempotency-Key is ignored, as the real API ignores it: every write is
//     applied again. The fake only COUNTS applications per key
//     (applications(), keys_applied_more_than_once()).
//   - non-null mutations: when one aliased mutation field of a document fails,
//     data is null, the fields before it stay applied, those after it do not
//     run. Query fields are nullable or not as in the schema.
//   - Campaign.currentWorldTime, Event.scheduledAt, Event.occurredAt are
//     epoch-millisecond strings; getCurrentWorldTime and every DateTime field
//     are ISO. advanceWorldTime refuses to <= current and updates the clock
//     before it notifies (on_world_time_advanced); advance_world_time() does
//     the same from a test.
//   - each campaign has a main branch (branches(campaignId)); ids unique.
//   - lookups by id (settlement, structure, event, kingdom, encounter,
//     getEffect) answer null for an unknown id; getEffect also for an effect
//     whose entity is not an existing encounter or event (the real
//     EffectService.findById checks the entity's campaign access).
// Where it is still KINDER than the real API (know these when a test passes):
//   - no RolesGuard defect: the real @Roles('owner','gm') mutations answer
//     "Forbidden resource" to every caller at commit 4727327; here they run.
//   - no @IsUUID on branchId (the real API refuses its own cuid branch ids).
//   - Settlement.name is served as a String (the real schema types it
//     DateTime!, and selecting it fails: "DateTimeScalar can only serialize
//     Date objects").
//   - the optimistic lock is atomic here (the real one checks, then updates
//     by id: two writers can both pass).
//   - effects: the JSON Patch is not applied to any entity; no
//     entityModified / effect.* Redis messages are published; x-api-key is
//     not accepted; no membership or ownership checks.
// For tests, beyond the API: every applied write is recorded (operation,
// field, key, variables), and the fault injections below.
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
  struct Options {
    std::string token = "test-token";  // seeded access token of the service account
    bool production = true;            // NODE_ENV=production error format
    std::chrono::milliseconds access_token_lifetime = std::chrono::minutes(15);
    std::string email = "hourglass@example.test";  // the service account's login
    std::string password = "hourglass-password";
    int auth_requests_per_minute = 10;  // per route (/auth/login, /auth/refresh)
  };

  struct AppliedWrite {
    std::string operation;        // operationName of the request
    std::string field;            // the mutation field (updateSettlement, ...)
    std::string idempotency_key;  // the request's header (ignored); empty when none
    std::string entity_id;
    nlohmann::json variables;     // the request's variables
    nlohmann::json arguments;     // the field's arguments, coerced (defaults filled in)
  };

  // What a benchmark needs to know of an applied write.
  struct WriteStamp {
    std::chrono::steady_clock::time_point arrived;  // when its request was read
    std::string campaign_id;                        // of the written entity; empty if unknown
    // input.worldTime of an update, else the idempotency key's world time
    // (the last record coalesced into the write); none when neither is there.
    std::optional<sim::WorldTime> world_time;
    std::string field;  // the mutation field (updateSettlement, executeEffect, ...)
  };

  // Called after the clock moved (outside the store's lock): campaign, the
  // time before (none if it had none), the new time.
  using WorldTimeNotifier =
      std::function<void(const std::string&, std::optional<sim::WorldTime>, sim::WorldTime)>;

  explicit FakeCampaignApi(std::string token = "test-token");
  explicit FakeCampaignApi(Options options);
  ~FakeCampaignApi();
  FakeCampaignApi(const FakeCampaignApi&) = delete;
  FakeCampaignApi& operator=(const FakeCampaignApi&) = delete;

  // Starts the schema validator (node) and the HTTP server. Throws
  // std::runtime_error naming what is missing when node or graphql-js is.
  void start();
  void stop();  // wakes delayed replies; idempotent
  int port() const;
  std::string url() const;       // http://127.0.0.1:<port>/graphql
  std::string base_url() const;  // http://127.0.0.1:<port>
  const std::string& token() const;
  const Options& options() const;

  // ---- seed data (ids are unique per kind; branch ids across campaigns) ----
  // main_branch_id: the id of the campaign's main branch ("main-<id>" when
  // empty), its root; add_branch adds children of it (parentId: the main
  // branch), as forking in the API does.
  void add_campaign(const std::string& id, std::optional<sim::WorldTime> world_time,
                    const std::string& main_branch_id = "");
  void add_branch(const std::string& campaign_id, const std::string& branch_id, const std::string& name);
  // Sets the clock as a database edit would: no check, no notification.
  void set_world_time(const std::string& campaign_id, std::optional<sim::WorldTime> world_time);
  void add_kingdom(const std::string& campaign_id, const std::string& kingdom_id);
  // {id, name, level = 1, variables = {}, version = 1, createdAt = ISO (default epoch)}
  void add_settlement(const std::string& kingdom_id, const nlohmann::json& settlement);
  // {id, settlementId, type, level = 1, variables = {}, version = 1, createdAt}
  void add_structure(const nlohmann::json& structure);
  // {id, scheduledAt: ISO or null, isCompleted = false}
  void add_event(const std::string& campaign_id, const nlohmann::json& event);
  // {id, name?, effectType?, entityId?, entityType?, payload?, timing?}: the
  // effect hangs on the entity entityType/entityId names (entityType "event"
  // when only entityId is given); without entityId, on an encounter of its
  // own in `campaign_id` ("encounter-<id>"). getEffect answers null, as the
  // real one, unless that entity is an existing encounter or event.
  void add_effect(const std::string& campaign_id, const nlohmann::json& effect);
  // An encounter of the campaign (encounter(id) { campaignId }).
  void add_encounter(const std::string& campaign_id, const std::string& encounter_id);

  // ---- a change the API announces, mirrored ----
  // What the API holds once the change that a test announces on its behalf
  // (SPEC §6 entityModified: entityType, operation, the inline entity) was
  // made there: a CREATE adds the entity (a SPEC entity: the engine's fields
  // go to its variables as Hourglass reads them back, a settlement to its
  // campaign's first kingdom); an UPDATE sets the fields it gives and bumps
  // the version; a DELETE removes nothing, as writes of earlier messages may
  // still be on their way. An UPDATE of an entity the fake lacks is ignored.
  void apply_entity_change(const std::string& campaign_id, const std::string& entity_type,
                           const std::string& operation, const nlohmann::json& entity);

  // ---- world time, as the API moves it ----
  // As advanceWorldTime: refuses (std::invalid_argument) to <= current; sets
  // the clock FIRST, then calls the notifier (if any) with the lock released.
  void advance_world_time(const std::string& campaign_id, sim::WorldTime to);
  void on_world_time_advanced(WorldTimeNotifier notifier);
  std::optional<sim::WorldTime> world_time(const std::string& campaign_id) const;

  // ---- inspection ----
  nlohmann::json settlement(const std::string& id) const;  // {id, name, level, variables, version, lastWorldTime}
  nlohmann::json structure(const std::string& id) const;   // {id, settlementId, type, level, variables, version, lastWorldTime}
  nlohmann::json event(const std::string& id) const;       // {id, isCompleted, occurredAt (ms or null)}
  int effect_executions(const std::string& id) const;
  // expireEvent calls that reached the event: the one that completed it and
  // every later one, refused as already completed (the API's answer, which
  // Hourglass takes as done). More than one: the expiry was sent twice.
  int event_expiry_calls(const std::string& id) const;
  nlohmann::json effect_execution_log(const std::string& id) const;  // [{id, executedAt, executedBy, ...}]
  std::vector<AppliedWrite> applied_writes() const;  // empty under keep_history(false)
  std::size_t writes_applied() const;                 // counted either way
  std::vector<WriteStamp> write_stamps() const;       // every applied write, in order
  // Blocks until at least `n` writes were applied (true) or `timeout` passed.
  bool wait_for_writes(std::size_t n, std::chrono::milliseconds timeout) const;
  // How many applied writes carried this Idempotency-Key (the API ignores it).
  std::size_t applications(const std::string& idempotency_key) const;
  std::vector<std::string> keys_applied_more_than_once() const;  // sorted
  std::vector<std::string> operations_seen() const;  // operationName of every GraphQL request (with history)
  std::size_t requests() const;                      // every HTTP request
  std::size_t connections() const;                   // TCP connections accepted
  std::size_t logins() const;                        // successful /auth/login and /auth/refresh

  // ---- auth ----
  // Access tokens are JWT-shaped (base64url JSON payload {sub, email, iat,
  // exp}, seconds) as the real API's; the signature is not HS256.
  void expire_token(const std::string& access_token);  // from now on Unauthorized
  // Requests that reached this auth route ("/auth/login", "/auth/refresh"),
  // refused (401, 429) ones included.
  std::size_t auth_requests(const std::string& route) const;
  // Blocks until `route` has seen at least `n` requests (true) or `timeout` passed.
  bool wait_for_auth_requests(const std::string& route, std::size_t n, std::chrono::milliseconds timeout) const;
  // Every refresh token issued so far is refused from now on (as after
  // logout-all): /auth/refresh answers 401 "Invalid refresh token".
  void revoke_refresh_tokens();
  // The access tokens issued by login/refresh, oldest first (not the seeded one).
  std::vector<std::string> access_tokens() const;


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
  // A user's edit in the UI: the keys of `changes` set in the settlement's
  // variables, the version bumped. Returns the new version. (Publishing the
  // API's entity.modified is the test's: the fake publishes nothing.)
  std::int64_t edit_settlement_variables(const std::string& id, const nlohmann::json& changes);
  // The same edit, made just after the next `settlement(id)` read that
  // selects its version is served: a user's write between a writer's read
  // and its update (a lock conflict). A read of its kingdomId only (which
  // campaign it belongs to) does not count.
  void edit_settlement_after_next_read(const std::string& id, const nlohmann::json& changes);
  void set_down(bool down);                                 // every request 503

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hourglass::service::testing
