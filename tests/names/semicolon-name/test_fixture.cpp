// Fixture of check_test_names.cmake (never compiled): two names with a ';',
// one on a line of its own and one split over two string literals, and names
// without one, which the check must let pass.
#include <catch2/catch.hpp>

TEST_CASE("a name without a semicolon, fine", "[fixture]") {
  SECTION("a section, also fine") {}
}

TEST_CASE("one; two", "[fixture]") {}

TEST_CASE("a name " "[in] two literals",
          "[fixture]") {
  SECTION(
      "a section split over "
      "two literals; still one name") {}
}
