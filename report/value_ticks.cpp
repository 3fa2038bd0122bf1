#include "report/value_ticks.hpp"

#include <algorithm>
#include <cmath>

#include "report/number_format.hpp"

namespace hourglass::report {
namespace {

constexpr int kMinTicks = 4;
constexpr int kMaxTicks = 6;
// Narrower ranges cannot be told apart from flat ones: their step would
// underflow power_of_ten.
constexpr double kMinSpan = 1e-290;

// The k with 10^k <= span < 10^(k+1), found without log10 for the same reason.
int decimal_exponent(double span) {
  int exponent = 0;
  while (power_of_ten(exponent) > span) --exponent;
  while (power_of_ten(exponent + 1) <= span) ++exponent;
  return exponent;
}

// The tick `index` steps from zero, as the double nearest its decimal value:
// dividing by an exact power of ten rounds once, whereas multiplying by an
// inexact 10^-k would round twice.
double tick_value(double index, double mantissa, int exponent) {
  return exponent < 0 ? index * mantissa / power_of_ten(-exponent)
                      : index * mantissa * power_of_ten(exponent);
}

}  // namespace

// By repeated multiplication or one division, not std::pow: libm's pow may
// round differently between platforms, and a report must be byte-identical
// everywhere.
double power_of_ten(int exponent) {
  double power = 1;
  for (int i = 0; i < std::abs(exponent); ++i) power *= 10;
  return exponent < 0 ? 1 / power : power;
}

ValueTicks nice_ticks(double lo, double hi, bool integral) {
  if (hi - lo < kMinSpan) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (hi - lo < kMinSpan) {
    lo = 0;
    hi = 1;
  }
  // Any step below a tenth of the span's decade needs more than kMaxTicks
  // ticks, so the search starts there and walks up 1, 2, 5, 10, 20, ...
  int exponent = decimal_exponent(hi - lo) - 1;
  if (integral && exponent < 0) exponent = 0;
  static constexpr double kMantissas[] = {1, 2, 5};
  for (;; ++exponent) {
    for (const double mantissa : kMantissas) {
      const double step = mantissa * power_of_ten(exponent);
      double first = std::floor(lo / step);
      double last = std::ceil(hi / step);
      // The division rounds; step out once more where it cut [lo, hi] short.
      if (tick_value(first, mantissa, exponent) > lo) --first;
      if (tick_value(last, mantissa, exponent) < hi) ++last;
      if (last - first + 1 > kMaxTicks) continue;
      if (last - first + 1 < kMinTicks) {
        if (hi > 0 || lo >= 0)
          last = first + (kMinTicks - 1);
        else
          first = last - (kMinTicks - 1);
      }
      ValueTicks ticks;
      ticks.exponent = exponent;
      // Adding 0.0 turns -0.0 (ceil of a small negative ratio) into +0.0.
      for (double i = first; i <= last; ++i) ticks.values.push_back(tick_value(i, mantissa, exponent) + 0.0);
      return ticks;
    }
  }
}

std::string format_tick_label(double value, int exponent) {
  if (exponent < -6 || exponent >= 15) return format_general(value, 6);
  if (exponent < 0) return format_fixed(value, -exponent);
  if (exponent < 3) return format_fixed(value, 0);
  if (value == 0) return "0";  // not "0k"
  // The step is a multiple of the unit, so every tick is a whole number of it.
  static constexpr const char* kSuffixes[] = {"k", "M", "G", "T"};
  const int thousands = exponent / 3;
  return format_fixed(value / power_of_ten(3 * thousands), 0) + kSuffixes[thousands - 1];
}

}  // namespace hourglass::report
