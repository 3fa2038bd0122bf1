// Resuming campaigns: the resync to the API's world time (after a Redis
// reconnect, for every campaign in memory; at start, for every campaign with
// a checkpoint, a few at a time), and at start the reconciliation with the
// API of what was edited there while Hourglass was down.
#include <spdlog/spdlog.h>

#include "actors/service/registry_internal.hpp"
#include "messages/reconcile.hpp"

namespace hourglass::actors::registry_detail {

namespace {
constexpr std::size_t kResyncsAtOnce = 8;
void reconcile_then_resync(Self self, const std::string& cid);


// Starts queued start-up resyncs while fewer than kResyncsAtOnce run.
void pump_resyncs(Self self) {
  auto& st = self->state;
  while (st.resyncing.size() < kResyncsAtOnce && !st.resync_queue.empty()) {
    const std::string id = std::move(st.resync_queue.front());
    st.resync_queue.pop_front();
    if (!st.resyncing.insert(id).second) continue;
    reconcile_then_resync(self, id);
  }
}

// Campaign `cid` advances to the API's world time (previousTime is
// informational: the campaign logs the gap).
void resync_one(Self self, const std::string& cid) {
  self->request(self->state.options.reader, caf::infinite, world_time_atom::value, cid)
      .then(
          [=](sim::WorldTime t) {
            messages::WorldTimeAdvanced m{cid, t, t};
            Inbound in{m, "campaign." + cid + ".worldTimeAdvanced (resync)", ""};
            in.resync = true;
            route(self, std::move(in));
          },
          [=](caf::error& err) {
            spdlog::warn("resync of {} failed: {}", cid, self->system().render(err));
            campaign_resynced(self, cid);
          });
}

void resync(Self self, const std::vector<std::string>& ids) {
  for (const std::string& cid : ids) resync_one(self, cid);
}

// What was changed in the API while Hourglass was down reaches the campaign
// as CREATE/DELETE/UPDATE at its resume clock, before it catches up on the
// world time (messages/reconcile; docs/spec-readings.md). An UPDATE is
// fetched whole and leaves the engine's own fields to the engine, as an
// UPDATE the API announces; a CREATE is fetched whole.
void reconcile_then_resync(Self self, const std::string& cid) {
  auto& o = self->state.options;
  self->request(o.store, caf::infinite, load_checkpoint_atom::value, cid)
      .then(
          [=](std::optional<std::string>& text) {
            if (!text) return resync_one(self, cid);
            auto checkpoint = std::make_shared<std::string>(std::move(*text));
            self->request(self->state.options.reader, caf::infinite, list_entities_atom::value, cid)
                .then(
                    [=](std::vector<messages::ListedEntity>& api) {
                      std::vector<messages::ReconcileChange> changes;
                      try {
                        changes = messages::reconcile_changes_with_checkpoint(*checkpoint, api);
                      } catch (const std::exception& e) {  // its start refuses it, saying why
                        spdlog::warn("campaign {}: not reconciled: {}", cid, e.what());
                      }
                      if (!changes.empty())
                        spdlog::info("campaign {}: {} change(s) made in the API while Hourglass was down", cid,
                                     changes.size());
                      for (const auto& c : changes) {
                        Inbound in{messages::EntityModified{cid, c.kind, c.operation, c.entity_id, {}},
                                   "campaign." + cid + ".entityModified (reconcile)", ""};
                        in.from_api = c.operation == messages::Operation::Update;
                        route(self, std::move(in));
                      }
                      resync_one(self, cid);
                    },
                    [=](caf::error& err) {
                      spdlog::warn("campaign {}: not reconciled with the API ({}); resyncing its clock only", cid,
                                   self->system().render(err));
                      resync_one(self, cid);
                    });
          },
          [=](caf::error& err) {
            spdlog::warn("campaign {}: checkpoint not read for reconciling: {}", cid, self->system().render(err));
            resync_one(self, cid);
          });
}

}  // namespace

void campaign_resynced(Self self, const std::string& id) {
  if (self->state.resyncing.erase(id) > 0) pump_resyncs(self);
}

void resync(Self self) {
  std::vector<std::string> ids;
  for (const auto& [id, entry] : self->state.campaigns)
    if (entry.session && entry.report.ready) ids.push_back(id);
  resync(self, ids);
}

void resume(Self self, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) self->state.resync_queue.push_back(id);
  pump_resyncs(self);
}

}  // namespace hourglass::actors::registry_detail
