// The report's charts: per settlement a section with one chart per metric
// (population, level, each resource), then a section with each of its
// structures' condition and status (categorical) charts; one line per rule set.
#pragma once

#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "runtime/tune/run_variants.hpp"

namespace hourglass::runtime::tune {

// Points kept per line (see thin.hpp): enough for any chart width.
inline constexpr std::size_t kChartBuckets = 800;

// Each series points (Series::exact) to its unthinned steps in `results`,
// which must outlive the rendering of the charts.
// Settlement sections are headed "Settlement <id> ..."; structure sections
// "Structures of <id> ...".
std::vector<report::Section> chart_sections(const std::vector<std::string>& labels,
                                            const std::vector<VariantResult>& results);

}  // namespace hourglass::runtime::tune
