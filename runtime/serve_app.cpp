#include "runtime/serve_app.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "actors/errors.hpp"
#include "actors/service/api_reader.hpp"
#include "actors/service/bridge_actor.hpp"
#include "actors/service/record_feed_actor.hpp"
#include "actors/service/flight_recorder.hpp"
#include "actors/service/gateway_actor.hpp"
#include "actors/service/outbox_recovery.hpp"
#include "actors/service/registry_actor.hpp"
#include "actors/service/store_actor.hpp"
#include "messages/api_input.hpp"
#include "messages/rules_codec.hpp"
#include "runtime/free_memory.hpp"
#include "runtime/service/branch_config.hpp"
#include "runtime/service/metrics.hpp"
#include "runtime/service/partition_leases.hpp"
#include "runtime/service/prometheus_telemetry.hpp"
#include "io/instance_id.hpp"
#include "io/redis_liveness_probe.hpp"
#include "io/redis_stream_reader.hpp"
#include "io/redis_subscriber.hpp"
#include "io/redis_url.hpp"
#include "runtime/service/resync_policy.hpp"
#include "runtime/service/status_server.hpp"
#include "runtime/service/stream_input.hpp"

namespace hourglass::runtime {
namespace {

// Free memory the allocator may keep for what comes next; the rest goes back
// to the OS every few seconds. About what a large campaign's catch-up step
// takes, so that a running one does not fault its pages in again each time.
constexpr std::size_t kFreeMemoryKept = std::size_t{64} << 20;

caf::actor_system_config actor_config() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  actors::add_error_rendering(cfg);
  return cfg;
}

}  // namespace

struct ServeApp::Impl {
  service::ServiceConfig config;
  sim::RulesPtr rules;
  std::shared_ptr<std::FILE> record_file;  // the flight recorder's; none when off
  io::RedisEndpoint redis;
  service::Registry metrics;
  service::PrometheusTelemetry telemetry{metrics};
  service::HealthState health;
  caf::actor_system_config actor_cfg = actor_config();
  std::unique_ptr<caf::actor_system> system;
  actors::api_reader_actor reader;
  actors::bridge_actor bridge;
  actors::record_feed_actor feed;  // null when records are not published
  actors::gateway_actor gateway;
  actors::registry_actor registry;
  actors::store_actor store;
  // Set at shutdown: the store stops waiting for a Redis that is gone.
  std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  // Set as soon as a stop is asked: a long advance stops at its next span's
  // commit (SessionOptions::draining).
  std::shared_ptr<std::atomic<bool>> draining = std::make_shared<std::atomic<bool>>(false);
  // How far the long advances have got: /health, a log line and metrics
  // every few seconds (report_long_advances).
  actors::AdvanceProgressPtr progress = std::make_shared<actors::AdvanceProgress>();
  std::thread progress_reporter;
  std::vector<std::string> resumed;  // campaigns with a checkpoint at start
  std::shared_ptr<std::atomic<bool>> intake_held = std::make_shared<std::atomic<bool>>(false);
  actors::PublishBacklogPtr publish_backlog = std::make_shared<actors::PublishBacklog>();
  std::unique_ptr<io::RedisSubscriber> subscriber;  // none when only the stream is read
  // The stream input (none when off). Started and stopped here; the bridge's
  // acknowledge function holds it too, so that its acknowledgements (which
  // go on after intake stops, while the drain finishes) never outlive it.
  std::shared_ptr<io::RedisStreamReader> stream_reader;
  // Moves the stream input's entries to the partition streams while this
  // instance holds the router lease (none when the stream input is off).
  std::unique_ptr<io::StreamRouter> stream_router;
  std::unique_ptr<service::StatusServer> status;
  // PINGs Redis for /health: a frozen Redis keeps its links open (docs/operations.md, A frozen Redis).
  std::unique_ptr<io::RedisLivenessProbe> liveness;
  // This process's name in the partition leases, and their keeper
  // (docs/operations.md, Several instances).
  std::string instance_id = io::make_instance_id();
  std::unique_ptr<io::LeaseKeeper> leases;
  // What it holds, for /health; whether it is ready, for /ready (set at start).
  std::shared_ptr<service::OwnershipHealth> ownership;
  // The keeper's moves after the start, to the registry once it runs.
  std::shared_ptr<service::LeaseEvents> lease_events = std::make_shared<service::LeaseEvents>();
  std::mutex mutex;
  std::condition_variable stop_requested_cv;
  bool stop_requested = false;
  bool reporter_done = false;  // the progress reporter ends
  std::condition_variable subscribed_cv;
  int subscriptions = 0;       // the subscriber's (re)subscriptions
  int stream_connections = 0;  // the stream reader's (re)connections

