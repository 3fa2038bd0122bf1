#include <catch2/catch.hpp>

#include <stdexcept>

#include "io/stream_id.hpp"

using hourglass::io::StreamId;
using hourglass::io::stream_id_before;

TEST_CASE("stream ids are ordered as (ms, seq) numbers, not as text", "[service][stream]") {
  CHECK(stream_id_before("9-0", "10-0"));
  CHECK_FALSE(stream_id_before("10-0", "9-0"));
  CHECK(stream_id_before("5-1", "5-10"));
  CHECK(stream_id_before("5-2", "5-10"));
  CHECK_FALSE(stream_id_before("5-10", "5-10"));
  CHECK(stream_id_before("1700000000000-99", "1700000000001-0"));
  CHECK(StreamId::parse("18446744073709551615-18446744073709551615") ==
        StreamId{18446744073709551615ULL, 18446744073709551615ULL});
  CHECK(StreamId::parse("1526919030474-55").to_string() == "1526919030474-55");
}

TEST_CASE("a malformed stream id is refused", "[service][stream]") {
  for (const char* bad : {"", "-", "5", "5-", "-5", "a-1", "1-b", "1-2-3", " 1-2", "1-2 ", "+1-2", "1--2",
                          "18446744073709551616-0"}) {
    INFO(bad);
    CHECK_THROWS_AS(StreamId::parse(bad), std::invalid_argument);
    CHECK_THROWS_AS(stream_id_before(bad, "1-0"), std::invalid_argument);
    CHECK_THROWS_AS(stream_id_before("1-0", bad), std::invalid_argument);
  }
}
