// The report of a `hourglass tune` run: one self-contained HTML page that
// compares how a scenario unfolds under several rule sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/series.hpp"
#include "report/sweep_chart.hpp"

namespace hourglass::report {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Optional, shaped like `rows` (a row may be shorter): a cell's CSS class,
  // "pass" or "fail" (coloured green or red), or "" for none.
  std::vector<std::vector<std::string>> classes;
};

// A line above the summary: a goal's verdict or a balance warning.
struct Notice {
  std::string kind;  // "pass", "fail" or "warning": its colour
  std::string text;
};

struct Section {
  std::string heading;
  std::vector<Chart> charts;
};

// A sweep's outcomes against one swept parameter (or, in heat maps, two): a
// grid of small charts sharing one legend of their lines.
struct SweepView {
  std::string heading;
  std::string note;                      // a line under the heading
  std::vector<std::string> line_labels;  // the charts' lines, in colour order
  std::vector<SweepChart> charts;
  std::vector<HeatMap> heat_maps;
};

struct ReportInput {
  std::string title;
  std::string subtitle;
  std::vector<std::string> labels;  // the rule sets compared, in display order
  // Optional, one per label: what charts call each rule set (e.g.
  // "rate=0.002 gold=4"); the list of rule sets shows both.
  std::vector<std::string> short_labels;
  std::vector<Notice> notices;  // shown above the summary
  std::vector<SweepView> sweep;  // between the notices and the summary
  Table summary;
  std::vector<Section> sections;
  // Day 0 of every time chart (e.g. the scenario's start); unset: the
  // earliest point of any chart. The axes end at the latest point of any
  // chart, so that all time charts share one x range and line up.
  std::optional<std::int64_t> start_ms;
  // Each numeric time chart is drawn twice, on a log scale (shown first) and
  // a linear one, and a checkbox at the top switches between them.
  bool log_scale = false;
};

// A complete HTML5 document that opens offline: inline <style>, and with
// time charts one inline <script> (hover_script.hpp) and each chart's hover
// data (hover_data.hpp); no external resources (its only links lead within
// the page), and well-formed as XML too. It shows the rule sets, a table of contents (with
// sweep views or sections), the notices, the sweep views, the summary table
// (when it has cells), then each section with its charts, each chart in a
// <figure class="chart" data-title="...">.
//
// Each chart's series are put in the order of `labels`, with an empty series
// (legend "(no data)") for a label the chart lacks, so that a rule set has the
// same colour in every chart and in the list; series with other labels follow
// in their own order. Every time chart has the same x axis, in days since
// the run's start (see start_ms). With more than 6 labels each chart is a
// grid of small multiples (small_multiples.hpp), one per rule set on shared
// axes, with the list of rule sets at the top as the one legend. All text is
// escaped. Equal input gives equal output.
std::string render_html_report(const ReportInput& input);

}  // namespace hourglass::report
