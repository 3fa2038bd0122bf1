// How series are told apart: the Okabe–Ito colours, which stay distinct under
// the common colour-vision deficiencies, and after those run out the same
// colours again with dash patterns. Shared by chart lines, chart legends and
// the report's list of rule sets, so one label looks the same everywhere.
#pragma once

#include <cstddef>
#include <string>

namespace hourglass::report {

// SVG presentation attributes for the line of series `index`, each with a
// leading space: ` stroke="#0072B2"` plus ` stroke-dasharray="..."` from the
// eighth series on.
std::string stroke_attributes(std::size_t index);

// The colour alone ("#0072B2"), e.g. to fill the markers of series `index`.
std::string series_colour(std::size_t index);

}  // namespace hourglass::report
