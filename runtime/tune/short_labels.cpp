#include "runtime/tune/short_labels.hpp"

#include <set>

namespace hourglass::runtime::tune {
namespace {

// The last `steps` dotted steps of `path` (all of it when it has fewer).
std::string tail(const std::string& path, std::size_t steps) {
  std::size_t at = path.size();
  for (std::size_t i = 0; i < steps; ++i) {
    const auto dot = path.rfind('.', at == 0 ? 0 : at - 1);
    if (dot == std::string::npos || at == 0) return path;
    at = dot;
  }
  return path.substr(at + 1);
}

std::string source_of(const Variant& v) {
  const auto space = v.label.find(' ');
  return space == std::string::npos ? v.label : v.label.substr(0, space);
}

}  // namespace

std::vector<std::string> short_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (std::size_t steps = 1;; ++steps) {
      const std::string mine = tail(paths[i], steps);
      bool shared = false;
      for (std::size_t j = 0; j < paths.size() && !shared; ++j)
        shared = j != i && paths[j] != paths[i] && tail(paths[j], steps) == mine;
      if (!shared || mine == paths[i]) {
        out.push_back(mine);
        break;
      }
    }
  }
  return out;
}

std::vector<std::size_t> swept_settings(const std::vector<Variant>& variants) {
  std::vector<std::size_t> swept;
  if (variants.empty()) return swept;
  const std::size_t count = variants.front().settings.size();
  for (std::size_t i = 0; i < count; ++i) {
    for (const Variant& v : variants) {
      if (v.settings.size() == count && v.settings[i].value != variants.front().settings[i].value) {
        swept.push_back(i);
        break;
      }
    }
  }
  return swept;
}

std::vector<std::string> swept_paths(const std::vector<Variant>& variants) {
  std::vector<std::string> paths;
  for (const std::size_t i : swept_settings(variants)) paths.push_back(variants.front().settings[i].path);
  return paths;
}

std::vector<std::string> short_labels(const std::vector<Variant>& variants) {
  if (variants.empty()) return {};
  const std::size_t count = variants.front().settings.size();
  const std::vector<std::size_t> swept = swept_settings(variants);
  const std::vector<std::string> paths = swept_paths(variants);
  std::set<std::string> sources;
  for (const Variant& v : variants) sources.insert(source_of(v));
  const std::vector<std::string> names = short_paths(paths);
  std::vector<std::string> out;
  std::set<std::string> seen;
  bool unique = true;
  for (const Variant& v : variants) {
    std::string label = sources.size() > 1 ? source_of(v) : "";
    for (std::size_t k = 0; k < swept.size() && v.settings.size() == count; ++k)
      label += (label.empty() ? "" : " ") + names[k] + "=" + v.settings[swept[k]].value;
    if (label.empty()) label = v.label;
    unique = seen.insert(label).second && unique;
    out.push_back(std::move(label));
  }
  if (!unique) {  // e.g. two sources whose names start alike: keep the full labels
    out.clear();
    for (const Variant& v : variants) out.push_back(v.label);
  }
  return out;
}

}  // namespace hourglass::runtime::tune
