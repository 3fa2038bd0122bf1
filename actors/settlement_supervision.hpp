// The campaign as supervisor of its settlement actors (linked to it, with an
// exit handler; a settlement is linked to its structure actors). On every
// commit a settlement sends its campaign a copy of its committed household;
// a settlement actor that fails is replaced by one spawned from that copy.
// Every request the campaign makes of a settlement goes through
// `ask_settlement`, so a failure in the middle of a message is recovered and
// the message completes with the answer the failed actor would have given.
// When the restart budget is spent the campaign fails (escalates) and its own
// supervisor takes over (docs/architecture.md, Supervision).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/campaign_actor.hpp"

namespace hourglass::actors {

// Spawns settlement `s`'s actor (linked) with its structures, and makes
// this state its committed copy.
void spawn_settlement(CampaignSelf self, sim::Settlement s, std::vector<sim::Structure> structures);

// Forgets settlement `id` (DELETE): its actor, its copy, its structures' home.
void retire_settlement(CampaignSelf self, const std::string& id);

// A settlement's copy of its committed household (committed_atom); only the
// current actor's counts, a deleted or replaced one is history.
void keep_committed_copy(CampaignSelf self, SettlementSnapshot& copy);

// A settlement actor that dies outside a request (the requests recover
// their own) is restarted from its copy; deleted ones end normally. The id
// of the settlement restarted, if one was.
std::optional<std::string> on_settlement_exit(CampaignSelf self, const caf::exit_msg& msg);

// Brings settlement `id`'s fresh actor up to `from` without writing records,
// when the current message had already advanced it beyond its start (split
// invariance makes that state the same as the failed actor's).
void catch_up_settlement(CampaignSelf self, const std::string& id, sim::WorldTime from);

// Fails the campaign with `why`: the request in flight gets the error.
void escalate(CampaignSelf self, const std::string& why);

// What became of a settlement whose actor answered a request with an error.
enum class Recovery {
  Retry,  // a fresh actor is up (and caught up): ask it again
  Gone,   // the settlement no longer exists
  Spent,  // the restart budget is spent: the campaign must escalate
};

// Replaces `asked`, settlement `id`'s failed actor, by one started from the
// committed copy (unless the exit handler already did) and, when the current
// message had already advanced it beyond its start, brings the fresh one up
// to `from` without writing records (split invariance makes that state the
// same as the failed actor's).
Recovery recover_settlement(CampaignSelf self, const std::string& id, const caf::actor& asked,
                            sim::WorldTime from, const std::string& why);

// One request to a settlement and what its answer is for; it outlives
// the actors that fail to answer it.
template <class Result>
struct SettlementAsk {
  std::string id;
  sim::WorldTime from = 0;               // where the step asked for starts
  std::function<caf::message()> make;    // the request, made again for every attempt
  std::function<void(Result&)> ok;
  std::function<void(const std::string&)> fail;  // why there is no answer
};

namespace detail {

// One attempt: asks the settlement's current actor. On an error the actor
// is recovered and the next attempt asks the fresh one; when there is none
// (deleted, or the budget spent) `fail` gets the reason, and a spent budget
// then fails the campaign.
template <class Result>
void attempt(CampaignSelf self, std::shared_ptr<const SettlementAsk<Result>> ask) {
  auto it = self->state.settlements.find(ask->id);
  if (it == self->state.settlements.end()) return ask->fail("settlement " + ask->id + " does not exist");
  const caf::actor asked = it->second;
  self->request(asked, caf::infinite, ask->make())
      .then([ask](Result& r) { ask->ok(r); },
            [self, ask, asked](caf::error& err) {
              const std::string why = "settlement " + ask->id + " failed: " + self->system().render(err);
              switch (recover_settlement(self, ask->id, asked, ask->from, why)) {
                case Recovery::Retry: return attempt(self, ask);
                case Recovery::Gone: return ask->fail(why);
                case Recovery::Spent: ask->fail(why); return escalate(self, why);
              }
            });
}

}  // namespace detail

// Asks settlement `id` (the request made by `make`) and hands its answer to
// `ok`. A settlement that fails is recovered and asked again, so the answer
// is the one the failed actor would have given; when it cannot be, `fail`
// gets the reason.
template <class Result>
void ask_settlement(CampaignSelf self, std::string id, sim::WorldTime from, std::function<caf::message()> make,
                    std::function<void(Result&)> ok, std::function<void(const std::string&)> fail) {
  detail::attempt(self, std::make_shared<const SettlementAsk<Result>>(
                    SettlementAsk<Result>{std::move(id), from, std::move(make), std::move(ok), std::move(fail)}));
}

}  // namespace hourglass::actors
