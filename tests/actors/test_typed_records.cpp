// Typed records in service mode: the campaign actors, started as the
// service starts them (CampaignInit::typed_records), hand their service
// sink each record twice, as the JSON line it publishes and as a typed
// record, which the sink coalesces into API writes as they come. These tests
// run the real campaign and service sink actors over the example scenarios
// and generated ones, with a capture actor in place of the record feed and
// the session, and check that each message's writes are exactly those the
// text it published coalesces to.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <caf/all.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/campaign_actor.hpp"
#include "actors/fault_injection.hpp"
#include "actors/service/record_feed_actor.hpp"
#include "actors/service/service_sink.hpp"
#include "io/coalesce.hpp"
#include "messages/record_reader.hpp"
#include "messages/wire.hpp"
#include "support/replay_support.hpp"
#include "support/scenario_generator.hpp"

#ifndef HOURGLASS_SOURCE_DIR
#error "HOURGLASS_SOURCE_DIR must be defined (tests/CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
namespace ha = hourglass::actors;
namespace ht = hourglass::testing;
namespace hs = hourglass::sim;
using hourglass::runtime::Scenario;

// The capture actor takes the writes a sink handed over.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hourglass::io::EntityWrite>)

namespace {

const fs::path kExamples = fs::path(HOURGLASS_SOURCE_DIR) / "scenarios" / "examples";

// What one campaign's sink handed over (to the registry's take) after one
// message, and the text it had published since its previous hand-over.
struct HandOver {
  std::string published;
  std::vector<hourglass::io::EntityWrite> writes;  // coalesced by the sink from the typed records
};

struct CampaignCapture {
  std::string published;      // everything, in order
  std::string unattached;     // published since the last hand-over
  std::vector<HandOver> hand_overs;
};

using Captured = std::map<std::string, CampaignCapture>;  // by campaign id

// Stands in for the record feed (publish) of every sink, and keeps the
// hand-overs the test takes from the sinks: one mailbox, so each sink's
// publications and hand-overs stay in the order they happened.
caf::behavior capture_actor(caf::event_based_actor*, std::shared_ptr<Captured> out) {
  return {
      [=](ha::publish_atom, const std::string& channel, const ha::FeedText& feed) {
        std::string text;
        for (std::string_view piece : feed.pieces()) text.append(piece);
        const std::string id = channel.substr(std::string("campaign.").size(),
                                              channel.size() - std::string("campaign..simulation").size());
        auto& c = (*out)[id];
        c.published += text;
        c.unattached += text;
      },
      [=](ha::take_atom, const std::string& id, std::vector<hourglass::io::EntityWrite>& writes) {
        auto& c = (*out)[id];
        c.hand_overs.push_back({std::move(c.unattached), std::move(writes)});
        c.unattached.clear();
        return true;
      },
      [=](ha::flush_atom) { return true; },
  };
}

hourglass::messages::Decoded decode(const hourglass::runtime::RecordedMessage& m, const hs::Rules& rules) {
  if (m.payload.is_string())
    return hourglass::messages::decode_message_text(m.channel, m.payload.get_ref<const std::string&>(), rules);
  return hourglass::messages::decode_message(m.channel, m.payload, rules);
}

// Runs `scenario` through campaign actors with service sinks, message by
// message (as the registry does: load first, each message answered before
// the next), and returns what the sinks published and handed over.
Captured run_service_mode(const Scenario& scenario, hs::Duration max_step = 24 * 60 * hs::kMsPerMinute,
                          ha::FaultInjectorPtr faults = nullptr, std::uint64_t* restarts = nullptr,
                          bool publish = true, ha::PublishBacklogPtr backlog = nullptr,
                          ha::Telemetry* telemetry = &ha::Telemetry::none(),
                          std::function<bool()> text_wanted = nullptr) {
  ht::quiet_engine_logs();
  auto out = std::make_shared<Captured>();
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto capture = system.spawn(capture_actor, out);
  std::map<std::string, caf::actor> campaigns;
  std::vector<caf::actor> sinks, in_order;
  auto restarted = std::make_shared<std::atomic<std::uint64_t>>(0);
  for (const auto& seed : scenario.campaigns) {
    auto sink = system.spawn(ha::service_sink, seed.id, caf::actor_cast<ha::record_feed_actor>(capture),
                             backlog, telemetry);
    ha::CampaignInit init{seed, scenario.rules, sink, max_step};
    init.capture.changes = true;  // as the campaign session starts a service campaign
    init.capture.text = publish;  // HOURGLASS_PUBLISH_RECORDS
    init.capture.text_wanted = text_wanted;
    init.faults = faults;
    init.on_restart = [restarted](const std::string&) { ++*restarted; };
    auto c = system.spawn(ha::campaign_actor, std::move(init));
    campaigns[seed.id] = c;
    in_order.push_back(c);
    sinks.push_back(sink);
  }
  std::map<caf::actor, caf::actor> sink_of;
  std::map<caf::actor, std::string> id_of;
  for (std::size_t i = 0; i < in_order.size(); ++i) {
    sink_of[in_order[i]] = sinks[i];
    id_of[in_order[i]] = scenario.campaigns[i].id;
  }
  // As the registry: each message answered, then what the sink kept taken.
  // The sink published before it answered the take, so the capture has the
  // text before it hears of the hand-over.
  auto ask = [&](const caf::actor& c, auto... args) {
    self->request(c, caf::infinite, args...).receive([](ha::Handled&) {}, [](caf::error&) {});
    ha::SinkTake took;
    self->request(sink_of.at(c), caf::infinite, ha::take_atom::value)
        .receive([&](ha::SinkTake& t) { took = std::move(t); }, [](caf::error&) {});
    if (took.writes.empty() && took.carries.empty()) return;
    self->request(capture, caf::infinite, ha::take_atom::value, id_of.at(c), std::move(took.writes))
        .receive([](bool) {}, [](caf::error&) {});
  };
  for (const auto& c : in_order) ask(c, ha::load_atom::value);
  for (const auto& m : scenario.messages) {
    const auto d = decode(m, *scenario.rules);
    if (!d) continue;
    const std::string& id = std::visit([](const auto& x) -> const std::string& { return x.campaign_id; }, *d.message);
    auto it = campaigns.find(id);
    if (it != campaigns.end()) ask(it->second, ha::handle_atom::value, *d.message);
  }
  // Each sink has taken what its campaign sent before answering; what each
  // sink sent the capture comes before the capture's answer.
  for (const auto& s : sinks) self->request(s, caf::infinite, ha::flush_atom::value).receive([](bool) {}, [](caf::error&) {});
  self->request(capture, caf::infinite, ha::flush_atom::value).receive([](bool) {}, [](caf::error&) {});
  for (const auto& c : in_order) self->send_exit(c, caf::exit_reason::user_shutdown);
  for (const auto& s : sinks) self->send_exit(s, caf::exit_reason::user_shutdown);
  self->send_exit(capture, caf::exit_reason::user_shutdown);
  if (restarts) *restarts = restarted->load();
  return *out;
}

std::vector<std::string> lines_of(const std::string& text) { return ht::split_lines(text); }

// The lines of `text` whose campaignId is `id`, in order, joined.
std::string lines_of_campaign(const std::string& text, const std::string& id) {
  std::string out;
  const std::string prefix = "{\"campaignId\":\"" + id + "\",";
  for (const std::string& l : lines_of(text))
    if (l.compare(0, prefix.size(), prefix) == 0) out += l + "\n";
  return out;
}

// Every hand-over's writes, coalesced by the sink from the typed records as
// they came, are the writes the text published before it coalesces to;
// nothing published is left without one. Returns how many records were
// checked.
std::size_t check_hand_overs(const Captured& captured) {
  std::size_t checked = 0;
  for (const auto& [id, c] : captured) {
    INFO("campaign " << id);
    CHECK(c.unattached.empty());
    for (std::size_t m = 0; m < c.hand_overs.size(); ++m) {
      INFO("hand-over " << m + 1);
      const HandOver& h = c.hand_overs[m];
      CHECK(h.writes == hourglass::io::coalesce_jsonl(h.published));
      checked += lines_of(h.published).size();
    }
  }
  return checked;
}

// What all of a campaign's hand-overs leave the API holding: each entity's
// last write, its changes merged over its earlier ones (the values are
// absolute), in the order of each entity's first write.
std::vector<hourglass::io::EntityWrite> final_writes(const CampaignCapture& c) {
  std::vector<hourglass::io::EntityWrite> out;
  for (const auto& h : c.hand_overs)
    for (const auto& w : h.writes) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const auto& o) { return o.kind == w.kind && o.entity_id == w.entity_id; });
      if (it == out.end()) {
        out.push_back(w);
        continue;
      }
      for (const auto& [k, v] : w.changes.items()) it->changes[k] = v;
      it->idempotency_key = w.idempotency_key;
      it->world_time = w.world_time;
    }
  return out;
}

}  // namespace

