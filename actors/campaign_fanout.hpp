// One step of a campaign message asked of every settlement at once: they
// run in parallel, and their batches, with the campaign's own effects and
// events around them, are merged into SPEC §3's canonical order by
// (time, rank): rank 0 the campaign's effects, 1..n the settlements by id,
// n+1 its events.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/campaign_actor.hpp"
#include "actors/step_gather.hpp"

namespace hourglass::actors {

// The campaign's own effects and events of one step, in two batches (the
// first and last ranks of the merge).
struct OwnFirings {
  sim::RecordBatch effects;
  sim::RecordBatch events;
  std::uint64_t count = 0;
};

// Fires the campaign's effects, then its events, due from `from` to
// `until`, and counts them for the fault injector.
OwnFirings fire_own(CampaignSelf self, sim::WorldTime from, sim::WorldTime until);

// What a fan-out gathered: the batches by rank.
struct Gathered {
  std::vector<sim::RecordBatch> batches;
  // Each settlement's carry after the step, in the order of the campaign's
  // settlements (rank - 1); none when it did not answer. (By position, not
  // by id: a thousand map insertions per step cost more than the step's
  // ordering.)
  std::vector<std::optional<double>> carries;
  std::uint64_t firings = 0;  // the settlements' and the campaign's own
  std::string failure;        // empty when every settlement answered
};

// The carries by position (Gathered::carries) folded into `into` by
// settlement id: a position with none leaves its settlement's entry alone.
void put_carries(CampaignSelf self, const std::vector<std::optional<double>>& by_position, Carries& into);

// A settlement that could not answer fails the message: `h` becomes a
// Refused answer with the reason. True when it did.
bool refuse_on_failure(const Gathered& g, Handled& h);

// Asks every settlement for one step that starts at `from` (`order`: what
// it does) and hands their batches, with `own` around them, to `then`. The
// settlements answer into a shared StepGather (step_gather.hpp); the last
// one's gathered_atom, or the campaign's own retry, ends the step.
void fan_out(CampaignSelf self, sim::WorldTime from, OwnFirings own, StepOrder order,
             std::function<void(Gathered&)> then);

// The busy campaign's handler of gathered_atom: the step in flight is
// complete (a gather that is not the one in flight is stale: ignored).
void on_gathered(CampaignSelf self, const StepGatherPtr& g);

// Settlement `id`'s actor died and was restarted: if it had not answered the
// step in flight, the fresh actor is asked it (as a request, recovered like
// any other) and its answer fills the slot.
void retry_gathered_step(CampaignSelf self, const std::string& id);

// Orders a gathered step canonically and hands it to the sink; its records.
std::uint64_t emit_gathered(CampaignSelf self, Gathered& g);

// The message is done: every settlement gives its structures back to their
// actors and sends the campaign its committed copy.
void commit_all(CampaignSelf self);

}  // namespace hourglass::actors
