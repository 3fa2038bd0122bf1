#include "runtime/tune/warnings.hpp"

#include <unordered_map>

namespace hourglass::runtime::tune {

std::vector<GroupedWarning> group_warnings(const std::vector<std::vector<std::string>>& per_variant) {
  std::vector<GroupedWarning> out;
  std::unordered_map<std::string, std::size_t> index;  // text → position in out
  for (std::size_t v = 0; v < per_variant.size(); ++v) {
    for (const std::string& text : per_variant[v]) {
      const auto [it, fresh] = index.emplace(text, out.size());
      if (fresh) out.push_back({text, {}});
      std::vector<std::size_t>& variants = out[it->second].variants;
      if (variants.empty() || variants.back() != v) variants.push_back(v);
    }
  }
  return out;
}

std::string warning_line(const GroupedWarning& warning, const std::vector<std::string>& labels) {
  if (labels.size() <= 1) return warning.text;
  const std::string total = std::to_string(labels.size());
  if (warning.variants.size() == labels.size()) return warning.text + " (all " + total + " variants)";
  std::string out = warning.text + " (" + std::to_string(warning.variants.size()) + " of " + total + " variants: ";
  for (std::size_t i = 0; i < warning.variants.size(); ++i)
    out += (i ? "; " : "") + labels.at(warning.variants[i]);
  return out + ")";
}

}  // namespace hourglass::runtime::tune