  std::shared_ptr<io::RedisStreamReader> make_stream_reader();

  // Whether Redis answers at all, for /health (HealthState::set_redis_ping);
  // an outage and its end are logged once each.
  void start_liveness_probe() {
    io::RedisLivenessProbeOptions o;
    o.endpoint = redis;
    liveness = std::make_unique<io::RedisLivenessProbe>(o, [this, answering = true](const io::RedisPing& p) mutable {
      health.set_redis_ping(p.answered, p.error, p.took);
      if (answering && !p.answered) spdlog::warn("redis: not answering: {}", p.error);
      if (!answering && p.answered) spdlog::info("redis: answering again ({} ms)", p.took.count());
      answering = p.answered;
    });
    liveness->start();
  }

  // The advances running for more than 5 s: in /health, in the metrics, and
  // (when `log`) a line each, at most 5.
  void report_long_advances(bool log) {
    const auto now = actors::AdvanceProgress::Clock::now();
    const auto running = progress->running(std::chrono::seconds(5));
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < running.size() && i < 20; ++i) {
      const auto& a = running[i];
      list.push_back({{"campaign", a.campaign},
                      {"from", sim::format_world_time(a.from)},
                      {"reached", sim::format_world_time(a.reached)},
                      {"target", sim::format_world_time(a.target)},
                      {"done", a.done()},
                      {"firings_per_s", a.firings_per_second(now)}});
      if (log && i < 5)
        spdlog::info("long advance of campaign {}: {} of {} ({:.1f} %), {:.0f} firings/s", a.campaign,
                     sim::format_world_time(a.reached), sim::format_world_time(a.target), 100.0 * a.done(),
                     a.firings_per_second(now));
    }
    health.set_long_advances(std::move(list));
    telemetry.long_advances(running.size(), running.empty() ? 1.0 : running.front().done());
  }

  void start_progress_reporter() {
    progress_reporter = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex);
      while (!stop_requested_cv.wait_for(lock, std::chrono::seconds(5), [this] { return reporter_done; })) {
        lock.unlock();
        report_long_advances(true);
        // After a burst the allocator would keep the peak (runtime/free_memory).
        release_free_memory(kFreeMemoryKept);
        lock.lock();
      }
    });
  }

  void stop_progress_reporter() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      reporter_done = true;
    }
    stop_requested_cv.notify_all();
    if (progress_reporter.joinable()) progress_reporter.join();
  }

  // Redis must be able to keep its promise: said at start, and in /health.
  void check_persistence() {
    caf::scoped_actor self{*system};
    io::PersistenceReport report{false, "Redis did not answer"};
    self->request(store, std::chrono::seconds(10), actors::persistence_atom::value)
        .receive([&](io::PersistenceReport& r) { report = std::move(r); }, [](caf::error&) {});
    health.set_persistence(report.durable, report.why);
    if (report.durable)
      spdlog::info("redis persistence: {}", report.why);
    else
      spdlog::warn("redis persistence: checkpoints can be lost on a Redis restart: {} (docs/operations.md, Durable state)",
                   report.why);
  }

  // What was committed and not yet done before the last stop goes out first:
  // every campaign's outbox, oldest first, before any new message is taken
  // (actors/service/outbox_recovery; a takeover sends a partition's the same way).
  void recover_outboxes() {
    caf::scoped_actor self{*system};
    const auto bound = std::chrono::seconds(60);
    self->request(store, bound, actors::campaign_index_atom::value)
        .receive([&](std::vector<std::string>& ids) { resumed = std::move(ids); },
                 [&](caf::error& err) { spdlog::error("recovery: cannot read the campaign index: {}", system->render(err)); });
    // Only the owner of a campaign's partition sends its outbox.
    const auto owned = leases->ownership();
    resumed.erase(std::remove_if(resumed.begin(), resumed.end(),
                                 [&](const std::string& id) { return !owned->token_of(id); }),
                  resumed.end());
    auto sender = system->spawn(actors::outbox_recovery, store, gateway, std::string("recovery"));
    self->request(sender, bound, actors::outbox_atom::value, resumed)
        .receive(
            [&](std::size_t entries) {
              if (!resumed.empty())
                spdlog::info("recovery: {} campaign(s) have checkpoints; {} committed write(s) were not done and go "
                             "out now",
                             resumed.size(), entries);
            },
            [&](caf::error& err) {
              spdlog::warn("recovery: the outboxes were not all read within {} s ({}); each goes out as it is read",
                           bound.count(), system->render(err));
            });
  }

  // Bounded memory under overload: above max_outbox committed writes not yet
  // done, nothing more is read from Redis (pub/sub or stream) until the
  // backlog is back under 90 % of it. Called on the gateway's thread.
  void follow_backlog(std::size_t backlog) {
    const std::size_t limit = config.max_outbox;
    if (!intake_held->load() && backlog > limit) {
      intake_held->store(true);
      const std::string why = "outbox backlog " + std::to_string(backlog) + " > HOURGLASS_MAX_OUTBOX " +
                              std::to_string(limit) + ": intake paused until the API takes the writes";
      health.set_intake_paused(why);
      spdlog::warn("{}", why);
    } else if (intake_held->load() && backlog <= limit - limit / 10) {
      intake_held->store(false);
      health.set_intake_paused("");
      spdlog::info("outbox backlog {}: intake resumed", backlog);
    }
  }

  nlohmann::json health_report() {
    caf::scoped_actor self{*system};
    self->request(gateway, std::chrono::seconds(1), actors::gateway_status_atom::value)
        .receive([&](actors::GatewayStatus& g) {
                   health.set_gateway(g.queued + g.in_flight, g.dead_letters);
                   health.set_api_breaker(g.breaker);
                 },
                 [&](caf::error&) {});
    self->request(registry, std::chrono::seconds(1), actors::registry_status_atom::value)
        .receive([&](actors::RegistryStatus& r) {
                   health.set_campaigns(r.campaigns, r.quarantined, std::move(r.quarantine_reasons));
                 },
                 [&](caf::error&) {});
    report_long_advances(false);
    ownership->set_fenced(telemetry.fenced_refusals());
    return health.to_json();
  }
};

