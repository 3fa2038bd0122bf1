#include "report/number_format.hpp"

#include <charconv>

namespace hourglass::report {
namespace {

// Enough for any double in fixed notation with up to 80 decimals: 309
// integer digits, a sign and a point.
constexpr std::size_t kBufferSize = 400;

std::string without_negative_zero(std::string text) {
  if (!text.empty() && text.front() == '-' &&
      text.find_first_not_of("-0.") == std::string::npos)
    text.erase(0, 1);
  return text;
}

std::string to_chars_string(double value, std::chars_format format, int precision) {
  char buffer[kBufferSize];
  const auto result = std::to_chars(buffer, buffer + kBufferSize, value, format, precision);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::string format_fixed(double value, int decimals) {
  return without_negative_zero(to_chars_string(value, std::chars_format::fixed, decimals));
}

std::string format_compact(double value, int max_decimals) {
  std::string text = format_fixed(value, max_decimals);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string format_general(double value, int significant) {
  return without_negative_zero(to_chars_string(value, std::chars_format::general, significant));
}

}  // namespace hourglass::report