TEST_CASE("typed records: the registry takes exactly the records published, for every example",
          "[typed][service][examples]") {
  std::size_t examples = 0, records = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 8 || name.find('.') != name.size() - 5) continue;  // NN-name.json only
    ++examples;
    INFO("example " << name);
    const Scenario scenario = hourglass::runtime::load_scenario(entry.path().string());
    const Captured captured = run_service_mode(scenario);
    records += check_hand_overs(captured);
    // What each campaign published is byte for byte its part of what
    // `hourglass replay` writes (test_examples holds that to the example's
    // expected records).
    const std::string expected = ht::replay_scenario(scenario, 2).records;
    for (const auto& seed : scenario.campaigns) {
      INFO("campaign " << seed.id);
      const auto it = captured.find(seed.id);
      const std::string published = it == captured.end() ? "" : it->second.published;
      CHECK(ht::first_difference(lines_of_campaign(expected, seed.id), published) == "");
    }
  }
  CHECK(examples == 8);
  CHECK(records > 1000);
}

TEST_CASE("typed records: generated scenarios, whole and split, hand over what they publish",
          "[typed][service][split]") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    INFO("seed " << seed);
    const nlohmann::json doc = ht::generate_scenario(seed);
    const Captured whole = run_service_mode(hourglass::runtime::parse_scenario(doc, "", "$"));
    REQUIRE(check_hand_overs(whole) > 0);
    // Split invariance reaches the writes: however the advances are cut
    // (only the hand-overs differ), the API ends holding the same values.
    const nlohmann::json split = ht::split_advances(doc, seed, ht::SplitMode::DueInstants);
    const Captured pieces = run_service_mode(hourglass::runtime::parse_scenario(split, "", "$"), 60 * hs::kMsPerMinute);
    check_hand_overs(pieces);
    REQUIRE(pieces.size() == whole.size());
    for (const auto& [id, c] : whole) {
      INFO("campaign " << id);
      CHECK(pieces.at(id).published == c.published);
      CHECK(final_writes(pieces.at(id)) == final_writes(c));
    }
  }
}

