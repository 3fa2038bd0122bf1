#include "report/hover_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "report/number_format.hpp"

namespace hourglass::report {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
constexpr std::int64_t kSteps[] = {kMinute,      5 * kMinute,  10 * kMinute, 15 * kMinute, 30 * kMinute,
                                   60 * kMinute, 120 * kMinute, 180 * kMinute, 360 * kMinute, 720 * kMinute,
                                   kDay,         2 * kDay,     5 * kDay,     10 * kDay,    30 * kDay,
                                   90 * kDay,    365 * kDay};

std::int64_t step_for(std::int64_t span) {
  for (const std::int64_t step : kSteps)
    if (span / step + 1 <= kMaxHoverSamples) return step;
  for (std::int64_t step = 10 * 365 * kDay;; step *= 10)  // centuries and beyond: the Date range ends first
    if (span / step + 1 <= kMaxHoverSamples) return step;
}

// A JSON string whose text holds no '<', '>' or '&' (written as \u escapes).
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || c == '<' || c == '>' || c == '&') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string value_text(double v) {
  return v == std::floor(v) && std::abs(v) < 1e15 ? format_fixed(v, 0) : format_general(v, 6);
}

// The series' values at each instant, encoded as hover_data_json says.
std::string samples(const Series& series, std::int64_t start, std::int64_t step, std::int64_t count) {
  std::vector<Point> points;
  for (const Point& p : series.exact ? *series.exact : series.points)
    if (std::isfinite(p.value)) points.push_back(p);
  std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.time_ms < b.time_ms; });
  std::string out, previous;
  std::size_t next = 0;  // the first point after the current instant
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int64_t t = start + k * step;
    while (next < points.size() && points[next].time_ms <= t) ++next;
    const std::string text = next == 0 ? "-" : value_text(points[next - 1].value);
    if (k > 0) out += ',';
    if (text != previous || k == 0) out += text;
    previous = text;
  }
  return out;
}

std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? "," : "") + json_string(item);
  return out + "]";
}

}  // namespace

std::string hover_data_json(const Chart& chart) {
  const std::int64_t start = chart.day_axis->start_ms;
  const std::int64_t end = std::max(start, chart.day_axis->end_ms);
  const std::int64_t step = step_for(end - start);
  const std::int64_t count = (end - start) / step + 1;
  std::vector<std::string> labels;
  for (const Series& s : chart.series) labels.push_back(s.label);
  std::string out = "{\"start\":" + std::to_string(start) + ",\"end\":" + std::to_string(end) +
                    ",\"step\":" + std::to_string(step) + ",\"labels\":" + string_list(labels);
  if (!chart.categories.empty()) out += ",\"categories\":" + string_list(chart.categories);
  out += ",\"values\":[";
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    out += (i ? ",\"" : "\"") + samples(chart.series[i], start, step, count) + "\"";
  return out + "]}";
}

}  // namespace hourglass::report
