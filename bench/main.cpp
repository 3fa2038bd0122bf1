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
  CLI11_PARSE(app, argc, argv);
  if (c->parsed()) return run_catchup(catchup);
  if (f->parsed()) return run_footprint(footprint);
  if (s->parsed()) return run_sweep(sweep);
  return 2;
}