// The stream input: each entry to the bridge with its id (the bridge or the
// registry acknowledges it); a malformed one is dead-lettered and
// acknowledged here, it will never be applied. Nothing is lost while the
// link is down (the entries wait in the stream), so a reconnection needs
// no resync.
std::shared_ptr<io::RedisStreamReader> ServeApp::Impl::make_stream_reader() {
  Impl& s = *this;
  const auto& c = s.config;
  io::RedisStreamReaderOptions o;
  o.endpoint = s.redis;
  // The streams of the partitions this instance owns, their previous
  // owner's pending entries claimed as each joins (the lease says they are
  // ours); the router fills them from c.stream_key.
  o.key.clear();
  o.streams = [owned = s.leases->ownership(), ingress = c.stream_key] {
    return service::owned_partition_streams(*owned, ingress);
  };
  o.claim_pending = true;
  o.group = c.stream_group;
  o.consumer = c.stream_consumer;
  o.hold = [held = s.intake_held] { return held->load(); };
  io::RedisStreamReaderCallbacks cb;
  // The bridge is spawned after the reader is made (it needs the reader to
  // acknowledge) and before its thread starts: read it when called.
  cb.on_entry = [&s](std::string id, std::string channel, std::string payload) {
    caf::anon_send(s.bridge, actors::inbound_atom::value, std::move(channel), std::move(payload), std::move(id));
  };
  cb.on_malformed = [&s, key = c.stream_key](std::string id, std::string why) {
    // Logged by the bridge with its dead letter (limited: see bridge_actor.hpp).
    caf::anon_send(s.bridge, actors::dead_letter_atom::value, "stream entry " + id + " of " + key + ": " + why,
                   std::string(), std::string());
    caf::anon_send(s.bridge, actors::stream_ack_atom::value, std::move(id));  // after its dead letter
  };
  cb.on_connected = [&s, key = c.stream_key](bool reconnected) {
    s.health.set_redis_connected(true);
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      ++s.stream_connections;
      s.subscribed_cv.notify_all();
    }
    spdlog::info("redis: reading the partition streams of {}{}", key, reconnected ? " again, pending entries first" : "");
  };
  cb.on_disconnected = [&s](std::string why) {
    s.health.set_redis_connected(false);
    spdlog::warn("redis: stream input lost its connection: {}", why);
  };
  cb.on_connect_failed = [](std::string why, std::chrono::milliseconds retry_in) {
    spdlog::warn("redis: stream input cannot connect ({}); next try in {} ms", why, retry_in.count());
  };
  cb.on_ack_failed = [](std::string why) {
    spdlog::warn("redis: XACK failed, kept to send again: {}", why);
  };
  return std::make_shared<io::RedisStreamReader>(std::move(o), std::move(cb));
}

