// Unit tests for sim/time: parsing, formatting and civil-date arithmetic of
// world time (integer ms since 1970-01-01T00:00:00Z, proleptic Gregorian).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

using hourglass::sim::days_from_civil;
using hourglass::sim::format_world_time;
using hourglass::sim::parse_world_time;
using hourglass::sim::WorldTime;
using hourglass::sim::write_world_time;

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

bool rejects(const std::string& s) { return !parse_world_time(s).has_value(); }

}  // namespace

TEST_CASE("epoch parses to zero and formats back", "[time]") {
  REQUIRE(parse_world_time("1970-01-01T00:00:00Z") == std::optional<WorldTime>(0));
  REQUIRE(parse_world_time("1970-01-01T00:00:00.000Z") == std::optional<WorldTime>(0));
  REQUIRE(format_world_time(0) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("the four accepted forms give the same instant", "[time]") {
  // 2024-03-15T12:34:56Z = 19797 days + 45296 s after the epoch.
  const WorldTime expected = 19797 * kMsPerDay + 45'296'000;
  REQUIRE(days_from_civil(2024, 3, 15) == 19797);
  for (const char* s : {"2024-03-15T12:34:56Z", "2024-03-15T12:34:56.000Z",
                        "2024-03-15T12:34:56+00:00", "2024-03-15T12:34:56.000+00:00"}) {
    INFO(s);
    const auto t = parse_world_time(s);
    REQUIRE(t.has_value());
    CHECK(*t == expected);
  }
  // With a fraction, both zone spellings agree too.
  REQUIRE(parse_world_time("2024-03-15T12:34:56.789Z") ==
          parse_world_time("2024-03-15T12:34:56.789+00:00"));
  REQUIRE(parse_world_time("2024-03-15T12:34:56.789Z") ==
          std::optional<WorldTime>(expected + 789));
}

TEST_CASE("millisecond precision", "[time]") {
  CHECK(parse_world_time("1970-01-01T00:00:00.001Z") == std::optional<WorldTime>(1));
  CHECK(parse_world_time("1970-01-01T00:00:00.999Z") == std::optional<WorldTime>(999));
  CHECK(parse_world_time("1970-01-01T00:00:01.000Z") == std::optional<WorldTime>(1000));
  CHECK(parse_world_time("1970-01-01T00:00:00.010Z") == std::optional<WorldTime>(10));
  CHECK(parse_world_time("1970-01-01T00:00:00.100Z") == std::optional<WorldTime>(100));
  CHECK(parse_world_time("1970-01-01T23:59:59.999Z") ==
        std::optional<WorldTime>(kMsPerDay - 1));
  CHECK(parse_world_time("1969-12-31T23:59:59.999Z") == std::optional<WorldTime>(-1));
  CHECK(format_world_time(1) == "1970-01-01T00:00:00.001Z");
  CHECK(format_world_time(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_world_time(1'234) == "1970-01-01T00:00:01.234Z");
  CHECK(format_world_time(60'000) == "1970-01-01T00:01:00.000Z");
  CHECK(format_world_time(3'600'000) == "1970-01-01T01:00:00.000Z");
}

TEST_CASE("leap days", "[time]") {
  const auto leap2024 = parse_world_time("2024-02-29T00:00:00Z");
  REQUIRE(leap2024.has_value());
  CHECK(*leap2024 == days_from_civil(2024, 2, 29) * kMsPerDay);
  CHECK(*leap2024 + kMsPerDay == *parse_world_time("2024-03-01T00:00:00Z"));
  CHECK(rejects("2023-02-29T00:00:00Z"));
  CHECK(parse_world_time("2023-02-28T00:00:00Z").has_value());
  CHECK(parse_world_time("2000-02-29T00:00:00Z").has_value());  // divisible by 400
  CHECK(rejects("1900-02-29T00:00:00Z"));                       // divisible by 100 only
  CHECK(rejects("2024-02-30T00:00:00Z"));
  CHECK(format_world_time(*leap2024) == "2024-02-29T00:00:00.000Z");
}

TEST_CASE("impossible calendar dates are rejected", "[time]") {
  CHECK(rejects("2024-04-31T00:00:00Z"));
  CHECK(rejects("2024-06-31T00:00:00Z"));
  CHECK(rejects("2024-09-31T00:00:00Z"));
  CHECK(rejects("2024-11-31T00:00:00Z"));
  CHECK(parse_world_time("2024-04-30T00:00:00Z").has_value());
  CHECK(parse_world_time("2024-01-31T00:00:00Z").has_value());
  CHECK(parse_world_time("2024-12-31T00:00:00Z").has_value());
  CHECK(rejects("2024-01-32T00:00:00Z"));
  CHECK(rejects("2024-00-10T00:00:00Z"));
  CHECK(rejects("2024-13-10T00:00:00Z"));
  CHECK(rejects("2024-01-00T00:00:00Z"));
}

TEST_CASE("out-of-range time of day is rejected", "[time]") {
  CHECK(parse_world_time("2024-01-01T23:59:59Z").has_value());
  CHECK(rejects("2024-01-01T24:00:00Z"));
  CHECK(rejects("2024-01-01T25:00:00Z"));
  CHECK(rejects("2024-01-01T00:60:00Z"));
  CHECK(rejects("2024-01-01T00:00:60Z"));  // no leap seconds
  CHECK(rejects("2024-01-01T99:99:99Z"));
}

TEST_CASE("offsets other than +00:00 are rejected", "[time]") {
  CHECK(rejects("2024-01-01T00:00:00+01:00"));
  CHECK(rejects("2024-01-01T00:00:00-00:00"));
  CHECK(rejects("2024-01-01T00:00:00-05:00"));
  CHECK(rejects("2024-01-01T00:00:00.000+01:00"));
  CHECK(rejects("2024-01-01T00:00:00.000-00:00"));
  CHECK(rejects("2024-01-01T00:00:00+0000"));
  CHECK(rejects("2024-01-01T00:00:00+00"));
  CHECK(rejects("2024-01-01T00:00:00"));  // no zone at all
  CHECK(rejects("2024-01-01T00:00:00z"));
}

TEST_CASE("fractions must have exactly three digits", "[time]") {
  CHECK(rejects("2024-01-01T00:00:00.5Z"));
  CHECK(rejects("2024-01-01T00:00:00.50Z"));
  CHECK(rejects("2024-01-01T00:00:00.5000Z"));
  CHECK(rejects("2024-01-01T00:00:00.123456Z"));
  CHECK(rejects("2024-01-01T00:00:00.Z"));
  CHECK(rejects("2024-01-01T00:00:00.5+00:00"));
  CHECK(rejects("2024-01-01T00:00:00.50+00:00"));
  CHECK(rejects("2024-01-01T00:00:00.12aZ"));
  CHECK(rejects("2024-01-01T00:00:00,123Z"));
}

TEST_CASE("wrong separators are rejected", "[time]") {
  CHECK(rejects("2024/01/01T00:00:00Z"));
  CHECK(rejects("2024-01/01T00:00:00Z"));
  CHECK(rejects("2024-01-01 00:00:00Z"));
  CHECK(rejects("2024-01-01t00:00:00Z"));
  CHECK(rejects("2024-01-01T00.00:00Z"));
  CHECK(rejects("2024-01-01T00:00.00Z"));
  CHECK(rejects("20240101T000000Z"));
}

TEST_CASE("too short or non-digit input is rejected", "[time]") {
  CHECK(rejects(""));
  CHECK(rejects("Z"));
  CHECK(rejects("2024"));
  CHECK(rejects("2024-01-01"));
  CHECK(rejects("2024-01-01T00:00Z"));
  CHECK(rejects("2024-01-01T00:00:0Z"));
  CHECK(rejects("2024-1-01T00:00:00Z"));
  CHECK(rejects("2024-01-1T00:00:00Z"));
  CHECK(rejects("24-01-01T00:00:00Z"));
  CHECK(rejects("2O24-01-01T00:00:00Z"));
  CHECK(rejects("+2024-01-01T00:00:00Z"));
  CHECK(rejects("-2024-01-01T00:00:00Z"));
  CHECK(rejects(" 2024-01-01T00:00:00Z"));
}

TEST_CASE("trailing garbage is rejected", "[time]") {
  CHECK(rejects("2024-01-01T00:00:00ZZ"));
  CHECK(rejects("2024-01-01T00:00:00Z "));
  CHECK(rejects("2024-01-01T00:00:00.000Zx"));
  CHECK(rejects("2024-01-01T00:00:00+00:000"));
  CHECK(rejects("2024-01-01T00:00:00+00:00Z"));
  CHECK(rejects(std::string("2024-01-01T00:00:00Z\0", 21)));
}

TEST_CASE("format(parse(x)) round-trips", "[time]") {
  const std::vector<std::string> instants = {
      "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.001Z", "1969-12-31T23:59:59.999Z",
      "1969-12-31T00:00:00.000Z", "1969-01-01T00:00:00.000Z", "1960-02-29T12:00:00.500Z",
      "1900-01-01T00:00:00.000Z", "1899-12-31T23:59:59.999Z", "1600-02-29T06:07:08.009Z",
      "0001-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "0000-02-29T00:00:00.000Z",
      "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z",
      "2000-03-01T00:00:00.000Z", "2000-12-31T23:59:59.999Z", "2001-01-01T00:00:00.000Z",
      "2023-12-31T23:59:59.999Z", "2024-01-01T00:00:00.000Z", "2024-02-29T13:14:15.161Z",
      "2024-07-04T09:08:07.006Z", "2038-01-19T03:14:07.999Z", "2038-01-19T03:14:08.000Z",
      "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00.000Z", "2400-02-29T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
  };
  for (const auto& s : instants) {
    INFO(s);
    const auto t = parse_world_time(s);
    REQUIRE(t.has_value());
    CHECK(format_world_time(*t) == s);
    // The forms without fraction or with +00:00 format to the canonical form too.
    if (s.substr(19, 4) == ".000") {
      const std::string no_frac = s.substr(0, 19) + "Z";
      CHECK(parse_world_time(no_frac) == t);
    }
    CHECK(parse_world_time(s.substr(0, 23) + "+00:00") == t);
  }
}

TEST_CASE("parse(format(t)) round-trips and formatting is monotone", "[time]") {
  // Walk across year boundaries and before the epoch with an odd step so every
  // field changes; the canonical text must parse back to the same instant and
  // sort in the same order as the instants.
  const WorldTime start = *parse_world_time("1967-12-30T22:58:57.123Z");
  const WorldTime step = 37 * kMsPerDay + 3'723'457;  // 37d 1h 2m 3.457s
  std::string prev;
  for (int i = 0; i < 800; ++i) {
    const WorldTime t = start + i * step;
    const std::string s = format_world_time(t);
    INFO(s);
    REQUIRE(s.size() == 24);
    REQUIRE(parse_world_time(s) == std::optional<WorldTime>(t));
    if (!prev.empty()) CHECK(prev < s);
    prev = s;
  }
}

TEST_CASE("formatting is always 24 chars YYYY-MM-DDTHH:MM:SS.sssZ", "[time]") {
  const std::vector<WorldTime> times = {
      0, 1, -1, 999, -999, kMsPerDay, -kMsPerDay, 1'700'000'000'000, -1'700'000'000'000,
      *parse_world_time("0000-01-01T00:00:00Z"), *parse_world_time("9999-12-31T23:59:59.999Z"),
      -62'135'596'800'000,  // 0001-01-01
  };
  for (WorldTime t : times) {
    const std::string s = format_world_time(t);
    INFO(t << " -> " << s);
    REQUIRE(s.size() == 24);
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u, 20u,
                          21u, 22u}) {
      CHECK((s[i] >= '0' && s[i] <= '9'));
    }
    CHECK(s[4] == '-');
    CHECK(s[7] == '-');
    CHECK(s[10] == 'T');
    CHECK(s[13] == ':');
    CHECK(s[16] == ':');
    CHECK(s[19] == '.');
    CHECK(s[23] == 'Z');
  }
  // write_world_time returns the end of what it wrote.
  char buf[32];
  char* end = write_world_time(86'400'000, buf);
  CHECK(end - buf == 24);
  CHECK(std::string(buf, end) == "1970-01-02T00:00:00.000Z");
}

TEST_CASE("years outside 0000..9999 use the extended form", "[time]") {
  // As JavaScript's toISOString(): ±YYYYYY.
  const WorldTime y10000 = days_from_civil(10000, 1, 1) * kMsPerDay;
  CHECK(format_world_time(y10000) == "+010000-01-01T00:00:00.000Z");
  CHECK(format_world_time(y10000 - 1) == "9999-12-31T23:59:59.999Z");
  const WorldTime y0 = days_from_civil(0, 1, 1) * kMsPerDay;
  CHECK(format_world_time(y0 - 1) == "-000001-12-31T23:59:59.999Z");
  CHECK(format_world_time(y0) == "0000-01-01T00:00:00.000Z");
}

TEST_CASE("days_from_civil known dates", "[time]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1970, 1, 2) == 1);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 1, 1) == 10957);
  CHECK(days_from_civil(2000, 2, 29) == 11016);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2001, 1, 1) == 11323);
  CHECK(days_from_civil(2024, 1, 1) == 19723);
  CHECK(days_from_civil(1900, 1, 1) == -25567);
  CHECK(days_from_civil(1600, 1, 1) == -135140);
  CHECK(days_from_civil(1, 1, 1) == -719162);
  CHECK(days_from_civil(0, 3, 1) == -719468);
  // Consecutive days differ by one across month and year ends.
  CHECK(days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28) == 1);
  CHECK(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28) == 2);
  CHECK(days_from_civil(2025, 1, 1) - days_from_civil(2024, 1, 1) == 366);
  CHECK(days_from_civil(2024, 1, 1) - days_from_civil(2023, 1, 1) == 365);
}

TEST_CASE("the time of day is written as printf would, every second of a day and every millisecond", "[time]") {
  using hourglass::sim::write_time_of_day;
  auto reference = [](std::int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03dZ", static_cast<int>(ms / 3'600'000),
                  static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
    return std::string(buf);
  };
  auto written = [](std::int64_t ms) {
    char buf[32];
    return std::string(buf, write_time_of_day(ms, buf));
  };
  for (std::int64_t s = 0; s < 86'400; ++s) {
    const std::int64_t ms = s * 1000 + (s * 7919) % 1000;  // every second, a varied millisecond
    if (written(ms) != reference(ms)) FAIL(ms << ": " << written(ms) << " != " << reference(ms));
  }
  for (std::int64_t ms = 0; ms < 1000; ++ms) CHECK(written(86'399'000 + ms) == reference(86'399'000 + ms));
}
