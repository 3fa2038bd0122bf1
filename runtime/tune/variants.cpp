#include "runtime/tune/variants.hpp"

#include <filesystem>
#include <set>

#include "messages/input_error.hpp"
#include "messages/rules_codec.hpp"
#include "runtime/tune/rules_json.hpp"

namespace hourglass::runtime::tune {
namespace {

using messages::InputError;

std::string settings_text(const std::vector<Setting>& settings) {
  std::string out;
  for (const Setting& s : settings) out += (out.empty() ? "" : ", ") + s.path + "=" + s.value;
  return out;
}

// The variant of `source` with value choice[i] for option i.
Variant make_variant(const RulesSource& source, const std::vector<SetOption>& options,
                     const std::vector<std::size_t>& choice) {
  Variant v;
  v.label = source.label;
  nlohmann::json doc = effective_rules_json(source.rules);
  for (std::size_t i = 0; i < options.size(); ++i) {
    const SetValue& value = options[i].values[choice[i]];
    v.settings.push_back({options[i].path, value.text});
    if (options[i].values.size() > 1) v.label += " " + options[i].path + "=" + value.text;
  }
  v.where = v.settings.empty() ? source.where : source.where + " with --set " + settings_text(v.settings);
  try {
    for (std::size_t i = 0; i < options.size(); ++i)
      apply_set(doc, options[i], options[i].values[choice[i]].value);
    v.rules = std::make_shared<const sim::Rules>(messages::parse_rules(doc, v.where + ":$"));
  } catch (const InputError& e) {
    throw InputError("variant \"" + v.label + "\"", e.what());
  }
  return v;
}

// Advances `choice` like an odometer (last option fastest); false after the last.
bool next_choice(std::vector<std::size_t>& choice, const std::vector<SetOption>& options) {
  for (std::size_t i = options.size(); i-- > 0;) {
    if (++choice[i] < options[i].values.size()) return true;
    choice[i] = 0;
  }
  return false;
}

}  // namespace

RulesSource rules_file_source(const std::string& file) {
  return {std::filesystem::path(file).stem().string(), file, messages::load_rules_file(file)};
}

std::vector<Variant> build_variants(const std::vector<RulesSource>& sources,
                                    const std::vector<SetOption>& options) {
  std::vector<Variant> variants;
  std::set<std::string> labels;
  for (const RulesSource& source : sources) {
    std::vector<std::size_t> choice(options.size(), 0);
    do {
      variants.push_back(make_variant(source, options, choice));
      if (!labels.insert(variants.back().label).second)
        throw InputError("variant \"" + variants.back().label + "\"",
                         "two variants have this label; give the rules files different names");
    } while (next_choice(choice, options));
  }
  return variants;
}

}  // namespace hourglass::runtime::tune