ServeApp::ServeApp(service::ServiceConfig config) : impl_(std::make_unique<Impl>()) {
  auto problems = service::validate(config);
  if (!problems.empty()) {
    std::string all = "bad configuration:";
    for (const auto& p : problems) all += "\n  " + p;
    throw service::ConfigError(all);
  }
  try {
    impl_->redis = io::parse_redis_url(config.redis_url);
  } catch (const std::exception& e) {
    throw service::ConfigError(std::string("bad configuration:\n  ") + e.what());
  }
  try {
    impl_->rules = std::make_shared<const sim::Rules>(
        config.rules_file.empty() ? sim::Rules::defaults() : messages::load_rules_file(config.rules_file));
  } catch (const std::exception& e) {
    throw service::ConfigError(std::string("bad configuration:\n  HOURGLASS_RULES: ") + e.what());
  }
  if (!config.record_file.empty()) {
    // Appended to, never truncated: a recording is not lost by a restart.
    std::FILE* f = std::fopen(config.record_file.c_str(), "ab");
    if (!f)
      throw service::ConfigError("bad configuration:\n  record_file: cannot open " + config.record_file +
                                 " for appending: " + std::strerror(errno));
    impl_->record_file = std::shared_ptr<std::FILE>(f, std::fclose);
  }
  impl_->config = std::move(config);
}

std::string ServeApp::reload_rules() {
  Impl& s = *impl_;
  auto refuse = [&](const std::string& why) {
    spdlog::error("rules reload refused, keeping the rules in use: {}", why);
    s.telemetry.rules_reload("refused");
    return why;
  };
  if (s.config.rules_file.empty()) return refuse("no rules file is configured (HOURGLASS_RULES / --rules)");
  if (!s.system) return refuse("the service has not started");
  sim::RulesPtr rules;
  try {
    rules = std::make_shared<const sim::Rules>(messages::load_rules_file(s.config.rules_file));
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.rules = rules;
  }
  caf::anon_send(s.bridge, actors::rules_atom::value, rules);
  // Waits for the registry: a message published after this returns is
  // handled under the new rules.
  caf::scoped_actor self{*s.system};
  bool routed = false;
  self->request(s.registry, std::chrono::seconds(10), actors::rules_atom::value, rules)
      .receive([&](bool) { routed = true; }, [&](caf::error&) {});
  if (!routed) spdlog::warn("rules reload: the registry did not confirm within 10 s; campaigns take the rules when it does");
  s.telemetry.rules_reload("applied");
  spdlog::info("rules reloaded from {}", s.config.rules_file);
  return "";
}

ServeApp::~ServeApp() {
  impl_->stop_progress_reporter();
  if (impl_->leases) impl_->leases->stop(false);
  if (impl_->liveness) impl_->liveness->stop();
  if (impl_->subscriber) impl_->subscriber->stop();
  if (impl_->stream_reader) impl_->stream_reader->stop();
  if (impl_->stream_router) impl_->stream_router->stop();
  if (impl_->status) impl_->status->stop();
}

