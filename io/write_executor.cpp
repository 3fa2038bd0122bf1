#include "io/write_executor.hpp"

#include <stdexcept>

#include "io/entity_ownership.hpp"
#include "messages/api_entity_codec.hpp"

namespace hourglass::io {

WriteOutcome failed_write(const ApiError& e) {
  WriteOutcome o;
  o.kind = e.kind;
  o.retryable = e.retryable();
  o.unavailable = e.kind == ApiError::Kind::Transport || e.kind == ApiError::Kind::Timeout ||
                  e.kind == ApiError::Kind::Truncated ||
                  (e.kind == ApiError::Kind::Http && e.http_status >= 502 && e.http_status <= 504);
  o.message = std::string(to_string(e.kind)) + ": " + e.message;
  return o;
}

namespace {

WriteOutcome succeeded() {
  WriteOutcome o;
  o.done = true;
  return o;
}

// The update that writes `w` over the entity as the API has it (`row`): its
// variables merged, its version expected.
template <class Update, class Row>
Update update_of(const EntityWrite& w, const Row& row, const std::string& branch_id) {
  Update u;
  u.branch_id = branch_id;
  u.level = messages::changed_level(w.changes);
  u.variables = messages::merged_variables(row.variables, w.changes);
  if (w.seq > 0)
    (*u.variables)[messages::kWriteMarkerVariable] = messages::write_marker_json(w.idempotency_key, w.world_time, w.seq);
  u.expected_version = row.version;
  u.world_time = w.world_time;
  return u;
}

// The entity already carries this write's marker, or a later one's: the
// write was applied before (its `done` lost in a crash), and applying it
// again would count twice, or put older values over newer ones.
template <class Row>
bool applied_before(const EntityWrite& w, const Row& row) {
  if (w.seq == 0) return false;
  const std::optional<std::uint64_t> seq = messages::write_marker_seq(row.variables);
  return seq && *seq >= w.seq;
}

WriteOutcome already_applied() {
  WriteOutcome o = succeeded();
  o.kind = ApiError::Kind::AlreadyApplied;
  o.message = "already applied (the entity carries its marker)";
  return o;
}

// Read, merge, update; again on a conflict. `verify` sees each row read and
// may stop the write (an entity of another campaign).
template <class Read, class Verify, class Update>
WriteOutcome locked_update(const EntityWrite& w, int attempts, Read read, Verify verify, Update update) {
  for (int i = 0; i < attempts; ++i) {
    auto current = read();
    if (!current.ok()) return failed_write(current.error);
    if (std::optional<WriteOutcome> stop = verify(*current.value)) return *stop;
    if (applied_before(w, *current.value)) return already_applied();
    auto written = update(*current.value);
    if (written.ok()) return succeeded();
    if (written.error.kind != ApiError::Kind::OptimisticLock) return failed_write(written.error);
  }
  WriteOutcome o;
  o.kind = ApiError::Kind::OptimisticLock;
  o.retryable = true;  // someone keeps writing; a later try may win
  o.message = "optimistic lock conflict on every attempt";
  return o;
}

// No check: execute_write's callers have made sure of the entity's campaign.
struct Unverified {
  template <class Row>
  std::optional<WriteOutcome> operator()(const Row&) const {
    return std::nullopt;
  }
};

// Every kind of write, the settlement's and the structure's rows shown to
// their `verify` before the update.
template <class VerifySettlement, class VerifyStructure>
WriteOutcome write_entity(CampaignApi& api, const EntityWrite& w, const std::string& branch_id, int lock_attempts,
                          VerifySettlement verify_settlement, VerifyStructure verify_structure) {
  switch (w.kind) {
    case EntityWrite::Kind::Settlement:
      return locked_update(
          w, lock_attempts, [&] { return api.get_settlement(w.entity_id); }, verify_settlement,
          [&](const ApiSettlement& s) {
            return api.update_settlement(w.entity_id, update_of<SettlementUpdate>(w, s, branch_id), w.idempotency_key);
          });
    case EntityWrite::Kind::Structure:
      return locked_update(
          w, lock_attempts, [&] { return api.get_structure(w.entity_id); }, verify_structure,
          [&](const ApiStructure& s) {
            return api.update_structure(w.entity_id, update_of<StructureUpdate>(w, s, branch_id), w.idempotency_key);
          });
    case EntityWrite::Kind::ExpireEvent: {
      auto r = api.expire_event(w.entity_id, w.idempotency_key);
      return r.done() ? succeeded() : failed_write(r.error);
    }
    case EntityWrite::Kind::ExecuteEffect: {
      auto r = api.execute_effect(w.entity_id, w.idempotency_key);
      return r.done() ? succeeded() : failed_write(r.error);
    }
  }
  return failed_write(ApiError{ApiError::Kind::BadReply, "unknown write kind", 0});
}

}  // namespace

WriteOutcome execute_write(CampaignApi& api, const EntityWrite& w, const std::string& branch_id, int lock_attempts) {
  return write_entity(api, w, branch_id, lock_attempts, Unverified{}, Unverified{});
}

WriteOutcome execute_campaign_write(CampaignApi& api, CampaignBranches& branches, EntityOwners& owners,
                                    const std::string& campaign_id, const EntityWrite& w, int lock_attempts) {
  // Events and effects: one read of the link first (no branch in their inputs).
  if (w.kind == EntityWrite::Kind::ExpireEvent) {
    if (auto stop = unless_owned("event " + w.entity_id, campaign_id, owners.of_event(api, w.entity_id))) return *stop;
    return execute_write(api, w, std::string(), lock_attempts);
  }
  if (w.kind == EntityWrite::Kind::ExecuteEffect) {
    if (auto stop = unless_effect_owned(api, owners, campaign_id, w.entity_id, api.get_effect(w.entity_id))) return *stop;
    return execute_write(api, w, std::string(), lock_attempts);
  }
  auto branch = branches.branch_of(api, campaign_id);
  if (!branch.ok()) {
    WriteOutcome o = failed_write(branch.error);
    o.message = "finding the branch: " + o.message;
    return o;
  }
  // Settlements and structures: checked on the row the update reads anyway
  // (its version), so only the links beyond it are asked, once each.
  return write_entity(
      api, w, *branch.value, lock_attempts,
      [&](const ApiSettlement& s) {
        return unless_owned("settlement " + s.id, campaign_id, owners.of_settlement_in(api, s.id, s.kingdom_id));
      },
      [&](const ApiStructure& s) {
        return unless_owned("structure " + s.id, campaign_id, owners.of_settlement(api, s.settlement_id));
      });
}

WriteOutcome execute_campaign_write(CampaignApi& api, CampaignBranches& branches, const std::string& campaign_id,
                                    const EntityWrite& w, int lock_attempts) {
  EntityOwners owners;
  return execute_campaign_write(api, branches, owners, campaign_id, w, lock_attempts);
}

nlohmann::json write_to_json(const std::string& campaign_id, const EntityWrite& w) {
  return {{"campaignId", campaign_id},
          {"kind", to_string(w.kind)},
          {"entityId", w.entity_id},
          {"changes", w.changes},
          {"idempotencyKey", w.idempotency_key},
          {"worldTime", sim::format_world_time(w.world_time)},
          {"seq", w.seq}};
}

namespace {

// A JSON string as nlohmann's dump() writes it. Printable ASCII other than
// '"' and '\\' is copied; any other text (escapes, UTF-8, invalid UTF-8)
// goes through nlohmann itself, so that the bytes and the errors are its.
void append_json_string(std::string& out, std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == '"' || c == '\\') {
      out += nlohmann::json(std::string(s)).dump();
      return;
    }
  }
  out += '"';
  out.append(s.data(), s.size());
  out += '"';
}

}  // namespace

