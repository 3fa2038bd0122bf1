#include "actors/settlement_supervision.hpp"

#include <spdlog/spdlog.h>

#include "actors/settlement_actor.hpp"

namespace hourglass::actors {
namespace {

// Replaces settlement `id`'s actor by a fresh one started from the copy of
// its last committed state. False when the restart budget is spent.
bool restart_settlement(CampaignSelf self, const std::string& id, const std::string& why) {
  auto& st = self->state;
  auto copy = st.committed.find(id);
  if (copy == st.committed.end()) return false;
  if (!st.restarts.try_spend(std::chrono::steady_clock::now())) return false;
  // The old actor may still run (it answered with an error): it must go,
  // and its structure actors with it (they are linked to it).
  self->send_exit(st.settlements.at(id), caf::exit_reason::kill);
  SettlementSnapshot from = copy->second;
  spawn_settlement(self, std::move(from.settlement), std::move(from.structures));
  spdlog::warn("campaign {}: settlement {} restarted from its last committed state ({})", st.id(), id, why);
  if (st.init.on_restart) st.init.on_restart(why);
  return true;
}

}  // namespace

void spawn_settlement(CampaignSelf self, sim::Settlement s, std::vector<sim::Structure> structures) {
  auto& st = self->state;
  for (const auto& structure : structures) st.structure_home[structure.id] = s.id;
  const std::string id = s.id;
  st.committed[id] = SettlementSnapshot{s, structures};
  st.last_carry.emplace(id, s.carry);  // a restart keeps the last one sent
  SettlementInit init{st.id(), st.rules, st.clock, std::move(s), std::move(structures), st.init.faults,
                      st.init.capture};
  st.settlements[id] = self->spawn<caf::linked>(settlement_actor, std::move(init));
}

void retire_settlement(CampaignSelf self, const std::string& id) {
  auto& st = self->state;
  for (auto s = st.structure_home.begin(); s != st.structure_home.end();)
    s = s->second == id ? st.structure_home.erase(s) : std::next(s);
  st.settlements.erase(id);
  st.committed.erase(id);
  st.last_carry.erase(id);
}

void keep_committed_copy(CampaignSelf self, SettlementSnapshot& copy) {
  auto& st = self->state;
  const std::string& id = copy.settlement.id;
  auto it = st.settlements.find(id);
  if (it == st.settlements.end() ||
      it->second.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
    return;
  st.committed[id] = std::move(copy);
}

std::optional<std::string> on_settlement_exit(CampaignSelf self, const caf::exit_msg& msg) {
  if (msg.reason == caf::exit_reason::normal) return std::nullopt;
  for (const auto& [id, actor] : self->state.settlements) {
    if (actor.address() != msg.source) continue;
    const std::string sid = id;
    const std::string why = "settlement " + sid + " failed: " + self->system().render(msg.reason);
    if (restart_settlement(self, sid, why)) return sid;
    escalate(self, why);
    return std::nullopt;
  }
  return std::nullopt;
}

void catch_up_settlement(CampaignSelf self, const std::string& id, sim::WorldTime from) {
  auto& st = self->state;
  if (from <= st.message_clock) return;
  self->request(st.settlements.at(id), caf::infinite, advance_atom::value, from)
      .then([](StepResult&) {}, [](caf::error&) {});  // a failure shows in the next attempt
}

void escalate(CampaignSelf self, const std::string& why) {
  auto& st = self->state;
  spdlog::error("campaign {}: {}; too many settlement restarts, the campaign fails", st.id(), why);
  const caf::error err = caf::make_error(caf::sec::runtime_error, "campaign " + st.id() + ": " + why);
  // A promise dropped by a dying actor is never answered; the requests
  // still waiting in the mailbox are bounced by CAF when the actor quits.
  if (st.current) st.current->deliver(err);
  st.current.reset();
  self->quit(err);
}

Recovery recover_settlement(CampaignSelf self, const std::string& id, const caf::actor& asked,
                            sim::WorldTime from, const std::string& why) {
  auto& st = self->state;
  auto current = st.settlements.find(id);
  if (current == st.settlements.end()) return Recovery::Gone;
  // The exit handler may have restarted it already.
  if (current->second == asked && !restart_settlement(self, id, why)) return Recovery::Spent;
  catch_up_settlement(self, id, from);
  return Recovery::Retry;
}

}  // namespace hourglass::actors
