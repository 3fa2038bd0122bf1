#include "runtime/tune/live_tuner.hpp"

#include "messages/input_error.hpp"
#include "report/xml_escape.hpp"
#include "runtime/tune/rules_json.hpp"
#include "runtime/tune/run_variants.hpp"
#include "runtime/tune/tune_report.hpp"

namespace hourglass::runtime::tune {
namespace {

// The page's script: the variant index from the sliders (odometer order, as
// build_variants makes them), the report re-run on every change, and the
// time from the change to the redrawn report.
constexpr const char* kScript = R"(
const controls = document.querySelectorAll('input.control');
const frame = document.getElementById('report');
const status = document.getElementById('status');
const save = document.getElementById('save');
let started = 0;
function index() {
  let v = 0;
  controls.forEach((c) => { v = v * (Number(c.max) + 1) + Number(c.value); });
  return v;
}
function rerun() {
  controls.forEach((c) => { document.getElementById(c.id + '-value').textContent = JSON.parse(c.dataset.values)[c.value]; });
  const v = index();
  save.href = '/rules?v=' + v;
  save.download = 'rules-' + v + '.json';
  started = performance.now();
  status.textContent = 're-running...';
  frame.src = '/run?v=' + v;
}
frame.addEventListener('load', () => {
  if (started) status.textContent = 'redrawn ' + Math.round(performance.now() - started) + ' ms after the change';
  status.dataset.ms = String(Math.round(performance.now() - started));
  status.dataset.variant = String(index());
});
controls.forEach((c) => c.addEventListener('input', rerun));
rerun();
)";

constexpr const char* kStyle = R"(body { font-family: system-ui, sans-serif; margin: 1rem; color: #222222; }
.controls { display: grid; grid-template-columns: max-content 20rem max-content; gap: 0.4rem 1rem; align-items: center; }
#status { color: #555555; margin: 0.5rem 0; }
iframe { width: 100%; height: 80vh; border: 1px solid #cccccc; }
)";

}  // namespace

LiveTuner::LiveTuner(const TuneSpec& spec) : plan_(plan_tune(spec)) {
  std::vector<std::string> sources;
  for (const Variant& v : plan_.variants) {
    const std::string source = v.label.substr(0, v.label.find(' '));
    if (sources.empty() || sources.back() != source) sources.push_back(source);
  }
  if (sources.size() > 1) controls_.push_back({"rules file", sources});
  for (const std::string& set : spec.sets) {
    const SetOption option = parse_set_option(set);
    LiveControl control{option.path, {}};
    for (const SetValue& value : option.values) control.values.push_back(value.text);
    controls_.push_back(std::move(control));
  }
}

std::size_t LiveTuner::parse_index(const std::string& text) const {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    throw messages::InputError("v", "\"" + text + "\" is not a variant number");
  const std::size_t v = std::stoul(text);
  if (v >= plan_.variants.size())
    throw messages::InputError("v", std::to_string(v) + " is out of range [0, " +
                                        std::to_string(plan_.variants.size() - 1) + "]");
  return v;
}

std::string LiveTuner::run_report(std::size_t v) {
  TunePlan one = plan_;
  one.variants = {plan_.variants.at(v)};
  one.scenarios = {plan_.scenarios.at(v)};
  std::lock_guard<std::mutex> lock(run_mutex_);
  std::vector<VariantResult> results = run_variants(one.scenarios, {1, false});
  return report::render_html_report(report_input(one, results));
}

std::string LiveTuner::rules_file(std::size_t v) const {
  return effective_rules_json(*plan_.variants.at(v).rules).dump(2) + "\n";
}

std::string LiveTuner::page() const {
  using report::xml_escape;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>Live tuning: " +
                    xml_escape(plan_.scenario_file) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n" +
                    "<h1>Live tuning of " + xml_escape(plan_.scenario_file) + "</h1>\n<div class=\"controls\">\n";
  for (std::size_t i = 0; i < controls_.size(); ++i) {
    const LiveControl& c = controls_[i];
    nlohmann::json values = c.values;
    const std::string id = "c" + std::to_string(i);
    out += "<label for=\"" + id + "\">" + xml_escape(c.name) + "</label><input class=\"control\" type=\"range\" id=\"" +
           id + "\" min=\"0\" max=\"" + std::to_string(c.values.size() - 1) + "\" step=\"1\" value=\"0\" data-values=\"" +
           xml_escape(values.dump()) + "\"/><output id=\"" + id + "-value\">" + xml_escape(c.values.front()) +
           "</output>\n";
  }
  out += "</div>\n<p><span id=\"status\"></span> \u00b7 <a id=\"save\" href=\"/rules?v=0\" download=\"rules-0.json\">"
         "Save these rules as a rules file</a></p>\n<iframe id=\"report\" title=\"report\"></iframe>\n<script>" +
         std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace hourglass::runtime::tune