std::string write_to_text(const std::string& campaign_id, const EntityWrite& w) {
  // The keys in nlohmann::json's (std::map) order, as write_to_json's dump().
  const std::string changes = w.changes.dump();
  const std::string time = sim::format_world_time(w.world_time);
  std::string out;
  out.reserve(96 + campaign_id.size() + changes.size() + w.entity_id.size() + w.idempotency_key.size() + time.size());
  out += "{\"campaignId\":";
  append_json_string(out, campaign_id);
  out += ",\"changes\":";
  out += changes;
  out += ",\"entityId\":";
  append_json_string(out, w.entity_id);
  out += ",\"idempotencyKey\":";
  append_json_string(out, w.idempotency_key);
  out += ",\"kind\":";
  append_json_string(out, to_string(w.kind));
  out += ",\"seq\":";
  out += std::to_string(w.seq);
  out += ",\"worldTime\":";
  append_json_string(out, time);
  out += '}';
  return out;
}

EntityWrite write_from_entry(const messages::DeadLetterWrite& entry) {
  const std::optional<EntityWrite::Kind> kind = write_kind_named(entry.kind);
  if (!kind) throw std::invalid_argument("$.kind: unknown write kind \"" + entry.kind + "\"");
  EntityWrite w;
  w.kind = *kind;
  w.entity_id = entry.entity_id;
  w.changes = entry.changes;
  w.idempotency_key = entry.idempotency_key;
  w.world_time = entry.world_time;
  w.seq = entry.seq;
  return w;
}

}  // namespace hourglass::io
