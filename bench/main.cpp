// hourglass-bench: benchmark executables that print their numbers.
#include <CLI/CLI.hpp>

#include "bench/bench_commands.hpp"

int main(int argc, char** argv) {
  using namespace hourglass::bench;
  CLI::App app{"Hourglass benchmarks"};
  app.require_subcommand(1);
  CatchupArgs catchup;
  auto* c = app.add_subcommand("catchup", "One long advance of a large campaign (records to a file)");
  c->add_option("--settlements", catchup.settlements);
  c->add_option("--structures", catchup.structures, "Structures per settlement");
  c->add_option("--days", catchup.days);
  c->add_option("--threads", catchup.threads);
  c->add_option("--out", catchup.out);
  c->add_option("--step-hours", catchup.step_hours, "World hours per campaign step (0: the default)");
  FootprintArgs footprint;
  auto* f = app.add_subcommand("footprint", "Memory per idle entity actor");
  f->add_option("--entities", footprint.entities);
  SweepArgs sweep;
  auto* s = app.add_subcommand("sweep", "hourglass tune's cost: 16 growth-rate variants of a one-year world");
  s->add_option("--settlements", sweep.settlements);
  s->add_option("--structures", sweep.structures, "Structures per settlement");
  s->add_option("--days", sweep.days);
  s->add_option("--variants", sweep.variants)->check(CLI::Range(1, 1000));
  s->add_option("--threads", sweep.threads, "Concurrent replays");
  s->add_option("--report", sweep.report, "Also write report.html and timeline.csv to DIR");
  ServiceArgs service;
  auto* v = app.add_subcommand("service", "hourglass serve in-process: publish advances on Redis, time them to the last API write");
  v->add_option("--campaigns", service.campaigns)->check(CLI::Range(1, 1'000'000));
  v->add_option("--settlements", service.settlements, "Settlements per campaign")->check(CLI::Range(1, 100'000));
  v->add_option("--structures", service.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  v->add_option("--rate", service.rate, "Advances/s; 0: as fast as possible (one advance in flight per campaign)")
      ->check(CLI::Range(0.0, 1e6));
  v->add_option("--seconds", service.seconds, "Seconds of publishing")->check(CLI::Range(0.1, 3600.0));
  v->add_option("--gateway-concurrency", service.gateway_concurrency)->check(CLI::Range(1, 256));
  v->add_option("--rounds", service.rounds, "Rounds of advances to prepare, warm-up included (default: enough)")
      ->check(CLI::Range(2, 100'000));
  LongAdvanceArgs long_advance;
  auto* l = app.add_subcommand("long-advance",
                               "One year's advance of one campaign in hourglass serve (to its last API write) and in a replay to /dev/null");
  l->add_option("--settlements", long_advance.settlements)->check(CLI::Range(1, 100'000));
  l->add_option("--structures", long_advance.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  l->add_option("--days", long_advance.days, "The advance measured (a warm-up one of the same span comes first)")
      ->check(CLI::Range(1, 36'500));
  l->add_option("--gateway-concurrency", long_advance.gateway_concurrency)->check(CLI::Range(1, 256));
  l->add_option("--timeout", long_advance.timeout, "Seconds an advance may take")->check(CLI::Range(1, 36'000));
  l->add_option("--publish-records", long_advance.publish_records,
                "The service's HOURGLASS_PUBLISH_RECORDS (on: every record published on Redis as JSON)");
  CheckpointArgs checkpoint;
  auto* k = app.add_subcommand("checkpoint",
                               "What a durable checkpoint costs (bytes, encode, Redis commit) against a one-day advance");
  k->add_option("--campaigns", checkpoint.campaigns, "Campaigns (default: the issue's two worlds, 20 x 5 and 1,000 x 10)")
      ->check(CLI::Range(1, 100'000));
  k->add_option("--settlements", checkpoint.settlements, "Settlements per campaign")->check(CLI::Range(1, 100'000));
  k->add_option("--structures", checkpoint.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  k->add_option("--samples", checkpoint.samples, "Advances and encodings timed")->check(CLI::Range(1, 10'000'000));
  k->add_option("--commits", checkpoint.commits, "Commits timed per Redis configuration")->check(CLI::Range(1, 10'000'000));
  CrashArgs crash;
  auto* x = app.add_subcommand("crash", "The crash drill N times: hourglass serve (and redis-server) SIGKILLed at seeded instants");
  x->add_option("--trials", crash.trials)->check(CLI::Range(1, 100'000));
  x->add_option("--kills", crash.kills, "SIGKILLs of hourglass serve per trial")->check(CLI::Range(0, 10'000));
  x->add_option("--redis-kills", crash.redis_kills, "SIGKILLs of redis-server per trial (restarted at once)")
      ->check(CLI::Range(0, 10'000));
  x->add_option("--scenario", crash.scenarios, "Scenario files, in turn (default: examples 07 and 08)")
      ->check(CLI::ExistingFile);
  x->add_option("--seed", crash.seed, "Trial i uses seed S + i");
  x->add_option("--hourglass", crash.hourglass, "The hourglass executable (default: this build tree's)");
  x->add_option("--step-timeout", crash.step_timeout, "Seconds a message may take")->check(CLI::Range(1, 3600));
  RecoveryArgs recovery;
  auto* r = app.add_subcommand("recovery",
                               "Recovery after a SIGKILL of hourglass serve: /health, outboxes drained, campaigns resynced");
  r->add_option("--campaigns", recovery.campaigns)->check(CLI::Range(1, 100'000));
  r->add_option("--settlements", recovery.settlements, "Settlements per campaign")->check(CLI::Range(1, 10'000));
  r->add_option("--structures", recovery.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  r->add_option("--outbox", recovery.outbox, "Committed writes (at least) per campaign waiting in its outbox at the kill")
      ->check(CLI::Range(0, 100'000));
  r->add_option("--downtime-days", recovery.downtime_days, "World time the API moves while the service is down")
      ->check(CLI::Range(1, 3650));
  r->add_option("--hourglass", recovery.hourglass, "The hourglass executable (default: this build tree's)");
  r->add_option("--timeout", recovery.timeout, "Seconds any one phase may take")->check(CLI::Range(1, 36'000));
  PassivationArgs passivation;
  auto* p = app.add_subcommand("passivation",
                               "Memory per campaign of hourglass serve, campaigns active and passivated; reactivation latency");
  p->add_option("--campaigns", passivation.campaigns)->check(CLI::Range(1, 1'000'000));
  p->add_option("--settlements", passivation.settlements, "Settlements per campaign")->check(CLI::Range(1, 10'000));
  p->add_option("--structures", passivation.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  p->add_option("--passivate-after", passivation.passivate_after, "The passivating run's HOURGLASS_PASSIVATE_AFTER");
  p->add_option("--reactivations", passivation.reactivations, "Passivated campaigns reactivated, one at a time")
      ->check(CLI::Range(0, 10'000));
  p->add_option("--hourglass", passivation.hourglass, "The hourglass executable (default: this build tree's)");
  p->add_option("--timeout", passivation.timeout, "Seconds any one phase may take")->check(CLI::Range(1, 36'000));
  DrillArgs drill;
  auto* d = app.add_subcommand("drill",
                               "Several hourglass serve on one Redis, a seeded fault every few seconds (kill -9, SIGSTOP, "
                               "SIGTERM, join); the API against the replay");
  d->add_option("--instances", drill.instances)->check(CLI::Range(1, 16));
  d->add_option("--seconds", drill.seconds, "Seconds of steps and faults")->check(CLI::Range(1.0, 36'000.0));
  d->add_option("--fault-every", drill.fault_every, "Mean seconds between faults; 0: none (throughput)")
      ->check(CLI::Range(0.0, 3600.0));
  d->add_option("--lease-ttl-ms", drill.lease_ttl_ms, "The instances' HOURGLASS_LEASE_TTL_MS")->check(CLI::Range(300, 600'000));
  d->add_option("--campaigns", drill.campaigns)->check(CLI::Range(1, 1000));
  d->add_option("--step-gap-ms", drill.step_gap_ms, "From a campaign's step committed to its next")
      ->check(CLI::Range(0, 60'000));
  d->add_option("--seed", drill.seed);
  d->add_option("--hourglass", drill.hourglass, "The hourglass executable (default: this build tree's)");
  CLI11_PARSE(app, argc, argv);
  if (c->parsed()) return run_catchup(catchup);
  if (f->parsed()) return run_footprint(footprint);
  if (s->parsed()) return run_sweep(sweep);
  if (v->parsed()) return run_service(service);
  if (l->parsed()) return run_long_advance(long_advance);
  if (k->parsed()) return run_checkpoint(checkpoint);
  if (x->parsed()) return run_crash(crash);
  if (r->parsed()) return run_recovery(recovery);
  if (p->parsed()) return run_passivation(passivation);
  if (d->parsed()) return run_drill(drill);
  return 2;
}
