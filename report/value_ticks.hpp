// "Nice" ticks for a numeric axis: evenly spaced round values (steps of 1, 2
// or 5 × 10^k) that people read at a glance.
#pragma once

#include <string>
#include <vector>

namespace hourglass::report {

struct ValueTicks {
  std::vector<double> values;  // ascending; the axis spans front()..back()
  int exponent = 0;            // the step is 1, 2 or 5 × 10^exponent
};

// Four to six ticks whose span covers [lo, hi] (requires finite lo <= hi).
// A flat range (lo == hi) is widened to include zero, or to 0..1 when both
// are zero. With `integral` the step is at least 1, so that counts are never
// labelled with fractions; a tiny integral range is padded to four ticks on
// the side away from zero.
ValueTicks nice_ticks(double lo, double hi, bool integral);

// 10^exponent, the same on every platform: exact up to 10^22; below 1,
// correctly rounded down to 10^-22.
double power_of_ten(int exponent);

// The label of one tick: as many decimals as the step needs ("0.5", "1.0"),
// k/M/G/T suffixes for large steps ("500k", "1500k"), scientific notation
// for extreme magnitudes.
std::string format_tick_label(double value, int exponent);

}  // namespace hourglass::report
