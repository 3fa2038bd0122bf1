#include <catch2/catch.hpp>

#include "runtime/service/resync_policy.hpp"

using hourglass::service::parse_input;
using hourglass::service::resync_policy;

TEST_CASE("resync policy: pub/sub inputs that carry advances resume at start and resync after a reconnect",
          "[service][resync]") {
  for (const char* input : {"channels", "campaign-manager", "channels,campaign-manager"}) {
    INFO(input);
    const auto p = resync_policy(parse_input(input));
    CHECK(p.resume_at_start);
    CHECK(p.resync_on_reconnect);
  }
}

TEST_CASE("resync policy: with the stream input nothing is resynced, with or without campaign-manager",
          "[service][resync]") {
  for (const char* input : {"stream", "stream,campaign-manager", "campaign-manager,stream"}) {
    INFO(input);
    const auto p = resync_policy(parse_input(input));
    CHECK_FALSE(p.resume_at_start);
    CHECK_FALSE(p.resync_on_reconnect);
    CHECK(std::string(p.why).find("stream") != std::string::npos);
  }
}