TEST_CASE("typed records: without published records, the same writes and no JSON at all", "[typed][service][publish]") {
  for (const char* example : {"03-events-and-effects.json", "07-generated-medium-default.json",
                              "08-generated-medium-tuned.json"}) {
    INFO("example " << example);
    const Scenario scenario = hourglass::runtime::load_scenario((kExamples / example).string());
    const Captured published = run_service_mode(scenario, 60 * hs::kMsPerMinute);
    const Captured silent = run_service_mode(scenario, 60 * hs::kMsPerMinute, nullptr, nullptr, false);
    REQUIRE(silent.size() == published.size());
    std::size_t writes = 0;
    for (const auto& [id, c] : published) {
      INFO("campaign " << id);
      const CampaignCapture& s = silent.at(id);
      CHECK(s.published.empty());
      REQUIRE(s.hand_overs.size() == c.hand_overs.size());
      for (std::size_t m = 0; m < c.hand_overs.size(); ++m) {
        CHECK(s.hand_overs[m].writes == c.hand_overs[m].writes);
        writes += c.hand_overs[m].writes.size();
      }
    }
    CHECK(writes > 0);
  }
}

// Counts what the sinks report as not published.
struct UnpublishedCount : ha::Telemetry {
  std::atomic<std::uint64_t> records{0};
  void records_unpublished(std::uint64_t n) override { records += n; }
};

