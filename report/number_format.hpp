// Locale-independent number formatting. Reports must be byte-identical for the
// same input on every machine, so nothing here goes through iostreams, printf
// or the C locale: std::to_chars is exact and ignores the locale.
#pragma once

#include <string>

namespace hourglass::report {

// `value` rounded to exactly `decimals` digits after the point ("2.50").
// Never yields "-0": a value that rounds to zero is written unsigned.
std::string format_fixed(double value, int decimals);

// Like format_fixed, but without trailing zeros or a trailing point
// ("2.5", "640"): for coordinates, where shorter output is all that matters.
std::string format_compact(double value, int max_decimals);

// Shortest form with at most `significant` significant digits ("4e+18").
std::string format_general(double value, int significant);

}  // namespace hourglass::report
