#include "report/palette.hpp"

namespace hourglass::report {
namespace {

// Okabe & Ito (2008) without their yellow, which is illegible on white.
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                    "#CC79A7", "#56B4E9", "#000000"};
constexpr std::size_t kColourCount = sizeof kColours / sizeof kColours[0];
// Empty first: the first round of colours is drawn solid.
constexpr const char* kDashes[] = {"", "6 3", "2 3", "8 3 2 3"};
constexpr std::size_t kDashCount = sizeof kDashes / sizeof kDashes[0];

}  // namespace

std::string series_colour(std::size_t index) { return kColours[index % kColourCount]; }

std::string stroke_attributes(std::size_t index) {
  std::string attributes = std::string(" stroke=\"") + kColours[index % kColourCount] + "\"";
  const char* dash = kDashes[index / kColourCount % kDashCount];
  if (*dash != '\0') attributes += std::string(" stroke-dasharray=\"") + dash + "\"";
  return attributes;
}

}  // namespace hourglass::report
