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
  CheckpointArgs checkpoint;
  auto* k = app.add_subcommand("checkpoint",
                               "What a durable checkpoint costs (bytes, encode, Redis commit) against a one-day advance");
  k->add_option("--campaigns", checkpoint.campaigns, "Campaigns (default: the issue's two worlds, 20 x 5 and 1,000 x 10)")
      ->check(CLI::Range(1, 100'000));
  k->add_option("--settlements", checkpoint.settlements, "Settlements per campaign")->check(CLI::Range(1, 100'000));
  k->add_option("--structures", checkpoint.structures, "Structures per settlement")->check(CLI::Range(0, 1000));
  k->add_option("--samples", checkpoint.samples, "Advances and encodings timed")->check(CLI::Range(1, 10'000'000));
  k->add_option("--commits", checkpoint.commits, "Commits timed per Redis configuration")->check(CLI::Range(1, 10'000'000));
  CLI11_PARSE(app, argc, argv);
  if (c->parsed()) return run_catchup(catchup);
  if (f->parsed()) return run_footprint(footprint);
  if (s->parsed()) return run_sweep(sweep);
  if (v->parsed()) return run_service(service);
  if (k->parsed()) return run_checkpoint(checkpoint);
  return 2;
}
