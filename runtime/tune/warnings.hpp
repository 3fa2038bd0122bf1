// A tune's warnings, each printed once with the variants it concerns: twelve
// variants refusing the same bad message of a scenario make one line, not
// twelve.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace hourglass::runtime::tune {

struct GroupedWarning {
  std::string text;
  std::vector<std::size_t> variants;  // indices, ascending, each once
};

// The distinct warnings of `per_variant` (index = variant), in the order they
// first appear (variant by variant, each in its own order).
std::vector<GroupedWarning> group_warnings(const std::vector<std::vector<std::string>>& per_variant);

// "<text> (all 12 variants)", "<text> (2 of 12 variants: a; b)", or the text
// alone when the tune has one variant.
std::string warning_line(const GroupedWarning& warning, const std::vector<std::string>& labels);

}  // namespace hourglass::runtime::tune