void ServeApp::start() {
  Impl& s = *impl_;
  const auto& c = s.config;
  spdlog::info("starting: {}", service::describe(c));
  // Before any actor: a partition count at odds with Redis' stops the start
  // here (io::PartitionCountMismatch), and one instance owns every partition
  // before its inputs start.
  spdlog::info("instance id: {}", s.instance_id);
  s.ownership = std::make_shared<service::OwnershipHealth>(s.instance_id, static_cast<std::uint32_t>(c.partitions));
  s.health.set_ownership(s.ownership);
  s.leases = service::make_lease_keeper(c, s.redis, s.instance_id, s.telemetry, s.lease_events, s.ownership);
  s.leases->start();
  s.system = std::make_unique<caf::actor_system>(s.actor_cfg);
  io::CampaignApiConfig api{c.api_url, c.api_token, c.gateway_timeout};
  api.auth = service::make_auth_session(c);  // one for the reader and every gateway worker
  api.on_refusal = [&s](const io::ApiError& e) {
    s.telemetry.api_refusal(io::to_string(e.kind));
    s.health.set_api_refusal(io::to_string(e.kind), e.message);
  };
  s.reader = s.system->spawn<caf::detached>(actors::api_reader, api);
  s.store = s.system->spawn<caf::detached>(actors::store, s.redis, &s.telemetry,
                                           std::shared_ptr<const std::atomic<bool>>(s.stopping));
  const service::InputSelection input = service::parse_input(c.input);  // validated with the config
  actors::BridgeOptions bridge_options{s.redis, s.rules, {}, &s.telemetry};
  s.publish_backlog->limit = c.publish_backlog_mb << 20;
  if (c.publish_records == "on") {
    actors::RecordFeedOptions feed;
    feed.redis = s.redis;
    feed.backlog = s.publish_backlog;
    s.feed = s.system->spawn<caf::detached>(actors::record_feed, std::move(feed));
  }
  bridge_options.dead_letter_max = c.dead_letter_max;
  // Intake markers (actors/service/registry_acquire): with a pub/sub input,
  // a partition taken over opens its intake once its marker comes through.
  if (input.channels || input.campaign_manager) bridge_options.intake_mark_instance = s.instance_id;
  if (input.stream) {
    s.stream_reader = s.make_stream_reader();
    bridge_options.acknowledge = [reader = s.stream_reader](const std::string& id) { reader->acknowledge(id); };
  }
  s.bridge = s.system->spawn<caf::detached>(actors::bridge, std::move(bridge_options));
  actors::GatewayOptions gateway;
  gateway.api = api;
  gateway.redis = s.redis;
  gateway.store = s.store;
  gateway.campaign_branches = service::campaign_branches(c);
  gateway.concurrency = c.gateway_concurrency;
  gateway.retries = c.gateway_retries;
  gateway.breaker.open_for = c.gateway_breaker_open;
  gateway.dead_letters = s.bridge;
  gateway.telemetry = &s.telemetry;
  gateway.on_backlog = [&s](std::size_t backlog) { s.follow_backlog(backlog); };
  s.gateway = s.system->spawn(actors::gateway, gateway);
  actors::RegistryOptions registry;
  registry.rules = s.rules;
  registry.reader = s.reader;
  registry.gateway = s.gateway;
  registry.bridge = s.bridge;
  registry.feed = s.feed;
  registry.store = s.store;
  registry.telemetry = &s.telemetry;
  registry.restart_limit = c.restart_limit;
  registry.restart_window = c.restart_window;
  registry.passivate_after = c.passivate_after;
  registry.max_advance = c.max_advance.count();
  registry.publish_records = c.publish_records == "on";
  registry.draining = s.draining;
  registry.progress = s.progress;
  registry.publish_backlog = s.publish_backlog;
  registry.ownership = s.leases->ownership();
  if (s.record_file) {
    registry.recorder = s.system->spawn<caf::detached>(actors::flight_recorder, s.record_file);
    spdlog::info("flight recorder: appending accepted messages to {}", c.record_file);
  }
  if (!c.fault_inject.empty()) {  // validated with the config
    registry.faults = std::make_shared<actors::FaultInjector>(*actors::parse_fault_plan(c.fault_inject));
    spdlog::warn("fault injection is on: {}", c.fault_inject);
  }
  s.registry = s.system->spawn(actors::registry, registry);
  caf::anon_send(s.bridge, actors::set_registry_atom::value, actors::inbound_router_actor{s.registry});
  s.lease_events->attach(s.registry, service::resync_policy(input).resume_at_start);

  s.status = std::make_unique<service::StatusServer>(c.bind, c.port, [&s] { return s.health_report(); }, s.metrics);
  s.status->set_readiness([&s] { return s.ownership->readiness(); });
  s.status->start();
  s.start_liveness_probe();
  s.start_progress_reporter();

  s.check_persistence();
  s.recover_outboxes();

  io::RedisSubscriberOptions sub;
  sub.endpoint = s.redis;
  sub.hold = [held = s.intake_held] { return held->load(); };
  if (input.channels) {
    sub.patterns.push_back("campaign.*.worldTimeAdvanced");
    sub.patterns.push_back("campaign.*.entityModified");
  }
  if (input.campaign_manager) {
    sub.patterns.push_back(messages::kApiEntityModifiedPattern);
    sub.patterns.push_back(messages::kApiSocketIoCampaignPattern);
  }
  if (!sub.patterns.empty()) sub.patterns.push_back(actors::kIntakeMarkChannel);
  io::RedisSubscriberCallbacks cb;
  const service::ResyncPolicy resync = service::resync_policy(input);  // what a lossy input needs
  actors::bridge_actor bridge = s.bridge;
  actors::registry_actor registry_actor = s.registry;
  cb.on_message = [bridge](std::string channel, std::string payload) {
    caf::anon_send(bridge, actors::inbound_atom::value, std::move(channel), std::move(payload));
  };
  cb.on_connected = [&s, registry_actor, resync](bool reconnected) {
    s.health.set_redis_connected(true);
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      ++s.subscriptions;
      s.subscribed_cv.notify_all();
    }
    spdlog::info("redis: subscribed{}", !reconnected              ? ""
                                        : resync.resync_on_reconnect ? " again; resyncing every campaign"
                                                                     : " again");
    if (reconnected) {
      if (resync.resync_on_reconnect) caf::anon_send(registry_actor, actors::resync_atom::value);
    } else if (!s.resumed.empty() && !resync.resume_at_start) {
      spdlog::info("not resuming {} campaign(s) from the API's clock: {}", s.resumed.size(), resync.why);
    } else if (!s.resumed.empty()) {
      // Started from their checkpoints, they catch up on the world time that
      // passed while Hourglass was down.
      spdlog::info("resuming {} campaign(s) from their checkpoints", s.resumed.size());
      caf::anon_send(registry_actor, actors::resync_atom::value, s.resumed);
    }
  };
  cb.on_disconnected = [&s](std::string why) {
    s.health.set_redis_connected(false);
    spdlog::warn("redis: connection lost: {}", why);
  };
  cb.on_connect_failed = [](std::string why, std::chrono::milliseconds retry_in) {
    spdlog::warn("redis: cannot connect ({}); next try in {} ms", why, retry_in.count());
  };
  cb.on_link_loss_explained = [&s](const io::LinkLossVerdict& v) {
    if (v.cause != io::LinkLossCause::output_buffer_limit)
      return spdlog::info("redis: the subscription was lost: {} ({})", io::to_string(v.cause), v.evidence);
    s.telemetry.pubsub_overflow();
    s.health.set_pubsub_overflow(v.evidence);
    spdlog::warn("redis: dropped the subscriber for its output buffer limit (client-output-buffer-limit pubsub): "
                 "what was published to it meanwhile is lost; {} (docs/operations.md, Pub/sub overflow)",
                 v.evidence);
  };
  if (!sub.patterns.empty()) {  // stream alone: no pub/sub at all
    s.subscriber = std::make_unique<io::RedisSubscriber>(sub, cb);
    s.subscriber->start();
  }
  if (s.stream_reader) s.stream_reader->start();
  if (s.stream_reader) {
    s.stream_router = service::make_stream_router(c, s.redis, *s.leases, s.bridge, s.telemetry);
    s.stream_router->start();
  }
  s.ownership->started();  // ready (GET /ready) once a lease round is answered
  spdlog::info("serving: status on {}:{}", c.bind, s.status->port());
}

