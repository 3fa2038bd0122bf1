#include "sim/time.hpp"

#include <cstring>

namespace hourglass::sim {
namespace {

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

char* put_digits(char* out, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + width;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<WorldTime> parse_world_time(std::string_view s) {
  // Fixed layout: YYYY-MM-DDTHH:MM:SS then optional .sss then Z or +00:00.
  int year, month, day, hour, minute, second, millis = 0;
  if (s.size() < 20) return std::nullopt;
  if (!read_digits(s, 0, 4, year) || s[4] != '-' || !read_digits(s, 5, 2, month) ||
      s[7] != '-' || !read_digits(s, 8, 2, day) || s[10] != 'T' ||
      !read_digits(s, 11, 2, hour) || s[13] != ':' || !read_digits(s, 14, 2, minute) ||
      s[16] != ':' || !read_digits(s, 17, 2, second))
    return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    if (!read_digits(s, pos + 1, 3, millis)) return std::nullopt;
    pos += 4;
  }
  const std::string_view zone = s.substr(pos);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * kMsPerMinute + second * 1000LL + millis;
}

char* write_date(std::int64_t days, char* out) {
  const Civil c = civil_from_days(days);
  if (c.year >= 0 && c.year <= 9999) {
    out = put_digits(out, c.year, 4);
  } else {
    *out++ = c.year < 0 ? '-' : '+';
    out = put_digits(out, c.year < 0 ? -c.year : c.year, 6);
  }
  *out++ = '-';
  out = put_digits(out, c.month, 2);
  *out++ = '-';
  out = put_digits(out, c.day, 2);
  *out++ = 'T';
  return out;
}

// "00".."99": two digits per lookup, for the time of day written with every
// record (the loop of put_digits costs a division per digit).
constexpr char kTwoDigits[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char* put_two(char* out, unsigned v) {
  std::memcpy(out, kTwoDigits + 2 * v, 2);
  return out + 2;
}

char* write_time_of_day(std::int64_t ms, char* out) {
  const auto t = static_cast<unsigned>(ms);  // 0 .. kMsPerDay - 1
  const unsigned seconds = t / 1000;
  const unsigned millis = t - seconds * 1000;
  out = put_two(out, seconds / 3600);
  *out++ = ':';
  out = put_two(out, seconds / 60 % 60);
  *out++ = ':';
  out = put_two(out, seconds % 60);
  *out++ = '.';
  *out++ = static_cast<char>('0' + millis / 100);
  out = put_two(out, millis % 100);
  *out++ = 'Z';
  return out;
}

char* write_world_time(WorldTime t, char* out) {
  const std::int64_t days = day_of(t);
  return write_time_of_day(t - days * kMsPerDay, write_date(days, out));
}

std::string format_world_time(WorldTime t) {
  char buf[32];
  char* end = write_world_time(t, buf);
  return std::string(buf, end);
}

}  // namespace hourglass::sim