// Runs 07 twice, as published and with `backlog` full (limit 0) and the
// gate `text_wanted` (may be null); checks the second hands over the same
// writes and publishes nothing, and returns its count of unpublished records
// beside the number the first one published.
std::pair<std::uint64_t, std::size_t> run_with_feed_full(const ha::PublishBacklogPtr& full,
                                                          std::function<bool()> text_wanted) {
  const Scenario scenario =
      hourglass::runtime::load_scenario((kExamples / "07-generated-medium-default.json").string());
  const Captured published = run_service_mode(scenario, 60 * hs::kMsPerMinute);
  UnpublishedCount count;
  const Captured dropped =
      run_service_mode(scenario, 60 * hs::kMsPerMinute, nullptr, nullptr, true, full, &count, std::move(text_wanted));
  std::size_t records = 0;
  REQUIRE(dropped.size() == published.size());
  for (const auto& [id, c] : published) {
    INFO("campaign " << id);
    records += lines_of(c.published).size();
    const CampaignCapture& d = dropped.at(id);
    CHECK(d.published.empty());
    REQUIRE(d.hand_overs.size() == c.hand_overs.size());
    for (std::size_t m = 0; m < c.hand_overs.size(); ++m) CHECK(d.hand_overs[m].writes == c.hand_overs[m].writes);
  }
  return {count.records.load(), records};
}

TEST_CASE("typed records: past the feed's backlog limit, records are dropped and counted, the writes are the same",
          "[typed][service][publish]") {
  auto full = std::make_shared<ha::PublishBacklog>();
  full->limit = 0;  // every text is over it
  const auto [unpublished, records] = run_with_feed_full(full, nullptr);  // no gate: made, then dropped
  CHECK(records > 0);
  CHECK(unpublished == records);
  CHECK(full->dropped > 0);
  CHECK(full->bytes == 0);
}

TEST_CASE("typed records: with the feed backed up, settlements make no JSON, the records are counted, the writes "
          "are the same",
          "[typed][service][publish]") {
  auto ungated = std::make_shared<ha::PublishBacklog>();
  ungated->limit = 0;
  run_with_feed_full(ungated, nullptr);
  auto full = std::make_shared<ha::PublishBacklog>();
  full->limit = 0;  // past half of it from the start: the gate is closed
  const auto [unpublished, records] = run_with_feed_full(full, ha::text_wanted_while_feed_flows(full));
  CHECK(records > 0);
  CHECK(unpublished == records);
  // The settlements' steps made no text, so the sink dropped only the
  // campaign's own (events, effects), which the gate does not hold back.
  INFO("texts dropped: " << full->dropped << " gated, " << ungated->dropped << " not");
  CHECK(full->dropped < ungated->dropped);
}

TEST_CASE("typed records: the feed's gate opens again once the backlog drains", "[typed][service][publish]") {
  auto backlog = std::make_shared<ha::PublishBacklog>();
  backlog->limit = 1000;
  const auto wanted = ha::text_wanted_while_feed_flows(backlog);
  CHECK(wanted());
  backlog->bytes = 499;
  CHECK(wanted());
  backlog->bytes = 500;  // half the limit waits
  CHECK_FALSE(wanted());
  backlog->bytes = 0;  // the feed published it
  CHECK(wanted());
  CHECK(ha::text_wanted_while_feed_flows(nullptr)());
}

TEST_CASE("typed records: a restarted settlement hands over the same typed records", "[typed][service][supervision]") {
  const Scenario scenario = hourglass::runtime::load_scenario((kExamples / "07-generated-medium-default.json").string());
  const auto max_step = 60 * hs::kMsPerMinute;
  const Captured clean = run_service_mode(scenario, max_step);
  for (std::uint64_t nth : {1, 60, 250}) {
    INFO("settlement s5 fails at its firing " << nth);
    auto faults = std::make_shared<ha::FaultInjector>(ha::FaultPlan{"settlement", "s5", nth});
    std::uint64_t restarts = 0;
    const Captured run = run_service_mode(scenario, max_step, faults, &restarts);
    REQUIRE(faults->thrown() == 1);
    CHECK(restarts == 1);
    check_hand_overs(run);
    REQUIRE(run.size() == clean.size());
    for (const auto& [id, c] : clean) {
      INFO("campaign " << id);
      const CampaignCapture& r = run.at(id);
      CHECK(r.published == c.published);
      REQUIRE(r.hand_overs.size() == c.hand_overs.size());
      for (std::size_t m = 0; m < c.hand_overs.size(); ++m) CHECK(r.hand_overs[m].writes == c.hand_overs[m].writes);
    }
  }
}