void ServeApp::request_stop() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->stop_requested = true;
  impl_->stop_requested_cv.notify_all();
}

int ServeApp::wait() {
  Impl& s = *impl_;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.stop_requested_cv.wait(lock, [&] { return s.stop_requested; });
  }
  s.ownership->stopping();  // not ready (GET /ready) from now on
  s.draining->store(true);  // long advances stop at their next span's commit
  // Every partition is handed over (docs/operations.md, Several instances):
  // intake for it stops, its sessions commit and end, its outboxes are
  // sent, then its lease goes back (each as soon as it is done, so that
  // another instance takes it over while the rest drain); none is taken again.
  s.leases->hand_off_all();
  spdlog::info("stopping: no more intake; finishing advances in flight (a long one stops at its next commit)");
  if (s.subscriber) s.subscriber->stop();
  // Its thread only: what is in flight is still acknowledged as it finishes.
  if (s.stream_reader) s.stream_reader->stop();
  if (s.stream_router) s.stream_router->stop();
  int code = 0;
  caf::scoped_actor self{*s.system};
  // One bound for the whole stop, not one per phase: with Redis away every
  // phase would wait out its own (the registry's, the gateway's, the dead
  // letters', ...), and the exit would come several bounds late. The drain's
  // phases share it but the last third (3 s at most), which is left for what
  // follows them: the lease keeper's last round, the actors' last Redis
  // calls, each a timeout when Redis does not answer.
  const auto drain_timeout = s.config.drain_timeout;
  const auto teardown = std::min<std::chrono::milliseconds>(drain_timeout / 3, std::chrono::seconds(3));
  const auto drain_end = std::chrono::steady_clock::now() + drain_timeout - teardown;
  const auto left = [drain_end] {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(drain_end - std::chrono::steady_clock::now());
    return std::max(ms, std::chrono::milliseconds(1));  // a phase past the bound is asked, not waited for
  };
  self->request(s.registry, left(), actors::registry_drain_atom::value)
      .receive([](bool) {}, [&](caf::error&) {
        spdlog::error("advances still in flight after {} s: what they did not commit is computed again at the next "
                      "start",
                      drain_timeout.count());
        code = 1;
      });
  self->request(s.gateway, left(), actors::gateway_drain_atom::value)
      .receive([](bool) { spdlog::info("gateway drained"); },
               [&](caf::error&) {
                 spdlog::error("gateway backlog not drained within {} s: the rest stays in the outboxes",
                               drain_timeout.count());
                 code = 1;
               });
  if (code != 0) {  // nothing is lost: what waits stays in the outboxes for the next start
    self->request(s.gateway, left(), actors::gateway_abandon_atom::value)
        .receive([](std::size_t) {}, [](caf::error&) {});
    self->request(s.gateway, left(), actors::gateway_drain_atom::value).receive([](bool) {}, [](caf::error&) {});
  }
  self->request(s.bridge, left(), actors::flush_dead_letters_atom::value)
      .receive([](std::size_t) {}, [](caf::error&) {});
  // What the sinks handed the feed (16 MiB at most: PublishBacklog) goes out
  // before the exit: tens of milliseconds with Redis up. Best effort, so at
  // most 2 s of the drain (with Redis away the feed drops what it holds
  // after its first failed try).
  if (s.feed)
    self->request(s.feed, std::min<std::chrono::milliseconds>(left(), std::chrono::seconds(2)), actors::flush_atom::value)
        .receive([](bool) {}, [](caf::error&) { spdlog::warn("record feed: records still unpublished at the exit"); });
  // Everything committed and sent (or left in the outboxes): the leases go
  // back, so that another instance takes the partitions without waiting for
  // their expiry; within the teardown's first half (Redis away, each release
  // would wait out a timeout: what is not given back expires by itself).
  s.stopping->store(true);  // the store answers what is still queued at once
  s.leases->stop(true, drain_end + teardown / 2);
  s.status->stop();
  if (s.liveness) s.liveness->stop();
  s.stop_progress_reporter();
  self->send_exit(s.registry, caf::exit_reason::user_shutdown);
  self->send_exit(s.store, caf::exit_reason::user_shutdown);
  self->send_exit(s.gateway, caf::exit_reason::user_shutdown);
  self->send_exit(s.bridge, caf::exit_reason::user_shutdown);
  if (s.feed) self->send_exit(s.feed, caf::exit_reason::user_shutdown);
  self->send_exit(s.reader, caf::exit_reason::user_shutdown);
  return code;
}

bool ServeApp::wait_subscribed(int times, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  return impl_->subscribed_cv.wait_for(lock, timeout, [&] {
    return (!impl_->subscriber || impl_->subscriptions >= times) &&
           (!impl_->stream_reader || impl_->stream_connections >= times);
  });
}

int ServeApp::status_port() const { return impl_->status ? impl_->status->port() : 0; }

}  // namespace hourglass::runtime
