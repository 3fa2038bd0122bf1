#include <catch2/catch.hpp>

#include "io/backoff.hpp"

TEST_CASE("backoff doubles up to its cap and jitters below the base", "[service][backoff]") {
  using ms = std::chrono::milliseconds;
  hourglass::io::Backoff b(ms(1000), ms(60000), 0.2, 7);
  ms expected_base(1000);
  for (int i = 0; i < 10; ++i) {
    const ms d = b.next();
    REQUIRE(d <= expected_base);
    REQUIRE(d.count() >= expected_base.count() * 8 / 10);
    expected_base = std::min(ms(60000), expected_base * 2);
  }
  REQUIRE(b.base() == ms(60000));
  b.reset();
  REQUIRE(b.base() == ms(1000));
}
